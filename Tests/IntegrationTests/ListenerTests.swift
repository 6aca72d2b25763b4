import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One code path for every listener: TCP over IPv4 and IPv6, Unix sockets, sockets inherited from
/// systemd; plus the connection cap.
@Suite(.serialized) struct ListenerTests {
    static let request = #"{"args":["exit","7"]}"#

    @Test func servesIPv4AndIPv6AndUnixAtOnce() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let unixPath = launcher.directory + "/http.sock"
        let server = try FrontEndProcess(
            launcherSocket: launcher.socketPath,
            listen: ["--bind", "127.0.0.1:0", "--bind", "[::1]:0", "--unix", unixPath])
        let v4 = try HTTPTestClient(port: server.port).request("POST", "/probe", body: Array(Self.request.utf8))
        #expect(v4.status == 200 && v4.text.hasPrefix(#"{"return":7,"#), "\(v4)")

        let line = try #require(server.waitForLog("on=[::1]:"), "\(server.log)")
        let v6Port = try #require(Int(line[line.range(of: "on=[::1]:")!.upperBound...].prefix { $0.isNumber }))
        let v6 = try HTTPTestClient(port: v6Port, host: "::1").request("POST", "/probe", body: Array(Self.request.utf8))
        #expect(v6.status == 200 && v6.text.hasPrefix(#"{"return":7,"#), "\(v6)")

        let unix = try HTTPTestClient(unixPath: unixPath).request("POST", "/probe", body: Array(Self.request.utf8))
        #expect(unix.status == 200 && unix.text.hasPrefix(#"{"return":7,"#), "\(unix)")
        // After a stop, the next server takes the path over (a dropped front-end may not be able
        // to unlink its socket in a root-owned directory; a stale socket is replaced, a live one never).
        #expect(server.stop() == 0)
        let next = try FrontEndProcess(launcherSocket: launcher.socketPath, listen: ["--unix", unixPath])
        #expect(try HTTPTestClient(unixPath: unixPath).request("POST", "/probe", body: Array(Self.request.utf8)).status == 200)
        #expect(next.stop() == 0)
    }

    @Test func refusesToStealALiveUnixSocket() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        // The launcher's own socket is live: binding the HTTP listener there must fail, not unlink it.
        let (status, text) = try runTool("httpexec-server", ["--unix", launcher.socketPath, "--launcher-socket", launcher.socketPath])
        #expect(status != 0)
        #expect(text.contains("another server is listening on it"), "\(text)")
        #expect(launcher.waitUntilServing(within: 5))
    }

    static let activate = "/usr/bin/systemd-socket-activate"

    @Test(.enabled(if: access(activate, X_OK) == 0, "needs /usr/bin/systemd-socket-activate (Debian package systemd)"))
    func servesASocketInheritedFromSystemd() throws {
        let activate = Self.activate
        let launcher = try LauncherFixture.forFrontEnd()
        let path = launcher.directory + "/activated.sock"
        let server = try FrontEndProcess(
            launcherSocket: launcher.socketPath, listen: [],
            wrapper: [activate, "--listen=\(path)", "--fdname=http"])
        #expect(waitFor(within: .seconds(20)) { access(path, F_OK) == 0 }, "\(server.log)")
        // The first connection makes systemd-socket-activate start the server with fd 3.
        let response = try HTTPTestClient(unixPath: path).request("POST", "/probe", body: Array(Self.request.utf8))
        #expect(response.status == 200 && response.text.hasPrefix(#"{"return":7,"#), "\(response)\n\(server.log)")
        #expect(server.waitForLog(#"on="fd:3 (http)""#) != nil, "\(server.log)")
    }

    /// With MAX_CONNECTIONS=1 a second connection is not served until the first closes.
    @Test func connectionCapHoldsFurtherConnectionsBack() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath, environment: ["HTTPEXEC_MAX_CONNECTIONS": "1"])
        var first: HTTPTestClient? = try HTTPTestClient(port: server.port)
        #expect(try first?.request("POST", "/probe", body: Array(Self.request.utf8)).status == 200)
        // The kernel completes the handshake (backlog), but the server does not accept it yet.
        let second = try HTTPTestClient(port: server.port, timeoutSeconds: 1)
        #expect(throws: (any Error).self) {
            try second.request("POST", "/probe", body: Array(Self.request.utf8))
        }
        first = nil // closes the first connection: the second is accepted and its request read
        _ = first
        #expect(throws: Never.self) {
            let response = try second.readResponse()
            #expect(response.status == 200, "\(response)")
        }
    }
}
