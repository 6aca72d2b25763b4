import Host

#if canImport(Glibc)
import Glibc
#endif

/// Socket activation and readiness notification without libsystemd.
public enum SystemdIntegration {
    /// A socket passed by systemd (or `systemd-socket-activate`).
    public struct InheritedSocket: Sendable, Hashable {
        public let fd: Int32
        public let name: String?
    }

    /// Takes the sockets passed with `LISTEN_FDS`/`LISTEN_PID`/`LISTEN_FDNAMES` (fds from 3) and
    /// removes the variables, so nothing started later can inherit or misread them. Returns an
    /// empty list when the variables are absent or meant for another process.
    public static func takeListenSockets() -> [InheritedSocket] {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), Int32(pidText) == getpid(),
              let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int32(countText), count > 0
        else { return [] }
        let names = getenv("LISTEN_FDNAMES").map { String(cString: $0).split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        return (0..<count).map { i in
            let fd = 3 + i
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC) // never leak the listening socket into anything
            return InheritedSocket(fd: fd, name: Int(i) < names.count ? names[Int(i)] : nil)
        }
    }

    /// The `NOTIFY_SOCKET` path, read once and removed from the environment.
    public static let notifySocket: String? = {
        defer { unsetenv("NOTIFY_SOCKET") }
        return getenv("NOTIFY_SOCKET").map { String(cString: $0) }
    }()

    /// The watchdog interval the service manager expects pings within (`WATCHDOG_USEC`, honoured
    /// when `WATCHDOG_PID` is absent or names this process), read once; both variables are removed
    /// from the environment. Nil when there is no watchdog.
    public static let watchdogInterval: Duration? = {
        defer {
            unsetenv("WATCHDOG_USEC")
            unsetenv("WATCHDOG_PID")
        }
        if let pid = getenv("WATCHDOG_PID").map({ String(cString: $0) }), Int32(pid) != getpid() { return nil }
        guard let text = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let micros = Int64(text), micros > 0
        else { return nil }
        return .microseconds(micros)
    }()

    /// How often to send `WATCHDOG=1`: half the interval, as sd_watchdog_enabled(3) advises.
    public static var watchdogPingInterval: Duration? { watchdogInterval.map { $0 / 2 } }

    /// Reads (and removes) every service-manager variable at once: call first thing in `main`,
    /// before anything could start a thread or a process that might inherit or misread them.
    /// Returns the sockets passed with `LISTEN_FDS`.
    public static func takeServiceEnvironment() -> [InheritedSocket] {
        _ = notifySocket
        _ = watchdogInterval
        return takeListenSockets()
    }

    /// Sends `state` (e.g. `READY=1\nSTATUS=serving`) to the service manager, if there is one.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        guard let path = notifySocket, !path.isEmpty else { return false }
        return sendDatagram(Array(state.utf8), to: path)
    }

    /// One datagram to a Unix socket path (`@name` is an abstract socket, as systemd writes it).
    private static func sendDatagram(_ message: [UInt8], to path: String) -> Bool {
        guard let address = UnixSocketPath.address(path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let sent = message.withUnsafeBytes { body in
            UnixSocketPath.withSockaddr(address) { sendto(fd, body.baseAddress, body.count, Int32(MSG_NOSIGNAL), $0, $1) }
        }
        return sent == message.count
    }
}
