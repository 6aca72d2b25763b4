@testable import Launcher
import Testing

@Suite("Per-job uid pool")
struct UIDPoolTests {
    @Test("running jobs never share a uid; a full range answers nil")
    func distinctAndBounded() {
        let pool = UIDPool(range: 61000...61002)
        let taken = [pool.acquire(), pool.acquire(), pool.acquire()]
        #expect(Set(taken.compactMap { $0 }) == [61000, 61001, 61002])
        #expect(pool.acquire() == nil)
        pool.release(61001)
        #expect(pool.acquire() == 61001)
    }

    @Test("a released uid is reused as late as possible (round robin)")
    func roundRobin() {
        let pool = UIDPool(range: 61000...61009)
        var seen: [UInt32] = []
        for _ in 0..<12 {
            let uid = pool.acquire()!
            seen.append(uid)
            pool.release(uid)
        }
        #expect(seen == [61000, 61001, 61002, 61003, 61004, 61005, 61006, 61007, 61008, 61009, 61000, 61001])
    }
}
