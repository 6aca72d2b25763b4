import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A standalone `httpexec-server` process (no `serve` supervisor), for tests that need to stop,
/// restart or replace the launcher behind it. Started as root it drops to the fallback front-end
/// uid 60999, so the launcher's policy must accept that peer (see `LauncherFixture.forFrontEnd`).
final class FrontEndProcess: @unchecked Sendable {
    let process: Process
    /// The TCP port of the first listener (0 when it listens on no TCP socket).
    let port: Int
    private let output: OutputCollector

    /// Starts the server; `listen` replaces the default `--bind 127.0.0.1:0`; `wrapper` runs it
    /// under another program (e.g. `systemd-socket-activate …`), in which case start-up is not
    /// awaited (the wrapper starts it on the first connection).
    init(
        launcherSocket: String, environment: [String: String] = [:], arguments: [String] = [],
        listen: [String] = ["--bind", "127.0.0.1:0"], wrapper: [String] = []
    ) throws {
        let p = Process()
        let server = buildDirectory + "/httpexec-server"
        let serverArguments = listen + ["--launcher-socket", launcherSocket, "--log-level", "info"] + arguments
        if wrapper.isEmpty {
            p.executableURL = URL(fileURLWithPath: server)
            p.arguments = serverArguments
        } else {
            p.executableURL = URL(fileURLWithPath: wrapper[0])
            p.arguments = Array(wrapper.dropFirst()) + [server] + serverArguments
        }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HTTPEXEC_") }
        env.merge(environment) { $1 }
        p.environment = env
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        output = OutputCollector(pipe.fileHandleForReading)
        try p.run()
        process = p
        if !wrapper.isEmpty {
            port = 0
            return
        }
        guard let line = output.waitForLine(containing: " msg=listening ", within: 60), let range = line.range(of: " on=")
        else {
            p.terminate()
            throw ServeFixtureError(description: "httpexec-server did not start:\n\(output.text)")
        }
        let address = line[range.upperBound...].prefix { $0 != " " }
        port = address.hasPrefix("unix:") ? 0 : Int(address.split(separator: ":").last ?? "") ?? 0
    }

    var log: String { output.text }

    func request(
        _ target: String, method: String = "POST", body: String? = nil, headers: [(String, String)] = []
    ) throws -> HTTPTestResponse {
        try HTTPTestClient(port: port).request(method, target, body: body.map { Array($0.utf8) }, headers: headers)
    }

    /// Waits for a line containing `marker` in the server's output.
    func waitForLog(_ marker: String, within seconds: Double = 30) -> String? {
        output.waitForLine(containing: marker, within: seconds)
    }

    @discardableResult
    func stop(within seconds: Double = 60) -> Int32? { output.stop(process, within: seconds) }

    deinit { output.stopOrKill(process) }
}

extension LauncherFixture {
    /// A launcher whose socket the standalone front-end (uid 60999 when the test runs as root)
    /// may use.
    static func forFrontEnd(extraPolicy: String = "") throws -> LauncherFixture {
        try LauncherFixture(
            extraPolicy: "[peers]\nusers = [\"60999\"]\n" + extraPolicy,
            socketGroup: runningAsRoot ? "60999" : nil)
    }
}
