import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// Keeps a separate reaper process (`hx_start_group_reaper`) told which job process groups are
/// alive, so that if the launcher dies abruptly — SIGKILL, a crash — every job's whole tree is
/// killed too, not only each job's main process (PR_SET_PDEATHSIG does not reach its children).
/// Under systemd the cgroup does this as well; this covers a launcher run any other way.
final class GroupReaper: Sendable {
    private let fd: Int32

    /// Starts the reaper; nil (with errno) when it cannot.
    static func start() -> GroupReaper? {
        let fd = hx_start_group_reaper()
        return fd >= 0 ? GroupReaper(fd: fd) : nil
    }

    private init(fd: Int32) { self.fd = fd }

    /// A job started: its pid is its process group (jobs run in a session of their own).
    func register(_ pid: Int32) { send(pid) }

    /// The job's group is dead.
    func unregister(_ pid: Int32) { send(-pid) }

    private func send(_ value: Int32) {
        guard value != 0 else { return }
        var bytes = value
        // 4 bytes to a pipe are written whole or not at all (PIPE_BUF); a dead reaper (EPIPE) only
        // costs the guarantee, which the start-up log reported.
        _ = withUnsafeBytes(of: &bytes) { write(fd, $0.baseAddress, 4) }
    }
}
