#if canImport(Glibc)
import Glibc
#endif

/// Unix socket paths, prepared safely: the address structure, stale-file removal that never takes
/// over a live socket, and the directory check. Shared by the launcher's socket, the front-end's
/// `--unix` listeners, `httpexec serve`'s notify socket and sd_notify.
public enum UnixSocketPath {
    /// Why a path cannot be prepared.
    public enum Problem: Error, CustomStringConvertible, Sendable {
        case inUse(String)
        case notASocket(String)
        case cannotRemove(String, Int32)
        public var description: String {
            switch self {
            case .inUse(let p): "\(p) is served by a live process; refusing to take it over"
            case .notASocket(let p): "\(p) exists and is not a socket; refusing to remove it"
            case .cannotRemove(let p, let e): "cannot remove stale socket \(p): \(String(cString: strerror(e)))"
            }
        }
    }

    /// `sockaddr_un` for `path` and its exact length; nil when the path is empty or does not fit
    /// `sun_path` (107 bytes). A leading `@` names an abstract socket, as systemd writes it.
    public static func address(_ path: String) -> (sockaddr_un, socklen_t)? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            if bytes[0] == UInt8(ascii: "@") { raw[0] = 0 }
        }
        return (address, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count))
    }

    /// Runs `body` with `address` as a `sockaddr` pointer (for bind, connect, sendto).
    public static func withSockaddr<R>(_ address: (sockaddr_un, socklen_t), _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var storage = address.0
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, address.1) }
        }
    }

    /// Removes a stale socket file at `path`; refuses when a process still accepts connections
    /// on it (two servers must never share a path) or when it is not a socket at all.
    public static func clearStale(_ path: String) throws(Problem) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path) }
        if isServed(path) { throw .inUse(path) }
        guard unlink(path) == 0 || errno == ENOENT else { throw .cannotRemove(path, errno) }
    }

    /// True when connecting to `path` succeeds.
    public static func isServed(_ path: String) -> Bool {
        guard let address = address(path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return withSockaddr(address) { connect(fd, $0, $1) == 0 }
    }

    /// True when users other than the owner (and group) can write the directory holding `path`,
    /// i.e. could replace the socket (sticky directories such as /tmp still let them create
    /// look-alike names nearby).
    public static func directoryIsOpenToOthers(_ path: String) -> Bool {
        var st = stat()
        guard stat(HostPath.directory(of: path.hasPrefix("/") ? path : "./" + path), &st) == 0 else { return false }
        return st.st_mode & S_IWOTH != 0
    }
}
