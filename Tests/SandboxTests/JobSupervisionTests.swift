@testable import Sandbox
import Testing

/// The job state machine on its own: events in, actions out, no processes.
@Suite("JobSupervision state machine")
struct JobSupervisionTests {
    typealias Instant = ContinuousClock.Instant
    let t0 = ContinuousClock.now

    private func machine(streams: Int = 2, timeout: Duration? = .seconds(10)) -> JobSupervision {
        JobSupervision(openStreams: streams, deadline: timeout.map { t0 + $0 }, grace: .seconds(1),
                       linger: .seconds(5), forceAfter: .seconds(2))
    }

    @Test("finishes only when the main process has exited and every stream is closed")
    func normalExit() {
        var m = machine()
        #expect(m.handle(.streamClosed(t0)) == [])
        #expect(m.handle(.mainExited(t0)) == [.closeStdin])
        #expect(m.handle(.streamClosed(t0)) == [.finish])
        #expect(m.phase == .finished)
        #expect(m.handle(.tick(t0 + .seconds(100))) == [], "nothing happens after finish")
    }

    @Test("timeout: TERM, then KILL after the grace period, then the force deadline")
    func timeoutLadder() {
        var m = machine()
        #expect(m.handle(.tick(t0 + .seconds(9))) == [])
        #expect(m.handle(.tick(t0 + .seconds(10))) == [.signalGroup(15)])
        #expect(m.timedOut)
        #expect(m.nextDeadline == t0 + .seconds(11))
        #expect(m.handle(.tick(t0 + .seconds(11))) == [.signalGroup(9)])
        #expect(m.nextDeadline == t0 + .seconds(13))
        // KILL not effective yet (uninterruptible sleep): insist, never finish without the status.
        #expect(m.handle(.tick(t0 + .seconds(13))) == [.signalGroup(9)])
        #expect(m.handle(.mainExited(t0 + .seconds(14))) == [.closeStdin])
        // A descendant outside the group still holds a pipe: stop waiting at the force deadline.
        #expect(m.handle(.tick(t0 + .seconds(15))) == [.abandonStreams, .finish])
    }

    @Test("linger: after the main process exits, open streams are bounded")
    func lingerBound() {
        var m = machine(timeout: nil)
        #expect(m.handle(.mainExited(t0)) == [.closeStdin])
        #expect(m.nextDeadline == t0 + .seconds(5))
        #expect(m.handle(.tick(t0 + .seconds(5))) == [.signalGroup(9)])
        #expect(!m.timedOut)
    }

    @Test("cancel uses the TERM ladder once; output overflow kills at once, once")
    func cancelAndOverflow() {
        var m = machine()
        #expect(m.handle(.cancel(t0)) == [.signalGroup(15)])
        #expect(m.handle(.cancel(t0)) == [])
        #expect(m.cancelled)
        #expect(m.handle(.outputOverflow(t0)) == [.signalGroup(9)])
        #expect(m.handle(.outputOverflow(t0)) == [])
        #expect(m.outputLimitExceeded)
    }

    @Test("a job with no captured streams finishes when the main process exits")
    func noStreams() {
        var m = machine(streams: 0)
        #expect(m.handle(.mainExited(t0)) == [.finish])
    }
}
