@testable import FrontEnd
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

struct ConnectionWatchTests {
    final class Counter: Sendable {
        let value = Mutex(0)
        func bump() { value.withLock { $0 += 1 } }
        var count: Int { value.withLock { $0 } }
    }

    @Test func firesTheCurrentActionOnceAndOnlyIt() {
        let watch = ConnectionWatch()
        let first = Counter(), second = Counter()
        watch.onClose { first.bump() }
        watch.clear() // the first request ended normally
        watch.onClose { second.bump() }
        watch.fire()
        watch.fire()
        #expect(first.count == 0)
        #expect(second.count == 1)
    }

    @Test func anActionSetAfterTheCloseRunsAtOnce() {
        let watch = ConnectionWatch()
        watch.fire()
        let late = Counter()
        watch.onClose { late.bump() }
        #expect(late.count == 1)
    }

    /// A request whose client left before the responder ran (found by `make soak`): its channel
    /// is no longer registered, and its job must be cancelled at once, not run unwatched.
    @Test func aConnectionGoneBeforeItsRequestRanGetsAFiredWatch() {
        let connections = OpenConnections()
        let channel = EmbeddedChannel()
        let cancelled = Counter()
        connections.watch(for: channel).onClose { cancelled.bump() }
        #expect(cancelled.count == 1)
    }

    @Test func aRegisteredConnectionFiresWhenItCloses() throws {
        let connections = OpenConnections()
        let channel = EmbeddedChannel()
        connections.insert(channel)
        let cancelled = Counter()
        connections.watch(for: channel).onClose { cancelled.bump() }
        #expect(cancelled.count == 0)
        _ = try channel.finish()
        #expect(cancelled.count == 1)
        // Once it closed, a late request on it gets a fired watch as well.
        let late = Counter()
        connections.watch(for: channel).onClose { late.bump() }
        #expect(late.count == 1)
    }
}
