/// An address the HTTP front-end listens on.
///
/// `BIND` entries become ``tcp(host:port:)`` and `UNIX` entries ``unix(path:)``; see
/// ``HTTPExecSettings/listenAddresses``.
public enum ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// A TCP address. `host` is an IPv4 address, an IPv6 address *without* brackets, or a
    /// hostname; `port` is 0…65535, where 0 asks the kernel for an ephemeral port.
    case tcp(host: String, port: Int)
    /// A Unix stream socket at an absolute, normalised path of at most 107 bytes.
    case unix(path: String)

    /// `127.0.0.1:8000`, `[::1]:8000`, `localhost:8000`, `unix:/run/httpexec/http.sock`.
    public var description: String {
        switch self {
        case .tcp(let host, let port) where host.contains(":"): "[\(host)]:\(port)"
        case .tcp(let host, let port): "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
