import CSpawn
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// A child of `httpexec serve` (the launcher or the front-end), watched through a pidfd.
struct ChildProcess {
    let pid: pid_t
    let pidfd: Int32

    /// How a child ended.
    struct Status: CustomStringConvertible {
        let raw: Int32
        /// The status `serve` passes on: the exit code, or 128 + signal.
        var exitCode: Int32 {
            if raw & 0x7f == 0 { return (raw >> 8) & 0xff }
            return 128 + (raw & 0x7f)
        }
        var description: String {
            raw & 0x7f == 0 ? "exit status \((raw >> 8) & 0xff)" : "killed by signal \(raw & 0x7f)"
        }
    }

    /// Starts `arguments[0]` with this process's environment plus `NOTIFY_SOCKET`, default signal
    /// dispositions and an empty signal mask (the supervisor blocks the signals it waits for).
    static func spawn(_ arguments: [String], notifySocket: String) -> ChildProcess? {
        var environment = ProcessEnvironment.current
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { environment[name] = nil }
        environment["NOTIFY_SOCKET"] = notifySocket
        let entries = environment.map { "\($0.key)=\($0.value)" }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let rc = withCStrings(arguments) { argv in
            withCStrings(entries) { envp in posix_spawn(&pid, arguments[0], nil, &attributes, argv, envp) }
        }
        guard rc == 0 else {
            errno = rc
            return nil
        }
        let pidfd = hx_pidfd_open(pid)
        guard pidfd >= 0 else {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return nil
        }
        _ = fcntl(pidfd, F_SETFD, FD_CLOEXEC)
        return ChildProcess(pid: pid, pidfd: pidfd)
    }

    /// Waits for the child (it has exited or is about to) and closes its pidfd.
    func reap() -> Status {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(pidfd)
        return Status(raw: status)
    }
}

/// Runs `body` with a NULL-terminated C array of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
