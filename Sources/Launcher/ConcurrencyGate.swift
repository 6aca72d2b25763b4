import Synchronization

/// Global and per-command concurrency limits. Over a limit the launcher answers `busy` at once
/// (backpressure to the front-end) instead of queueing.
final class ConcurrencyGate: Sendable {
    private struct Counts {
        var total = 0
        var perCommand: [String: Int] = [:]
    }
    private let counts = Mutex(Counts())
    let maxJobs: Int

    init(maxJobs: Int) { self.maxJobs = maxJobs }

    /// Takes a slot, or returns false when either limit is reached.
    func acquire(_ command: String, limit: Int) -> Bool {
        counts.withLock { c in
            guard c.total < maxJobs, c.perCommand[command, default: 0] < limit else { return false }
            c.total += 1
            c.perCommand[command, default: 0] += 1
            return true
        }
    }

    func release(_ command: String) {
        counts.withLock { c in
            c.total -= 1
            let n = c.perCommand[command, default: 1] - 1
            c.perCommand[command] = n > 0 ? n : nil
        }
    }

    var running: Int { counts.withLock { $0.total } }
}
