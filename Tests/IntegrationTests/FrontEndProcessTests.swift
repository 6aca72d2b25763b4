import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The front-end as a process: its confinement seen from outside, its launcher client's
/// behaviour when the launcher goes away and comes back, disconnects, slow clients, shutdown.
@Suite(.serialized) struct FrontEndProcessTests {
    /// `/proc/<front-end>/status` while it serves: confined, unprivileged, on every thread.
    @Test func frontEndIsConfinedAndUnprivileged() throws {
        let server = try ServeFixture()
        let status = try String(contentsOfFile: "/proc/\(server.frontEndPID)/status", encoding: .utf8)
        let fields = Dictionary(status.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { $1 })
        #expect(fields["Seccomp"] == "2", "\(status)")
        #expect(fields["NoNewPrivs"] == "1")
        #expect(fields["CapEff"] == "0000000000000000")
        if runningAsRoot {
            let uids = fields["Uid"]?.split(whereSeparator: \.isWhitespace) ?? []
            #expect(uids.count == 4 && !uids.contains("0"), "front-end uids: \(uids)")
            #expect(uids.first != "65534", "the front-end must not share the jobs' uid (nobody)")
        }
        for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(server.frontEndPID)/task") {
            let text = (try? String(contentsOfFile: "/proc/\(server.frontEndPID)/task/\(task)/status", encoding: .utf8)) ?? ""
            #expect(text.isEmpty || text.contains("Seccomp:\t2"), "thread \(task) is not filtered")
        }
        // And it still does its job.
        #expect(try server.request("POST", "/probe", body: #"{"args":["exit","0"]}"#).status == 200)
    }

    /// `serve` as root: a job (uid nobody) cannot even reach the launcher's socket, so it cannot
    /// start jobs of its own outside its limits; the front-end can.
    @Test(.enabled(if: runningAsRoot, "needs root: jobs and front-end get different uids only then"))
    func jobsCannotReachTheLauncherSocket() throws {
        let server = try ServeFixture()
        let line = try #require(server.waitForLog("listening on /run/httpexec-serve."), "\(server.log)")
        let path = String(try #require(line.split(separator: " ").first { $0.hasPrefix("/run/httpexec-serve.") }))
        let response = try server.request("POST", "/probe", body: #"{"args":["connect","\#(path)"],"stdout":{"capture":true}}"#)
        #expect(response.status == 200, "\(response)")
        #expect(response.text.contains("connect=\(EACCES)"), "a job reached the launcher socket: \(response)")
        // The directory itself: root-owned, the front-end's group may only traverse it.
        var info = stat()
        #expect(stat(String(path.dropLast("/launcher.sock".count)), &info) == 0)
        #expect(info.st_uid == 0 && info.st_mode & 0o777 == 0o710, "mode \(String(info.st_mode & 0o777, radix: 8))")
    }

    /// The same confinement, then the forbidden calls: exec, fork, ptrace, … must fail.
    @Test func confinementMakesExecveFail() throws {
        let (status, text) = try runTool("httpexec-server", ["confinement-self-test"])
        #expect(status == 0, "\(text)")
        // From the main thread, a thread started before confinement and one started after.
        let lines = text.split(separator: "\n")
        for forbidden in ["execve", "fork", "clone.process", "posix_spawn", "ptrace", "process_vm_readv", "socket.inet"] {
            let attempts = lines.filter { $0.hasSuffix(".\(forbidden) ok") || $0.contains(".\(forbidden) errno=") }
            #expect(attempts.count == 3 && attempts.allSatisfy { $0.contains("errno=") }, "\(forbidden): \(attempts)\n\(text)")
        }
        #expect(lines.filter { $0.hasSuffix(".socket.unix ok") }.count == 3, "the launcher must stay reachable")
    }

    /// Launcher down: 503 at once, with Retry-After; launcher back: the next request works.
    @Test func launcherOutageAnswers503QuicklyAndRecovers() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath)
        #expect(try server.request("/probe", body: #"{"args":["exit","0"]}"#).status == 200, "\(server.log)\n\(launcher.log)")

        #expect(launcher.stop() == 0)
        let started = ContinuousClock.now
        let down = try server.request("/probe", body: #"{"args":["exit","0"]}"#)
        #expect(down.status == 503, "\(down)")
        #expect(down.errorCode == "launcher_unavailable")
        #expect(down.headers["retry-after"] == "1")
        #expect(ContinuousClock.now - started < .seconds(5), "a dead launcher must not make requests hang")

        try launcher.start()
        // The backoff is at most 2 s; the first request after it reconnects.
        let recovered = waitFor(within: .seconds(20)) {
            (try? server.request("/probe", body: #"{"args":["exit","0"]}"#))?.status == 200
        }
        #expect(recovered, "\(server.log)")
    }

    /// A client that goes away stops its job: the launcher reports it cancelled.
    @Test func clientDisconnectCancelsTheJob() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath)
        do {
            let client = try HTTPTestClient(port: server.port)
            try client.send(Array("POST /probe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Request-ID: disconnect-1\r\nContent-Length: 18\r\n\r\n{\"args\":[\"sleep\"]}".utf8))
            #expect(server.waitForLog("request_id=disconnect-1") != nil)
            #expect(waitFor(within: .seconds(20)) { launcher.log.contains("request disconnect-1: started") }, "\(launcher.log)")
        } // the client closes here
        #expect(waitFor(within: .seconds(20)) { launcher.log.contains("request disconnect-1: finished") }, "\(launcher.log)")
        #expect(launcher.log.contains("cancelled=true"), "\(launcher.log)")
    }

    /// Slowloris: a connection that never completes its request head is closed at the header
    /// timeout, and the server keeps serving.
    @Test func incompleteHeadersAreCutOff() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath, environment: ["HTTPEXEC_HEADER_TIMEOUT": "1s"])
        let slow = try HTTPTestClient(port: server.port, timeoutSeconds: 30)
        let started = ContinuousClock.now
        try slow.send(Array("POST /probe HTTP/1.1\r\nHost: x\r\n".utf8))
        #expect(slow.waitForClose())
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(900) && waited < .seconds(25), "closed after \(waited)")
        #expect(try server.request("/probe", body: #"{"args":["exit","0"]}"#).status == 200)
    }

    /// SIGTERM: no new connections, but a request already running is answered.
    @Test func gracefulShutdownFinishesRunningRequests() throws {
        var template = Array("/tmp/httpexec-fifo-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o777)
        let fifo = directory + "/gate"
        #expect(mkfifo(fifo, 0o666) == 0)
        chmod(fifo, 0o666)
        // The job blocks until the test writes to the FIFO: it is certainly running at SIGTERM.
        let server = try ServeFixture(extraFiles: ["gated": ("#!/bin/sh\nread line < \(fifo)\necho \"got $line\"\n", 0o755)])
        let client = try server.client()
        let body = Array(#"{"stdout":{"capture":true}}"#.utf8)
        try client.send(Array("POST /gated HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Request-ID: graceful-1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(server.waitForLog("request graceful-1: started") != nil, "\(server.log)")

        kill(server.process.processIdentifier, SIGTERM)
        #expect(server.waitForLog("shutting down") != nil, "\(server.log)")
        // New connections are refused once the front-end stopped listening.
        #expect(waitFor(within: .seconds(20)) { (try? HTTPTestClient(port: server.port)) == nil })

        // Non-blocking: if the job is not reading (a failure), this fails instead of hanging.
        var writer: Int32 = -1
        #expect(waitFor(within: .seconds(20)) {
            writer = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            return writer >= 0
        }, "the job is not waiting on the FIFO:\n\(server.log)")
        guard writer >= 0 else { return }
        _ = "hello\n".withCString { write(writer, $0, 6) }
        close(writer)
        let response = try client.readResponse()
        #expect(response.status == 200, "\(response)\n\(server.log)")
        #expect(response.text.contains("got hello"), "\(response)")
        #expect(server.stop() == 0, "\(server.log)")
    }
}

/// Polls `condition` until it holds or the deadline passes (for state only visible by looking).
func waitFor(within deadline: Duration, _ condition: () -> Bool) -> Bool {
    let end = ContinuousClock.now + deadline
    while ContinuousClock.now < end {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
