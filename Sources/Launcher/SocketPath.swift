#if canImport(Glibc)
import Glibc
#endif

/// Preparing the launcher's socket path safely.
enum SocketPath {
    enum Problem: Error, CustomStringConvertible {
        case inUse(String)
        case notASocket(String)
        case cannotRemove(String, Int32)
        var description: String {
            switch self {
            case .inUse(let p): "\(p) is served by a live process; refusing to take it over"
            case .notASocket(let p): "\(p) exists and is not a socket; refusing to remove it"
            case .cannotRemove(let p, let e): "cannot remove stale socket \(p): \(String(cString: strerror(e)))"
            }
        }
    }

    /// Removes a stale socket file at `path`; refuses when a process still accepts connections
    /// on it (two launchers must never share a path) or when it is not a socket at all.
    static func clearStale(_ path: String) throws(Problem) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else { throw .notASocket(path) }
        if isServed(path) { throw .inUse(path) }
        guard unlink(path) == 0 || errno == ENOENT else { throw .cannotRemove(path, errno) }
    }

    /// True when connecting to `path` succeeds.
    static func isServed(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return false }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }

    /// True when users other than the owner (and group) can write the directory holding `path`,
    /// i.e. could replace the socket (sticky directories such as /tmp still let them create
    /// look-alike names nearby).
    static func directoryIsOpenToOthers(_ path: String) -> Bool {
        var dir = path
        if let slash = dir.lastIndex(of: "/") { dir = slash == dir.startIndex ? "/" : String(dir[..<slash]) } else { dir = "." }
        var st = stat()
        guard stat(dir, &st) == 0 else { return false }
        return st.st_mode & S_IWOTH != 0
    }
}
