import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// Writes entries to journald over its native protocol (no libsystemd): one datagram of fields
/// per entry to `/run/systemd/journal/socket`; an entry too large for a datagram goes as a sealed
/// memfd. Field names are uppercase ASCII, digits and `_`, not starting with `_` (those are the
/// journal's own trusted fields).
final class JournalClient {
    static let defaultSocket = AuditLog.defaultJournalSocket

    let path: String
    private let fd: Int32
    private var address = sockaddr_un()
    private let addressLength: socklen_t

    /// Whether a journal socket exists at `path`.
    static func isAvailable(at path: String = defaultSocket) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }

    init(path: String = defaultSocket) throws(AuditError) {
        self.path = path
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw AuditError(.journal, "journal socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw AuditError(.journal, "cannot create a socket for the journal: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    /// Sends one entry.
    func send(_ fields: [(name: String, value: String)]) throws(AuditError) {
        let entry = Self.encode(fields)
        let sent = entry.withUnsafeBytes { body in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, body.baseAddress, body.count, Int32(MSG_NOSIGNAL), $0, addressLength)
                }
            }
        }
        if sent == entry.count { return }
        if sent < 0, errno == EMSGSIZE || errno == ENOBUFS {
            let result = entry.withUnsafeBytes { hx_send_sealed_memfd(path, $0.baseAddress, $0.count) }
            if result == 0 { return }
        }
        throw AuditError(.journal, "the journal did not take the entry: \(String(cString: strerror(errno)))")
    }

    /// The native protocol's encoding: `NAME=value\n`, or, for values containing a newline,
    /// `NAME\n` + 64-bit little-endian length + the bytes + `\n`.
    static func encode(_ fields: [(name: String, value: String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in fields {
            out.append(contentsOf: name.utf8)
            if value.utf8.contains(UInt8(ascii: "\n")) {
                out.append(UInt8(ascii: "\n"))
                withUnsafeBytes(of: UInt64(value.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            } else {
                out.append(UInt8(ascii: "="))
            }
            out.append(contentsOf: value.utf8)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
