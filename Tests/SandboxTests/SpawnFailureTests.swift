import CSpawn
import Foundation
import Policy
import Sandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension Engine {
@Suite("Spawn failures name their step and errno")
struct SpawnFailureTests {
    private func expectFailure(_ spec: JobSpec, _ code: SandboxError.Code, errno expected: Int32? = nil,
                               on target: SpawnEngine = engine, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        do {
            let out = try await target.run(PreparedJob(spec))
            Issue.record("expected \(code), but the job ran: \(out.result.termination)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, sourceLocation: sourceLocation)
            if let expected { #expect(error.errno == expected, sourceLocation: sourceLocation) }
        }
    }

    @Test("rlimit above the kernel's nr_open fails at setup.rlimit with EPERM")
    func rlimitStep() async throws {
        let nrOpen = hx_kernel_nr_open()
        try #require(nrOpen > 0, "needs /proc/sys/fs/nr_open")
        var spec = try probeSpec(["exit", "0"])
        spec.limits.openFiles = UInt64(nrOpen) + 1
        try await expectFailure(spec, .setupRlimit, errno: EPERM)
    }

    @Test("a file without execute permission fails at exec with EACCES")
    func execStep() async throws {
        try await expectFailure(scriptSpec("not-executable", "#!/bin/sh\necho no\n", mode: 0o644), .exec, errno: EACCES)
    }

    @Test("an invalid BPF program fails at setup.seccomp with EINVAL")
    func seccompStep() async throws {
        var spec = try probeSpec(["exit", "0"])
        // One instruction that is not a return: the kernel's checker refuses it.
        spec.seccomp = CompiledSeccompFilter(program: [0x20, 0, 0, 0, 0, 0, 0, 0], profileHash: "bogus", profileName: "bogus")
        try await expectFailure(spec, .setupSeccomp, errno: EINVAL)
    }

    @Test("the failed child is reaped and leaves no fds behind")
    func failureLeavesNothing() async throws {
        let before = engineLikeFds()
        var spec = try probeSpec(["exit", "0"])
        spec.limits.openFiles = UInt64(hx_kernel_nr_open()) + 1
        for _ in 0..<50 { _ = try? await engine.run(PreparedJob(spec)) }
        #expect(await eventually(within: .seconds(5)) { leakedEngineFds(since: before).isEmpty })
        #expect(await eventually(within: .seconds(5)) { zombieChildren().isEmpty })
    }

    @Test("a job started on a stopped engine is answered with engine.stopped, never left hanging")
    func stoppedEngine() async throws {
        let stopped = try SpawnEngine(options: .init(threads: 1))
        stopped.shutdown()
        for _ in 0..<3 {
            try await expectFailure(probeSpec(["exit", "0"]), .engineStopped, on: stopped)
        }
    }

    #if DEBUG
    /// Every step's failure path, driven by the debug-only fault injection in the C child.
    @Test("every child step reports its own name", arguments: [
        SandboxError.Code.setupSignals, .setupSession, .setupStdio, .setupCloseFds, .setupWorkdir,
        .setupRlimit, .setupCredentials, .setupParentDeath, .setupNoNewPrivs, .setupSeccomp, .exec,
    ])
    func injectedStep(_ code: SandboxError.Code) async throws {
        var spec = try probeSpec(["exit", "0"])
        spec.faultInjectionStep = code
        try await expectFailure(spec, code, errno: EPERM)
    }
    #endif
}
}
