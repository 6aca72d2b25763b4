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
