import Host

#if canImport(Glibc)
import Glibc
#endif

/// A listening socket the HTTP server serves on: bound here from a `ListenAddress`, or inherited
/// from systemd. Every listener is a plain fd before the server starts, so TCP, Unix and
/// socket-activated listeners share one code path (`HTTPServer` adopts the fds), and binding —
/// which may need root for a port below 1024 — happens before the front-end drops privileges.
public struct ListeningSocket: Sendable, Hashable {
    /// The listening fd (close-on-exec).
    public let fd: Int32
    /// What it listens on, for logs: `127.0.0.1:8000`, `[::1]:8000`, `unix:/run/x.sock`, `fd:3 (name)`.
    public let description: String
    /// The Unix socket path this process created (removed again at shutdown), if any.
    public let createdPath: String?

    /// Wraps an fd that already listens (e.g. from `LISTEN_FDS`).
    public init(inheritedFD fd: Int32, name: String?) {
        self.fd = fd
        self.description = "fd:\(fd)" + (name.map { " (\($0))" } ?? "")
        self.createdPath = nil
    }

    private init(fd: Int32, description: String, createdPath: String?) {
        self.fd = fd
        self.description = description
        self.createdPath = createdPath
    }

    /// Backlog of every socket bound here.
    public static let backlog: Int32 = 1024


    /// The port a TCP listener got (useful after binding port 0); nil for other sockets.
    public var tcpPort: Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        // sin_port and sin6_port are both the big-endian u16 at offset 2 (read as bytes: the
        // field accessors resolve to a different module's struct in release builds).
        guard Int32(storage.ss_family) == AF_INET || Int32(storage.ss_family) == AF_INET6 else { return nil }
        return withUnsafeBytes(of: &storage) { Int($0[2]) << 8 | Int($0[3]) }
    }

    /// Binds and listens on a TCP address (`host` without brackets; port 0 picks a free port).
    /// - Throws: `ListenError` naming the address and the errno.
    public static func bindTCP(host: String, port: Int) throws(ListenError) -> ListeningSocket {
        let shown = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw ListenError(address: shown, reason: "cannot resolve: \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        // The first address only: "localhost" must not silently become two listeners.
        let info = first.pointee
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(address: shown, errno: errno, step: "socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if info.ai_family == AF_INET6 {
            // [::] means IPv6 only; bind 0.0.0.0 as well for IPv4 (explicit beats dual-stack surprises).
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        guard Glibc.bind(fd, info.ai_addr, info.ai_addrlen) == 0 else {
            let saved = errno
            close(fd)
            throw ListenError(address: shown, errno: saved, step: "bind")
        }
        guard listen(fd, backlog) == 0 else {
            let saved = errno
            close(fd)
            throw ListenError(address: shown, errno: saved, step: "listen")
        }
        var socket = ListeningSocket(fd: fd, description: shown, createdPath: nil)
        if port == 0, let actual = socket.tcpPort {
            socket = ListeningSocket(fd: fd, description: host.contains(":") ? "[\(host)]:\(actual)" : "\(host):\(actual)", createdPath: nil)
        }
        return socket
    }

    /// Binds and listens on a Unix socket path (a stale socket file is replaced, a live one is not).
    /// - Throws: `ListenError` naming the path and the errno.
    public static func bindUnix(path: String) throws(ListenError) -> ListeningSocket {
        let shown = "unix:\(path)"
        guard let address = UnixSocketPath.address(path), !path.hasPrefix("@") else {
            throw ListenError(address: shown, reason: "path too long for a Unix socket")
        }
        // A stale file from a previous run is replaced; a live socket or a non-socket never is.
        do { try UnixSocketPath.clearStale(path) } catch {
            switch error {
            case .inUse: throw ListenError(address: shown, reason: "another server is listening on it")
            case .notASocket: throw ListenError(address: shown, reason: "exists and is not a socket")
            case .cannotRemove(_, let code): throw ListenError(address: shown, errno: code, step: "unlink")
            }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenError(address: shown, errno: errno, step: "socket") }
        guard UnixSocketPath.withSockaddr(address, { Glibc.bind(fd, $0, $1) }) == 0 else {
            let saved = errno
            close(fd)
            throw ListenError(address: shown, errno: saved, step: "bind")
        }
        // The HTTP API is for whoever can reach the socket; the directory's permissions decide who.
        chmod(path, 0o666)
        guard listen(fd, backlog) == 0 else {
            let saved = errno
            close(fd)
            unlink(path)
            throw ListenError(address: shown, errno: saved, step: "listen")
        }
        return ListeningSocket(fd: fd, description: shown, createdPath: path)
    }
}

/// A listener could not be set up.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    /// The address as the operator wrote it.
    public let address: String
    /// Why, in words.
    public let reason: String

    init(address: String, reason: String) {
        self.address = address
        self.reason = reason
    }

    init(address: String, errno code: Int32, step: String) {
        self.init(address: address, reason: "\(step): \(String(cString: strerror(code)))")
    }

    public var description: String { "cannot listen on \(address): \(reason)" }
}
