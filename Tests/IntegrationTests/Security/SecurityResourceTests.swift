import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Issue #7, resource abuse, against the real `httpexec serve` with a policy of small limits
// (`SecurityFixture`'s `.limited`: RLIMIT_NPROC 48 for the job uid, RLIMIT_AS 512 MiB,
// RLIMIT_CPU 2 s, 1 MiB output cap, 16 jobs at once). Each test asserts the effect of its own
// limit (the errno, the signal, the flag in the response), not merely that the request ended.
//
// Covered elsewhere: the timeout and truncation flags' exact JSON (APICompatibilityTests
// timeoutAddsTimedOut, truncatedAppearsOnlyWhenTrue); the engine-level kill of a SIGTERM-ignoring
// double-forked grandchild and of a daemon holding stdout (SandboxTests SupervisionTests); rlimits
// as seen by a job (SandboxTests ConfinementTests "each requested rlimit is applied…").

private let resourcePrograms: [String: String] = [
    // Forks until the kernel refuses (at most 400 times: a bound for a sandbox that has no limit).
    // Children close their output so the job ends with its main process, then wait to be killed.
    "forkbomb": #"""
    #include <errno.h>
    #include <stdio.h>
    #include <unistd.h>
    int main(void) {
        int n = 0, err = 0;
        for (; n < 400; n++) {
            pid_t pid = fork();
            if (pid < 0) { err = errno; break; }
            if (pid == 0) { close(1); close(2); for (;;) pause(); }
        }
        printf("forked=%d\nerrno=%d\n", n, err);
        return 0;
    }
    """#,
    // Allocates 16 MiB blocks until refused (at most 8 GiB of address space, never touched).
    "memhog": #"""
    #include <stdio.h>
    #include <stdlib.h>
    int main(void) {
        size_t total = 0, block = 16u << 20;
        int refused = 0;
        for (int i = 0; i < 512; i++) {
            if (!malloc(block)) { refused = 1; break; }
            total += block;
        }
        printf("allocated_mib=%zu\nrefused=%d\n", total >> 20, refused);
        return 0;
    }
    """#,
    "spin": "int main(void) { for (volatile unsigned long i = 0;; i++) {} }\n",
    // Ignores SIGTERM; its grandchild tries to leave the job's process group (setsid, then
    // setpgid) — what a daemon does, and what would let it outlive the job's group kill.
    "escape-group": #"""
    #include <errno.h>
    #include <signal.h>
    #include <stdio.h>
    #include <sys/wait.h>
    #include <unistd.h>
    int main(void) {
        signal(SIGTERM, SIG_IGN);
        pid_t child = fork();
        if (child == 0) {
            if (fork() != 0) _exit(0);
            int s = setsid() < 0 ? errno : 0;
            int g = setpgid(0, 0) < 0 ? errno : 0;
            printf("setsid=%d\nsetpgid=%d\ngrandchild=%d\n", s, g, (int)getpid());
            fflush(stdout);
            for (;;) pause();
        }
        waitpid(child, NULL, 0);
        for (;;) pause();
    }
    """#,
    "true": "int main(void) { return 0; }\n",
]

private func addResourceFiles(_ fixture: SecurityFixture) throws {
    for (name, source) in resourcePrograms { try fixture.compile(source, to: name) }
    try fixture.write("yes.sh", "#!/bin/sh\nexec yes\n")
    try fixture.write("stderr-1g.sh", "#!/bin/sh\nexec head -c 1073741824 /dev/zero >&2\n")
}

/// The limits of this suite (see the header).
private let resourceLimits = SecurityLimits(
    timeout: "60s", killGrace: "300ms", outputCap: "1MiB", processes: 48, cpuSeconds: 2, addressSpace: "512MiB",
    maxJobs: 16, maxPerCommand: 16)

@Suite(
    "security: resource abuse", .serialized,
    .enabled(if: runningAsRoot && access("/usr/bin/cc", X_OK) == 0, "needs root and cc (test programs are compiled at test time)"),
    .securityServer { try SecurityFixture(policy: .limited(resourceLimits), setup: addResourceFiles) })
struct SecurityResourceTests {
    /// Fork until refused: RLIMIT_NPROC (48 processes of the job's uid) stops it with EAGAIN long
    /// before the program's own bound of 400; the children left behind die with the job's group.
    @Test func forkBombStopsAtTheProcessLimit() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/forkbomb", #"{"stdout":{"capture":true},"timeout":10}"#)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == 0, "\(response)")
            let seen = SecurityText.keyValues(SecurityFixture.stdout(response) ?? "")
            #expect(seen["errno"] == String(EAGAIN), "the fork that failed: \(seen)")
            #expect(Int(seen["forked"] ?? "") ?? 400 < 48, "forked \(seen["forked"] ?? "?") (limit 48)")
            #expect(response.json?["timed_out"] == nil, "it ended by itself: \(response)")
        }
    }

    /// Allocate until refused: RLIMIT_AS (512 MiB) makes malloc fail below it, where the program
    /// would otherwise take its full 8 GiB of address space.
    @Test func memoryBombStopsAtTheAddressSpaceLimit() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/memhog", #"{"stdout":{"capture":true}}"#)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == 0, "\(response)")
            let seen = SecurityText.keyValues(SecurityFixture.stdout(response) ?? "")
            #expect(seen["refused"] == "1", "\(seen)")
            #expect(Int(seen["allocated_mib"] ?? "") ?? 8192 < 512, "\(seen)")
        }
    }

    /// A busy loop: RLIMIT_CPU (2 s, soft = hard) kills it with SIGKILL (or SIGXCPU) — the
    /// rlimit, not the 60 s wall-clock timeout, so no `timed_out`.
    @Test func cpuSpinIsKilledByTheCPULimit() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/spin", #"{"timeout":60}"#)
            #expect(response.status == 200, "\(response)")
            let signal = SecurityFixture.returnValue(response)
            #expect(signal == -Int(SIGKILL) || signal == -Int(SIGXCPU), "\(response)")
            #expect(response.json?["timed_out"] == nil, "the CPU limit ended it, not the timeout: \(response)")
        }
    }

    /// `yes` into captured stdout until the timeout: exactly the 1 MiB cap is kept and
    /// `truncated.stdout` says so; neither process's memory grows with what `yes` wrote.
    @Test func yesIntoCapturedStdoutIsCapped() throws {
        try SecurityFixture.current().checked { fixture in
            let before = (fixture.peakMemoryKiB(fixture.launcherPID), fixture.peakMemoryKiB(fixture.frontEndPID))
            let response = try fixture.post("/yes.sh", #"{"stdout":{"capture":true},"timeout":2}"#)
            #expect(response.status == 200, "\(response)")
            #expect(response.json?["timed_out"] as? Bool == true)
            #expect((response.json?["truncated"] as? [String: Any])?["stdout"] as? Bool == true, "\(response.text.suffix(200))")
            let content = SecurityFixture.stdout(response) ?? ""
            #expect(content.utf8.count == 1 << 20 && content == String(repeating: "y\n", count: 1 << 19), "kept \(content.utf8.count) bytes")
            fixture.expectBoundedGrowth(before, what: "yes for 2 s")
        }
    }

    /// 1 GiB to stderr: the job runs to its end (return 0, no timeout), 1 MiB of it is kept and
    /// flagged, the rest drained and dropped.
    @Test func gigabyteToStderrIsCappedAndFinishes() throws {
        try SecurityFixture.current().checked { fixture in
            let before = (fixture.peakMemoryKiB(fixture.launcherPID), fixture.peakMemoryKiB(fixture.frontEndPID))
            let response = try fixture.post("/stderr-1g.sh", #"{"stderr":{"capture":true,"encode":"base64"},"timeout":60}"#)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == 0, "\(response.text.prefix(300))")
            #expect(response.json?["timed_out"] == nil)
            #expect((response.json?["truncated"] as? [String: Any])?["stderr"] as? Bool == true)
            let encoded = ((response.json?["stderr"] as? [String: Any])?["content"] as? String) ?? ""
            let kept = Data(base64Encoded: encoded) ?? Data()
            #expect(kept.count == 1 << 20 && kept.allSatisfy { $0 == 0 }, "kept \(kept.count) bytes")
            fixture.expectBoundedGrowth(before, what: "1 GiB on stderr")
        }
    }

    /// A job that never ends: the request's timeout stops it (SIGTERM: `return` -15) and says so.
    @Test func sleepForeverTimesOut() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/probe", #"{"args":["sleep"],"timeout":1}"#)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == -Int(SIGTERM), "\(response)")
            #expect(response.json?["timed_out"] as? Bool == true)
        }
    }

    /// SIGTERM ignored, a double-forked grandchild: at the timeout the group gets SIGTERM, then
    /// SIGKILL after the grace period (`return` -9); the grandchild, orphaned to the launcher
    /// (a subreaper), dies with the group. No process of the job's uid is left.
    @Test func termIgnoringJobAndGrandchildAreKilled() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/probe", #"{"args":["ignore-term-fork"],"stdout":{"capture":true},"timeout":1}"#)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == -Int(SIGKILL), "\(response)")
            #expect(response.json?["timed_out"] as? Bool == true)
            let seen = SecurityText.keyValues(SecurityFixture.stdout(response) ?? "")
            let pids = [seen["grandchild"], seen["main"]].compactMap { $0.flatMap { Int32($0) } }
            #expect(pids.count == 2, "\(seen)")
            #expect(waitFor(within: .seconds(10)) { !pids.contains(where: fixture.jobProcessAlive) }, "still alive: \(pids)")
        }
    }

    /// A grandchild that tries to leave the job's process group (setsid/setpgid, as a daemon
    /// would) is refused by the filter (EPERM) and so dies with the group at the timeout.
    @Test func grandchildCannotLeaveTheProcessGroup() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/escape-group", #"{"stdout":{"capture":true},"timeout":1}"#)
            #expect(response.status == 200 && response.json?["timed_out"] as? Bool == true, "\(response)")
            let seen = SecurityText.keyValues(SecurityFixture.stdout(response) ?? "")
            #expect(seen["setsid"] == String(EPERM) && seen["setpgid"] == String(EPERM), "\(seen)")
            let grandchild = try #require(seen["grandchild"].flatMap { Int32($0) }, "\(seen)")
            #expect(waitFor(within: .seconds(10)) { !fixture.jobProcessAlive(grandchild) }, "the grandchild \(grandchild) outlived its job")
        }
    }

    /// A job that closes stdout and stderr at once but keeps running: the closed pipes do not end
    /// the request early or hang it; the timeout still applies.
    @Test func closedStdoutDoesNotEscapeTheTimeout() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post(
                "/probe", #"{"args":["close-stdout-sleep"],"stdout":{"capture":true},"stderr":{"capture":true},"timeout":1}"#)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == -Int(SIGTERM), "\(response)")
            #expect(response.json?["timed_out"] as? Bool == true)
        }
    }

    /// 10,000 requests, at most 64 in flight, on fresh connections: each answered 200 (`return`
    /// 0) or 429 `busy` with `Retry-After` (16 jobs at once); nothing else, no crash, and the
    /// service is healthy afterwards.
    @Test func tenThousandRequestsAreAllAnswered() throws {
        try SecurityFixture.current().checked { fixture in
            let outcome = SecurityFlood.run(port: fixture.serve.port, target: "/true", total: 10_000, inFlight: 64)
            #expect(outcome.failures.isEmpty, "\(outcome.failures.count) failed: \(outcome.failures.prefix(5))")
            #expect(outcome.count("200 ok") + outcome.count("429 busy") == 10_000, "\(outcome.tally)")
            #expect(outcome.count("200 ok") > 0, "\(outcome.tally)")
        }
    }
}

extension SecurityFixture {
    /// VmHWM (peak resident memory) of `pid` in KiB, 0 when unreadable.
    func peakMemoryKiB(_ pid: Int32) -> Int {
        let status = Self.readProcFile("/proc/\(pid)/status")
        let line = SecurityText.statusFields(status)["VmHWM"] ?? ""
        return Int(line.split(separator: " ").first ?? "") ?? 0
    }

    /// Neither process's peak memory grew by more than 64 MiB since `before` (the output cap is
    /// 1 MiB per stream; what a job writes beyond it must be dropped, not buffered).
    func expectBoundedGrowth(_ before: (Int, Int), what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, pid, old) in [("launcher", launcherPID, before.0), ("front-end", frontEndPID, before.1)] {
            let grown = peakMemoryKiB(pid) - old
            #expect(grown < 64 << 10, "the \(name)'s peak memory grew by \(grown) KiB during \(what)", sourceLocation: sourceLocation)
        }
    }
}

/// A bounded load generator: `inFlight` threads, each sending one request per fresh connection
/// until `total` have been sent. Threads, not tasks: the HTTP client blocks.
enum SecurityFlood {
    struct Outcome: Sendable {
        /// "STATUS CODE" (`200 ok`, `429 busy`, `503 launcher_unavailable`, …) → how many.
        var tally: [String: Int] = [:]
        var failures: [String] = []
        func count(_ key: String) -> Int { tally[key, default: 0] }
    }

    /// What the threads share.
    private final class Shared: Sendable {
        let next = Atomic<Int>(0)
        let result = Mutex(Outcome())
        let done = DispatchSemaphore(value: 0)
    }

    static func run(port: Int, target: String, total: Int, inFlight: Int) -> Outcome {
        let shared = Shared()
        for _ in 0..<inFlight {
            Thread {
                var local = Outcome()
                while shared.next.add(1, ordering: .relaxed).oldValue < total {
                    do {
                        let response = try HTTPTestClient(port: port, timeoutSeconds: 60)
                            .request("POST", target, body: Array("{}".utf8))
                        local.tally[key(response), default: 0] += 1
                    } catch {
                        local.failures.append("\(error)")
                    }
                }
                shared.result.withLock { outcome in
                    outcome.tally.merge(local.tally, uniquingKeysWith: +)
                    outcome.failures += local.failures
                }
                shared.done.signal()
            }.start()
        }
        for _ in 0..<inFlight { shared.done.wait() }
        return shared.result.withLock { $0 }
    }

    /// `200 ok` for a 200 with `return` 0; `429 busy` only with a `Retry-After`; else what came.
    private static func key(_ response: HTTPTestResponse) -> String {
        switch response.status {
        case 200: return SecurityFixture.returnValue(response) == 0 ? "200 ok" : "200 \(response.text.prefix(80))"
        case 429: return response.errorCode == "busy" && response.headers["retry-after"] != nil ? "429 busy" : "429 \(response)"
        default: return "\(response.status) \(response.errorCode ?? response.text.prefix(80).description)"
        }
    }
}

/// What `serve`'s own generated policy (no `--policy`) leaves to the host.
@Suite(
    "security: serve's generated limits", .serialized,
    .enabled(if: runningAsRoot, "needs root: serve switches jobs to their own uid"),
    .securityServer { try SecurityFixture(policy: .generated()) })
struct SecurityServeDefaultsTests {
    /// A fork bomb in one job must not take every pid on the host: RLIMIT_NPROC has to stay
    /// below `kernel.pid_max`. Without `processes` in the generated policy, jobs would inherit the
    /// launcher's own limit (root's, e.g. 96365 where pid_max is 32768) and only the job timeout
    /// (10 minutes by default) would end the bomb.
    @Test func generatedPolicyBoundsProcessesBelowPidMax() throws {
        try SecurityFixture.current().checked { fixture in
            let response = try fixture.post("/probe", #"{"args":["limits"],"stdout":{"capture":true}}"#)
            let limits = (SecurityFixture.stdout(response) ?? "").split(separator: "\n").map { $0.split(separator: " ") }
            let nproc = try #require(limits.first { $0.first == "NPROC" }, "\(response)")
            let pidMax = Int(SecurityFixture.readProcFile("/proc/sys/kernel/pid_max").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(nproc.count == 3 && (Int(nproc[2]) ?? Int.max) < pidMax, "NPROC \(nproc.dropFirst().joined(separator: " ")), pid_max \(pidMax)")
        }
    }
}
