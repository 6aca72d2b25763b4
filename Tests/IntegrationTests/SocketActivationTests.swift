import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Both processes as systemd runs them: socket-activated (`systemd-socket-activate` stands in for
/// the `.socket` units) and talking to the service manager over `NOTIFY_SOCKET`.
@Suite(.serialized) struct SocketActivationTests {
    static let activate = "/usr/bin/systemd-socket-activate"
    static let request = Array(#"{"args":["exit","5"]}"#.utf8)

    /// A TCP port that was free a moment ago (systemd-socket-activate needs a fixed one).
    static func freePort() throws -> Int {
        let socket = try ListeningSocketForTest()
        return socket.port
    }

    @Test(.enabled(if: access(activate, X_OK) == 0, "needs /usr/bin/systemd-socket-activate (Debian package systemd)"))
    func requestThroughActivatedFrontEndReachesActivatedLauncher() throws {
        let launcher = try LauncherFixture(extraPolicy: "[peers]\nusers = [\"60999\"]\n", socketGroup: nil, start: false)
        try launcher.start(
            arguments: ["--listen=\(launcher.socketPath)", "--fdname=launcher",
                        buildDirectory + "/httpexec-launcher", "--policy", launcher.policyPath],
            executable: Self.activate)
        // What `SocketMode=0660` + `SocketGroup=` do in the unit; the launcher still checks the
        // peer's uid against its policy.
        chmod(launcher.socketPath, 0o666)

        let port = try Self.freePort()
        let frontEnd = try FrontEndProcess(
            launcherSocket: launcher.socketPath, listen: [],
            wrapper: [Self.activate, "--listen=127.0.0.1:\(port)", "--fdname=http"])
        // The first connection starts the front-end; its first job starts nothing new (the
        // launcher is already activated by the fixture's readiness probe) but goes through it.
        var response: HTTPTestResponse?
        #expect(waitFor(within: .seconds(30)) {
            response = try? HTTPTestClient(port: port).request("POST", "/probe", body: Self.request)
            return response != nil
        }, "\(frontEnd.log)")
        #expect(response?.status == 200 && response?.text.hasPrefix(#"{"return":5,"#) == true, "\(String(describing: response))\n\(frontEnd.log)\n\(launcher.log)")
        #expect(frontEnd.waitForLog(#"on="fd:3 (http)""#) != nil, "\(frontEnd.log)")
        #expect(launcher.log.contains("inherited fd 3 (launcher)"), "\(launcher.log)")
        #expect(frontEnd.stop() == 0, "\(frontEnd.log)")
    }

    @Test func frontEndReportsReadyWatchdogAndStopping() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let notify = try NotifyListener(path: launcher.directory + "/fe-notify.sock")
        let frontEnd = try FrontEndProcess(
            launcherSocket: launcher.socketPath,
            environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        let untilReady = notify.receive(until: "READY=1")
        #expect(untilReady.last?.contains("READY=1") == true && untilReady.last?.contains("STATUS=serving on 127.0.0.1:") == true, "\(untilReady)")
        #expect(notify.receive(until: "WATCHDOG=1").last == "WATCHDOG=1")
        #expect(notify.receive() == "WATCHDOG=1")
        // Nothing the front-end sends on reaches a job.
        let env = try frontEnd.request("/probe", body: #"{"args":["environ"],"stdout":{"capture":true}}"#)
        #expect(env.status == 200 && !env.text.contains("NOTIFY_SOCKET") && !env.text.contains("WATCHDOG"), "\(env)")
        kill(frontEnd.process.processIdentifier, SIGTERM)
        #expect(notify.receive(until: "STOPPING=1").last?.contains("STOPPING=1") == true)
    }
}

/// Binds 127.0.0.1:0 to learn a free port, then closes.
struct ListeningSocketForTest {
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard rc == 0 else { throw ServeFixtureError(description: "cannot find a free port") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }
}
