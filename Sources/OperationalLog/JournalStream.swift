#if canImport(Glibc)
import Glibc
#endif

/// Whether a file descriptor is systemd's connection to the journal.
///
/// systemd sets `JOURNAL_STREAM=DEV:INODE` (decimal) for a service whose stdout or stderr it
/// connected to journald. The variable alone proves nothing — a child inherits it after its
/// stderr was redirected elsewhere — so the fd's own device and inode (fstat) must match.
public enum JournalStream {
    /// The variable systemd sets.
    public static let variable = "JOURNAL_STREAM"

    /// Whether `fd` is the stream named by `value` (the variable's text; nil when unset).
    public static func isConnected(fd: Int32, value: String?) -> Bool {
        guard let value, let expected = parse(value) else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        return UInt64(info.st_dev) == expected.device && UInt64(info.st_ino) == expected.inode
    }

    /// Whether fd 2 is the journal stream named in this process's environment.
    public static func standardErrorIsConnected() -> Bool {
        isConnected(fd: 2, value: getenv(variable).map { String(cString: $0) })
    }

    /// `DEV:INODE` as two decimal numbers; nil for anything else.
    static func parse(_ text: String) -> (device: UInt64, inode: UInt64)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
            let device = UInt64(parts[0]), let inode = UInt64(parts[1])
        else { return nil }
        return (device, inode)
    }

    /// The `JOURNAL_STREAM` value that names `fd` (what systemd would set for it).
    public static func value(for fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return "\(UInt64(info.st_dev)):\(UInt64(info.st_ino))"
    }
}
