@testable import FrontEnd
import Testing

struct LauncherBackoffTests {
    @Test func delaysDoubleUpToTheMaximumAndResetOnSuccess() {
        var backoff = LauncherBackoff(initial: .milliseconds(50), maximum: .seconds(2))
        let start = ContinuousClock.now
        #expect(backoff.mayAttempt(now: start))
        #expect(backoff.isAvailable)
        let delays = (0..<8).map { _ in backoff.failed(now: start) }
        #expect(delays == [50, 100, 200, 400, 800, 1600, 2000, 2000].map { Duration.milliseconds($0) })
        #expect(!backoff.isAvailable)
        #expect(!backoff.mayAttempt(now: start + .milliseconds(1999)))
        #expect(backoff.mayAttempt(now: start + .seconds(2)))
        backoff.succeeded()
        #expect(backoff.isAvailable)
        #expect(backoff.mayAttempt(now: start))
        #expect(backoff.failed(now: start) == .milliseconds(50))
    }
}

struct RequestIdentityTests {
    @Test(arguments: ["abc", "req-42_x.Y", String(repeating: "z", count: 128)])
    func acceptsPrintableIDs(_ id: String) {
        #expect(RequestIdentity.from(id) == id)
    }

    @Test(arguments: [nil, "", "a b", "line\nbreak", "ünï", String(repeating: "z", count: 129)] as [String?])
    func replacesUnsafeIDs(_ id: String?) {
        let generated = RequestIdentity.from(id)
        #expect(generated != id)
        #expect(generated.count == 32 && generated.allSatisfy(\.isHexDigit))
        #expect(RequestIdentity.from(id) != generated, "ids are random")
    }
}
