#if canImport(Glibc)
import Glibc
#endif

/// The append-only audit file: `O_APPEND`, one `write` per record, cut back if a write fails
/// half-way (so a full disk leaves no partial record), `fdatasync` per record or per interval,
/// reopened by path on SIGHUP (log rotation).
final class AuditFileSink {
    let path: String
    private var fd: Int32
    /// Unsynced data waits at most this long (nil = sync every record).
    private let syncInterval: Duration?
    private var unsyncedSince: ContinuousClock.Instant?

    init(path: String, syncInterval: Duration?) throws(AuditError) {
        self.path = path
        self.syncInterval = syncInterval
        fd = try Self.open(path)
    }

    deinit { close(fd) }

    private static func open(_ path: String) throws(AuditError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o600)
        guard fd >= 0 else { throw AuditError(.open, "cannot open \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    /// The last complete record of the file, to continue its chain; nil for an empty file or one
    /// whose tail is not a record (the first record written then starts a new chain, and
    /// `audit verify` shows where the old one broke).
    func lastRecord() -> AuditLine? {
        let reader = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard reader >= 0 else { return nil }
        defer { close(reader) }
        var info = stat()
        guard fstat(reader, &info) == 0, info.st_size > 0 else { return nil }
        // A record is far below 4 MiB (a start frame is at most 1 MiB, escaped at most ×6).
        let window = min(Int(info.st_size), 8 << 20)
        var tail = [UInt8](repeating: 0, count: window)
        let n = tail.withUnsafeMutableBytes { pread(reader, $0.baseAddress, window, off_t(Int(info.st_size) - window)) }
        guard n == window, tail.last == UInt8(ascii: "\n") else { return nil }
        let body = tail[..<(tail.endIndex - 1)]
        let start = body.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? body.startIndex
        guard let line = AuditLine(body[start...]), line.hashMatches else { return nil }
        return line
    }

    func append(_ line: [UInt8]) throws(AuditError) {
        var info = stat()
        let before = fstat(fd, &info) == 0 ? info.st_size : -1
        var written = 0
        while written < line.count {
            let n = line.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = n < 0 ? String(cString: strerror(errno)) : "nothing written"
                if written > 0, before >= 0 { _ = ftruncate(fd, before) } // no half record stays
                throw AuditError(.write, "cannot write to \(path): \(reason)")
            }
            written += n
        }
        if syncInterval == nil {
            guard fdatasync(fd) == 0 else { throw AuditError(.sync, "fdatasync \(path): \(String(cString: strerror(errno)))") }
        } else if unsyncedSince == nil {
            unsyncedSince = .now
        }
    }

    /// Syncs when the oldest unsynced record is older than the interval (or `force`).
    func syncIfDue(force: Bool = false) throws(AuditError) {
        guard let since = unsyncedSince, let interval = syncInterval else { return }
        guard force || ContinuousClock.now - since >= interval else { return }
        unsyncedSince = nil
        guard fdatasync(fd) == 0 else { throw AuditError(.sync, "fdatasync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Opens the path again (after rotation moved the old file away); the old descriptor is
    /// synced and closed only once the new one is open.
    func reopen() throws(AuditError) {
        let fresh = try Self.open(path)
        try? syncIfDue(force: true)
        close(fd)
        fd = fresh
    }
}
