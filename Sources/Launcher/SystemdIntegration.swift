import CSpawn

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

    /// Sends `state` (e.g. `READY=1\nSTATUS=serving`) to the service manager, if there is one.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        guard let path = notifySocket, !path.isEmpty else { return false }
        return state.utf8CString.withUnsafeBufferPointer { buf in
            hx_send_datagram(path, buf.baseAddress, buf.count - 1) == 0
        }
    }
}
