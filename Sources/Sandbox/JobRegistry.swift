import CSpawn
import Synchronization

/// Every job main process of this launcher, across all engine threads, so that the subreaper's
/// orphan sweep never reaps a job's main process behind its supervisor's back (its exit status
/// would be lost and its zombie would no longer pin the pid the group is signalled by).
///
/// The sweep only runs while no spawn is between clone and registration: a job that exits that
/// fast is otherwise an exited child nobody has claimed yet.
final class JobRegistry: Sendable {
    static let shared = JobRegistry()

    private struct State {
        var pids: Set<Int32> = []
        var spawnsInFlight = 0
    }
    private let state = Mutex(State())

    func beginSpawn() {
        state.withLock { $0.spawnsInFlight += 1 }
    }

    func endSpawn(registering pid: Int32?) {
        state.withLock { s in
            if let pid { s.pids.insert(pid) }
            s.spawnsInFlight -= 1
        }
    }

    func remove(_ pid: Int32) {
        _ = state.withLock { $0.pids.remove(pid) }
    }

    /// Calls `reap` for each exited child that is not a job main process, stopping at the first
    /// one that is (it is its supervisor's to reap; the next sweep continues).
    func sweep(_ reap: (Int32) -> Void) {
        state.withLock { s in
            guard s.spawnsInFlight == 0 else { return }
            while true {
                let pid = hx_peek_exited_child()
                guard pid > 0, !s.pids.contains(pid) else { return }
                reap(pid)
            }
        }
    }
}
