// Adversarial tests of issue #7: one process of the pair killed with SIGKILL while a job runs.
// `httpexec serve` stops when either dies, so these run `httpexec-server` and
// `httpexec-launcher` as separate processes (FrontEndProcess, SecurityLauncher) and restart one.
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(
    "security: faults", .serialized,
    .enabled(if: runningAsRoot, "needs root: the front-end drops to its own uid, jobs to theirs"))
struct SecurityFaultTests {
    /// A job with a child of its own (`sleep` in the background), so cancellation must reach the
    /// whole process group, not just the pid the launcher started.
    private static let forkingJob = "#!/bin/sh\nsleep 1000 &\nwait\n"

    /// SIGKILL to the launcher while a job runs. The HTTP client gets 502 `launcher_failed` at
    /// once, not at the job's 20 s timeout; the job dies with its parent (PR_SET_PDEATHSIG); once
    /// the launcher is back the next request runs; the front-end kept no fd from the lost
    /// connection and has no child.
    @Test func launcherKilledMidRequest() throws {
        let launcher = try SecurityLauncher(forFrontEnd: true)
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath)
        #expect(try server.request("/probe", body: #"{"args":["exit","0"]}"#).status == 200, "\(server.log)")
        let frontEndBefore = SecurityFixture.openFDs(server.process.processIdentifier)

        do {
            let client = try HTTPTestClient(port: server.port, timeoutSeconds: 30)
            let body = Array(#"{"args":["sleep"]}"#.utf8)
            try client.send(rawRequest("/probe", headers: [
                ("Host", "x"), ("X-Request-ID", "fault-launcher-1"), ("Content-Type", "application/json"), ("Content-Length", String(body.count)),
            ], body: body))
            #expect(waitFor(within: .seconds(20)) { launcher.jobProcesses().count == 1 }, "\(launcher.log)")

            let killedAt = ContinuousClock.now
            kill(launcher.pid, SIGKILL)
            let response = try client.readResponse()
            let waited = ContinuousClock.now - killedAt
            #expect(response.status == 502 && response.errorCode == "launcher_failed", "\(response)\n\(server.log)")
            #expect(waited < .seconds(10), "the answer waited \(waited): it must not wait for the job's 20 s timeout")
            #expect(waitFor(within: .seconds(10)) { launcher.jobProcesses().isEmpty }, "orphaned job: \(launcher.jobProcesses())")
        } // the client's keep-alive connection closes here

        try launcher.fixture.start()
        // The front-end reconnects after its backoff (at most 2 s).
        let recovered = waitFor(within: .seconds(20)) {
            (try? server.request("/probe", body: #"{"args":["exit","0"]}"#))?.status == 200
        }
        #expect(recovered, "\(server.log)")
        expectFrontEndClean(server, since: frontEndBefore)
    }

    /// The same with a job that forked: its background child is not the launcher's child, so
    /// PR_SET_PDEATHSIG does not reach it; the launcher's group reaper (a separate process that
    /// knows every running job's process group) kills the whole tree when the launcher dies, and
    /// then exits itself.
    @Test func launcherKilledWithAForkingJob() throws {
        let launcher = try SecurityLauncher(forFrontEnd: true)
        try launcher.write("forker", Self.forkingJob)
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath)
        let client = try HTTPTestClient(port: server.port, timeoutSeconds: 30)
        try client.send(rawRequest("/forker", headers: [("Host", "x"), ("Content-Type", "application/json"), ("Content-Length", "2")], body: Array("{}".utf8)))
        #expect(waitFor(within: .seconds(20)) { launcher.jobProcesses().count == 2 }, "\(launcher.jobProcesses())\n\(launcher.log)")
        // The launcher's own helpers (the group reaper): they must not outlive it either.
        let helpers = SecurityFixture.descendants(of: launcher.pid, in: SecurityFixture.processTable()).filter { $0.uid != launcher.jobUID }

        kill(launcher.pid, SIGKILL)
        let response = try client.readResponse()
        #expect(response.status == 502, "\(response)")
        #expect(waitFor(within: .seconds(10)) { helpers.allSatisfy { SecurityFixture.stat(of: $0.pid).map { $0.state == "Z" } ?? true } },
                "left behind: \(helpers.compactMap { SecurityFixture.stat(of: $0.pid) })")
        let orphans = waitFor(within: .seconds(10)) { launcher.jobProcesses().isEmpty } ? [] : launcher.jobProcesses()
        #expect(orphans.isEmpty, "the job's tree outlived the launcher: \(orphans)")
        // Whatever was left: processes of this test's own job uid, nothing else.
        for process in orphans { kill(process.pid, SIGKILL) }
    }

    /// SIGKILL to the front-end while a forking job runs. The launcher sees the connection close,
    /// cancels the job (TERM, then KILL, to its whole process group), reaps it, logs
    /// `cancelled=true`, and keeps serving with no fd left from the front-end's connections.
    @Test func frontEndKilledMidRequest() throws {
        let launcher = try SecurityLauncher(forFrontEnd: true)
        try launcher.write("forker", Self.forkingJob)
        let before = launcher.snapshot()
        do {
            let server = try FrontEndProcess(launcherSocket: launcher.socketPath)
            let client = try HTTPTestClient(port: server.port, timeoutSeconds: 30)
            try client.send(rawRequest("/forker", headers: [
                ("Host", "x"), ("X-Request-ID", "fault-frontend-1"), ("Content-Type", "application/json"), ("Content-Length", "2"),
            ], body: Array("{}".utf8)))
            #expect(waitFor(within: .seconds(20)) { launcher.jobProcesses().count == 2 }, "\(launcher.jobProcesses())\n\(launcher.log)")

            kill(server.process.processIdentifier, SIGKILL)
            #expect(client.waitForClose(), "the dead front-end's connection stayed open")
            #expect(waitFor(within: .seconds(10)) { launcher.log.contains("request fault-frontend-1: finished") }, "\(launcher.log)")
            let finished = launcher.log.split(separator: "\n").first { $0.contains("request fault-frontend-1: finished") } ?? ""
            #expect(finished.contains("cancelled=true"), "\(finished)")
        }
        launcher.assertHealthy(since: before)
    }

    /// The front-end after a fault: no fd beyond those at `before` except Unix sockets of its
    /// launcher pool (at most `SecurityFixture.pooledConnectionAllowance`), and no child.
    private func expectFrontEndClean(_ server: FrontEndProcess, since before: [Int32: String], sourceLocation: SourceLocation = #_sourceLocation) {
        let pid = server.process.processIdentifier
        var problems: [String] = []
        _ = waitFor(within: .seconds(15)) {
            problems = []
            let unix = SecurityFixture.unixSocketInodes()
            let added = SecurityFixture.openFDs(pid).filter { before[$0.key] != $0.value }
            let pooled = added.filter { SecurityFixture.socketInode($0.value).map(unix.contains) == true }
            let others = added.filter { pooled[$0.key] == nil }
            if !others.isEmpty { problems.append("new fds: \(others)") }
            if pooled.count > SecurityFixture.pooledConnectionAllowance { problems.append("\(pooled.count) new launcher connections") }
            let children = SecurityFixture.processTable().filter { $0.parent == pid }
            if !children.isEmpty { problems.append("children: \(children)") }
            return problems.isEmpty
        }
        #expect(problems.isEmpty, "\(problems)\n\(server.log.suffix(3000))", sourceLocation: sourceLocation)
    }
}
