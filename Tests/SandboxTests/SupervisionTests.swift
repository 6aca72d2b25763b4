import Foundation
import Policy
import Sandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Engine {
@Suite("Supervision: I/O, caps, timeouts, cancellation")
struct SupervisionTests {
    @Test("exit status and death by signal are reported as such")
    func termination() async throws {
        #expect(try await runProbe(["exit", "7"]).result.termination == .exited(7))
        let killed = try await runProbe(["signal", "15"]).result
        #expect(killed.termination == .signaled(15))
        #expect(!killed.timedOut && !killed.cancelled)
    }

    @Test("a timeout kills a SIGTERM-ignoring process and its double-forked grandchild")
    func timeoutKillsGroup() async throws {
        let started = ContinuousClock.now
        let out = try await runProbe(["ignore-term-fork"]) { spec in
            spec.timeout = .milliseconds(500)
            spec.killGrace = .milliseconds(300)
        }
        #expect(out.result.timedOut)
        #expect(out.result.termination == .signaled(SIGKILL), "TERM was ignored, so KILL must have ended it")
        let pids = out.keyValues
        let grandchild = try #require(pids["grandchild"].flatMap { Int32($0) })
        #expect(pids["main"].flatMap { Int32($0) } == out.result.pid)
        let gone = await eventually { !isAlive(grandchild) }
        #expect(gone, "grandchild \(grandchild) survived the job")
        // The ladder must not have waited for the generic force deadline.
        #expect(started.duration(to: .now) < .seconds(10))
    }

    @Test("10 MB on stdin and 10 MB on each of stdout and stderr: no deadlock")
    func largeThreeWayIO() async throws {
        var input = [UInt8](repeating: 0, count: 10_000_000)
        for i in input.indices { input[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        let out = try await runProbe(["echo-both"]) { spec in
            spec.stdin = .bytes(input)
            spec.timeout = .seconds(60)
        }
        #expect(out.result.termination == .exited(0))
        #expect(out.result.stdinBytes == input.count)
        #expect(out.stdout == input)
        #expect(out.stderr == input)
    }

    @Test("an output cap keeps exactly N bytes and counts the rest")
    func outputCapTruncates() async throws {
        let out = try await runProbe(["spew-stdout", "1000000"]) { spec in
            spec.stdout = .capture(OutputCap(limit: 4096, overflow: .truncate))
        }
        #expect(out.result.termination == .exited(0))
        #expect(out.stdout.count == 4096)
        #expect(out.result.stdout.bytesKept == 4096)
        #expect(out.result.stdout.bytesSeen == 1_000_000)
        #expect(out.result.stdout.truncated)
        #expect(out.stdout == (0..<4096).map { UInt8(ascii: "a") + UInt8($0 % 26) })
    }

    @Test("an output cap with kill-on-overflow ends the job")
    func outputCapKills() async throws {
        let out = try await runProbe(["spew-stdout", "100000000"]) { spec in
            spec.stdout = .capture(OutputCap(limit: 1000, overflow: .kill))
        }
        #expect(out.result.outputLimitExceeded)
        #expect(out.result.termination == .signaled(SIGKILL))
        #expect(out.stdout.count == 1000)
        #expect(out.result.stdout.bytesSeen < 100_000_000)
    }

    @Test("cancelling the task cancels the job with the TERM ladder and still reports it")
    func cancellation() async throws {
        let task = Task { try await runProbe(["sleep"]) }
        // Wait for the job to be running before cancelling (an event, with a deadline).
        #expect(await eventually { engine.activeJobCount > 0 })
        task.cancel()
        let out = try await task.value
        #expect(out.result.cancelled)
        #expect(out.result.termination == .signaled(SIGTERM))
    }

    @Test("streamed stdin is delivered, then closed")
    func streamedStdin() async throws {
        let collector = StreamCollector()
        let handle = engine.start(try PreparedJob(try probeSpec(["cat"]).with { $0.stdin = .stream }), observer: collector)
        handle.writeStdin(Array("hello ".utf8))
        handle.writeStdin(Array("world".utf8))
        handle.closeStdin()
        let result = try await collector.result()
        #expect(result.termination == .exited(0))
        #expect(collector.stdoutText == "hello world")
    }

    @Test("no stdin means /dev/null, not the launcher's stdin")
    func nullStdin() async throws {
        let out = try await runProbe(["cat"])
        #expect(out.result.termination == .exited(0))
        #expect(out.stdout.isEmpty)
    }

    @Test("a #! script runs through its interpreter from the launcher's fd")
    func scriptsWork() async throws {
        var spec = try scriptSpec("hello.sh", "#!/bin/sh\necho \"hi from $0 with $1\"\n")
        spec.arguments = ["arg"]
        #expect(spec.executable.isScript)
        let out = try await engine.run(PreparedJob(spec))
        #expect(out.result.termination == .exited(0))
        #expect(out.stdoutText.hasPrefix("hi from /dev/fd/"))
        #expect(out.stdoutText.hasSuffix(" with arg\n"))
    }

    @Test("a daemonised descendant holding stdout cannot hold the job past the linger time")
    func lingerBound() async throws {
        var spec = try scriptSpec("daemon.sh", "#!/bin/sh\nsleep 1000 &\necho \"bg=$!\"\n")
        spec.lingerAfterExit = .milliseconds(300)
        let started = ContinuousClock.now
        let out = try await engine.run(PreparedJob(spec))
        #expect(out.result.termination == .exited(0))
        #expect(!out.result.timedOut)
        #expect(started.duration(to: .now) < .seconds(5), "the linger bound, not the 30 s timeout, must end the job")
        let background = try #require(out.keyValues["bg"].flatMap { Int32($0) })
        #expect(await eventually { !isAlive(background) }, "the background child must die with the job")
    }
}
}

func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(close, offsetBy: 2)] != "Z"
}

extension JobSpec {
    func with(_ change: (inout JobSpec) -> Void) -> JobSpec {
        var copy = self
        change(&copy)
        return copy
    }
}

/// An observer for the streaming API.
final class StreamCollector: JobObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var out: [UInt8] = []
    private var outcome: Result<JobResult, SandboxError>?
    private var waiter: CheckedContinuation<Result<JobResult, SandboxError>, Never>?

    func jobStarted(pid: Int32) {}
    func jobOutput(_ stream: OutputStreamKind, _ bytes: UnsafeRawBufferPointer) {
        lock.withLock { if stream == .stdout { out.append(contentsOf: bytes) } }
    }
    func jobFinished(_ o: Result<JobResult, SandboxError>) {
        let w = lock.withLock { () -> CheckedContinuation<Result<JobResult, SandboxError>, Never>? in
            outcome = o
            defer { waiter = nil }
            return waiter
        }
        w?.resume(returning: o)
    }
    var stdoutText: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    func result() async throws -> JobResult {
        let o = await withCheckedContinuation { c in
            let ready = lock.withLock { () -> Result<JobResult, SandboxError>? in
                if outcome == nil { waiter = c }
                return outcome
            }
            if let ready { c.resume(returning: ready) }
        }
        return try o.get()
    }
}
