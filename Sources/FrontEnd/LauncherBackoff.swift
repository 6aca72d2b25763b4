/// When the front-end may try to reach the launcher again after failing to.
///
/// Pure state (the caller passes the clock): after `n` consecutive failed connection attempts,
/// no new attempt is made for `min(initial × 2ⁿ⁻¹, maximum)`; requests arriving meanwhile are
/// answered 503 at once instead of each waiting on a dead socket. One success resets it, so a
/// restarted launcher is picked up by the first request after the current delay.
struct LauncherBackoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var failures = 0
    private(set) var retryAt: ContinuousClock.Instant?

    init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// Whether a connection attempt may be made now.
    func mayAttempt(now: ContinuousClock.Instant) -> Bool {
        guard let retryAt else { return true }
        return now >= retryAt
    }

    /// Records a failed attempt; returns the delay before the next one.
    @discardableResult
    mutating func failed(now: ContinuousClock.Instant) -> Duration {
        failures += 1
        var delay = initial
        for _ in 1..<min(failures, 32) where delay < maximum { delay *= 2 }
        delay = min(delay, maximum)
        retryAt = now + delay
        return delay
    }

    /// Records a successful connection.
    mutating func succeeded() {
        failures = 0
        retryAt = nil
    }

    /// Whether the launcher is currently considered reachable (no failure since the last success).
    var isAvailable: Bool { failures == 0 }
}
