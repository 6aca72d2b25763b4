import Synchronization

/// Per-job user ids from the policy's `run_as.uid_range`: each running job gets a uid (and the
/// same-numbered gid) no other running job has, so concurrent jobs cannot signal, trace or read
/// each other's /proc entries, and RLIMIT_NPROC counts one job at a time. Ids are handed out
/// round-robin, so a released id is reused as late as possible.
final class UIDPool: Sendable {
    private struct State {
        var inUse: Set<UInt32> = []
        var next: UInt32
    }
    let range: ClosedRange<UInt32>
    private let state: Mutex<State>

    init(range: ClosedRange<UInt32>) {
        self.range = range
        state = Mutex(State(next: range.lowerBound))
    }

    /// A free id, or nil when every id of the range is running a job.
    func acquire() -> UInt32? {
        state.withLock { s in
            let size = UInt64(range.upperBound - range.lowerBound) + 1
            guard UInt64(s.inUse.count) < size else { return nil }
            while true {
                let candidate = s.next
                s.next = candidate == range.upperBound ? range.lowerBound : candidate + 1
                if !s.inUse.contains(candidate) {
                    s.inUse.insert(candidate)
                    return candidate
                }
            }
        }
    }

    func release(_ uid: UInt32) {
        _ = state.withLock { $0.inUse.remove(uid) }
    }
}
