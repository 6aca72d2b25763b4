import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `httpexec serve` refuses to start on bad settings (one line, non-zero), and exits non-zero
/// with the reason when one of its two processes dies.
@Suite(.serialized) struct ServeStartupTests {
    static func runServe(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String) {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HTTPEXEC_") }
        env.merge(environment) { $1 }
        return try runTool("httpexec", ["serve"] + arguments, environment: env)
    }

    @Test(arguments: [
        ([String](), [String: String](), "EXEC_ROOT"),
        (["--exec-root", "/nonexistent-httpexec-root"], [:], "/nonexistent-httpexec-root"),
        (["--exec-root", "/tmp"], ["HTTPEXEC_FOLLOW_LINKS": "yes"], "HTTPEXEC_FOLLOW_LINKS"),
        (["--exec-root", "/tmp"], ["HTTPEXEC_CONFIG_PATH": "/nonexistent.toml"], "/nonexistent.toml"),
        (["--exec-root", "/tmp"], ["HTTPEXEC_NO_SUCH_SETTING": "1"], "HTTPEXEC_NO_SUCH_SETTING"),
        (["--exec-root", "/tmp", "--bind", "127.0.0.1:99999"], [:], "99999"),
    ])
    func badSettingsStopStartUp(arguments: [String], environment: [String: String], mention: String) throws {
        let bind = arguments.contains("--bind") ? [] : ["--bind", "127.0.0.1:0"]
        let (status, text) = try Self.runServe(arguments + bind, environment: environment)
        #expect(status != 0)
        #expect(text.contains(mention), "\(text)")
        #expect(!text.contains("serving on"), "\(text)")
    }

    @Test(arguments: ["launcher", "front-end"])
    func deathOfEitherProcessStopsServe(victim: String) throws {
        let server = try ServeFixture()
        let pid = victim == "launcher" ? server.launcherPID : server.frontEndPID
        kill(pid, SIGKILL)
        #expect(server.waitForLog("the \(victim) exited (killed by signal 9)") != nil, "\(server.log)")
        let status = server.stop()
        #expect(status == 1, "\(server.log)")
        // The survivor was stopped too: nothing of this server is left.
        let other = victim == "launcher" ? server.frontEndPID : server.launcherPID
        #expect(waitFor(within: .seconds(20)) { kill(other, 0) != 0 })
    }

    /// The launcher keeps a thread watching serve's pidfd for its whole life: PR_SET_PDEATHSIG
    /// alone belongs to the thread that set it, and the launcher's (async) worker threads come
    /// and go — a launcher whose setting thread had exited outlived a SIGKILLed serve as root.
    /// (The front-end sets it on its main thread, which lives as long as the process.)
    @Test func theLauncherWatchesServeFromAThreadOfItsOwn() throws {
        let server = try ServeFixture()
        for pid in [server.launcherPID] {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            let names = tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8) }
            #expect(names.contains("parent-watch\n"), "pid \(pid) threads: \(names)")
        }
    }

    /// A launcher killed with SIGKILL cannot stop its jobs' children (PR_SET_PDEATHSIG reaches only
    /// a job's main process); they are reparented to `serve`, the subreaper, which kills them.
    @Test(.enabled(if: runningAsRoot, "needs root: jobs run as nobody and write where nobody may"))
    func orphansOfAKilledLauncherDoNotSurviveServe() throws {
        var template = Array("/tmp/httpexec-orphans-XXXXXX".utf8CString)
        let marks = String(cString: try #require(mkdtemp(&template)))
        chmod(marks, 0o777)
        defer { try? FileManager.default.removeItem(atPath: marks) }
        let server = try ServeFixture(extraFiles: [
            "spawner.sh": ("#!/bin/sh\nsleep 300 &\necho $! > \"$1/child\"\nexec sleep 300\n", 0o755),
        ])
        let client = try server.client()
        let body = Array(#"{"args":["\#(marks)"]}"#.utf8)
        try client.send(Array("POST /spawner.sh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(waitFor(within: .seconds(20)) { FileManager.default.fileExists(atPath: marks + "/child") })
        let text = (try? String(contentsOfFile: marks + "/child", encoding: .utf8)) ?? ""
        let child = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(text)")
        #expect(kill(child, 0) == 0, "the job's child is not running")

        kill(server.launcherPID, SIGKILL)
        #expect(server.waitForLog("the launcher exited (killed by signal 9)") != nil, "\(server.log)")
        #expect(server.stop() == 1, "\(server.log)")
        #expect(kill(child, 0) != 0, "the job's child \(child) outlived the launcher and serve")
        #expect(server.log.contains("process(es) the launcher's jobs left behind"), "\(server.log)")
    }

    /// `serve` killed with SIGKILL (no chance to clean up): its two processes stop by themselves.
    @Test func childrenDoNotOutliveAKilledServe() throws {
        let server = try ServeFixture()
        kill(server.process.processIdentifier, SIGKILL)
        #expect(waitFor(within: .seconds(30)) { kill(server.launcherPID, 0) != 0 && kill(server.frontEndPID, 0) != 0 }, "\(server.log)")
    }

    /// Started without root, `serve` runs everything as the one uid there is: it says so, the
    /// launcher logs the relaxation, and requests work.
    @Test(.enabled(if: geteuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0, "needs root and setpriv to start serve as another user"))
    func unprivilegedServeWorks() throws {
        let server = try ServeFixture(wrapper: ["/usr/bin/setpriv", "--reuid=61990", "--regid=61990", "--clear-groups", "--"])
        let response = try server.request("POST", "/probe", body: #"{"args":["ids"],"stdout":{"capture":true}}"#)
        #expect(response.status == 200 && response.text.contains("uid=61990,61990,61990"), "\(response)\n\(server.log)")
        #expect(server.log.contains("not started as root"), "\(server.log)")
        #expect(server.log.contains("relaxed by policy (run_as.allow_peer_identity)"), "\(server.log)")
    }

    /// A flag given to `serve` reaches the front-end it starts.
    @Test func bodyLimitFlagReachesTheFrontEnd() throws {
        let server = try ServeFixture(arguments: ["--max-content-length", "1KiB"])
        let big = "{\"args\":[\"" + String(repeating: "x", count: 2000) + "\"]}"
        let response = try server.request("POST", "/probe", body: big)
        #expect(response.status == 413 && response.errorCode == "body_too_large", "\(response)")
    }
}
