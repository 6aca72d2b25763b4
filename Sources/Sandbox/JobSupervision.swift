/// The life of one running job after spawn, as a value type: events in, actions out.
///
/// running ──timeout/cancel──▶ terminating (SIGTERM to the group) ──grace──▶ killing (SIGKILL)
///    │                                                                         │
///    └──main exited + streams closed──▶ finished ◀──main exited + streams closed / force deadline
///
/// The main process is reaped only when the job finishes: until then its zombie pins the pid,
/// so signalling the process group (pgid == pid after setsid) can never hit a recycled pid.
struct JobSupervision {
    typealias Instant = ContinuousClock.Instant

    enum Phase: Equatable {
        case running
        /// SIGTERM sent; SIGKILL at `killAt`.
        case terminating(killAt: Instant)
        /// SIGKILL sent; if the streams are still open at `forceAt` (a descendant escaped the
        /// group and holds a pipe), stop waiting for them.
        case killing(forceAt: Instant)
        case finished
    }

    enum Event {
        case mainExited(Instant)
        case streamClosed(Instant)
        case tick(Instant)
        case cancel(Instant)
        case outputOverflow(Instant)
    }

    enum Action: Equatable {
        case signalGroup(Int32)
        case closeStdin
        /// Stop reading the remaining output streams (their writers escaped).
        case abandonStreams
        /// Reap, account and report.
        case finish
    }

    private(set) var phase: Phase = .running
    private(set) var mainExited = false
    private(set) var openStreams: Int
    private(set) var timedOut = false
    private(set) var cancelled = false
    private(set) var outputLimitExceeded = false
    private var lingerUntil: Instant?
    let deadline: Instant?
    let grace: Duration
    let linger: Duration
    let forceAfter: Duration

    static let sigterm: Int32 = 15
    static let sigkill: Int32 = 9

    init(openStreams: Int, deadline: Instant?, grace: Duration, linger: Duration, forceAfter: Duration) {
        self.openStreams = openStreams
        self.deadline = deadline
        self.grace = grace
        self.linger = linger
        self.forceAfter = forceAfter
    }

    /// The earliest instant at which `tick` has something to do.
    var nextDeadline: Instant? {
        switch phase {
        case .running: [deadline, lingerUntil].compactMap { $0 }.min()
        case .terminating(let killAt): killAt
        case .killing(let forceAt): forceAt
        case .finished: nil
        }
    }

    mutating func handle(_ event: Event) -> [Action] {
        guard phase != .finished else { return [] }
        switch event {
        case .mainExited(let now):
            mainExited = true
            if openStreams == 0 { return finish() }
            if case .running = phase { lingerUntil = now + linger }
            return [.closeStdin]

        case .streamClosed:
            openStreams = max(0, openStreams - 1)
            return mainExited && openStreams == 0 ? finish() : []

        case .cancel(let now):
            cancelled = true
            return phase == .running ? terminate(now) : []

        case .outputOverflow(let now):
            guard !outputLimitExceeded else { return [] }
            outputLimitExceeded = true
            switch phase {
            case .running, .terminating: return kill(now)
            case .killing, .finished: return []
            }

        case .tick(let now):
            switch phase {
            case .running:
                if let deadline, now >= deadline {
                    timedOut = true
                    return terminate(now)
                }
                if let lingerUntil, now >= lingerUntil { return kill(now) }
                return []
            case .terminating(let killAt):
                return now >= killAt ? kill(now) : []
            case .killing(let forceAt):
                guard now >= forceAt else { return [] }
                if mainExited { return [.abandonStreams] + finish() }
                // SIGKILL not yet effective (uninterruptible sleep): insist.
                phase = .killing(forceAt: now + forceAfter)
                return [.signalGroup(Self.sigkill)]
            case .finished:
                return []
            }
        }
    }

    private mutating func terminate(_ now: Instant) -> [Action] {
        phase = .terminating(killAt: now + grace)
        return [.signalGroup(Self.sigterm)]
    }

    private mutating func kill(_ now: Instant) -> [Action] {
        phase = .killing(forceAt: now + forceAfter)
        return [.signalGroup(Self.sigkill)]
    }

    private mutating func finish() -> [Action] {
        phase = .finished
        return [.finish]
    }
}
