import Foundation
import Policy
import Sandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Engine {
@Suite("Stress")
struct StressTests {
    @Test("2,000 jobs from 16 tasks while others allocate: no deadlock, no leaked fds or zombies")
    func manyConcurrentJobs() async throws {
        let before = engineLikeFds()
        let spec = try probeSpec(["spew", "1000"])
        let stop = ManagedAtomicFlag()
        try await withThrowingTaskGroup(of: Int.self) { group in
            // Allocation pressure on other threads while the engine clones (CLONE_VM shares the heap).
            for _ in 0..<4 {
                group.addTask {
                    var churn = 0
                    while !stop.isSet && !Task.isCancelled {
                        let blocks = (0..<256).map { [UInt8](repeating: UInt8($0 & 0xff), count: 1024 + $0 * 16) }
                        churn += blocks.count
                        await Task.yield()
                    }
                    return -churn
                }
            }
            let spawners = 16, perTask = 125
            for _ in 0..<spawners {
                group.addTask {
                    var ok = 0
                    for _ in 0..<perTask {
                        let out = try await engine.run(PreparedJob(spec))
                        if out.result.termination == .exited(0) && out.stdout.count == 1000 && out.stderr.count == 1000 { ok += 1 }
                    }
                    return ok
                }
            }
            var succeeded = 0, spawnTasksDone = 0
            defer { stop.set() } // also when a spawner throws: the allocators must end
            while let value = try await group.next() {
                if value >= 0 {
                    succeeded += value
                    spawnTasksDone += 1
                    if spawnTasksDone == spawners { stop.set() }
                }
            }
            #expect(succeeded == spawners * perTask)
        }
        #expect(engine.activeJobCount == 0)
        // Other test targets run concurrently in this process and open pipes of their own for a
        // moment; a leak of ours stays, theirs go away.
        #expect(await eventually(within: .seconds(5)) { leakedEngineFds(since: before).isEmpty },
                "leaked: \(leakedEngineFds(since: before))")
        // Orphans re-parented to us are reaped by the engine's sweep; give it a bounded moment.
        #expect(await eventually(within: .seconds(5)) { zombieChildren().isEmpty })
    }
}
}

/// A flag set once from one task and read by others.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
