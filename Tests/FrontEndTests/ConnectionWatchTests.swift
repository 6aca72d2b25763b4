@testable import FrontEnd
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
}
