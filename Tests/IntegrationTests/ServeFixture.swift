import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A running `httpexec serve` (launcher + front-end as separate processes) on 127.0.0.1 with an
/// ephemeral port, serving a temporary exec root (`LauncherFixture.populate` plus `extraFiles`).
///
/// Start-up is awaited on the supervisor's own "serving on HOST:PORT" line (read from its stderr
/// as it is written), never by sleeping; everything it logs is kept for failure messages.
final class ServeFixture: @unchecked Sendable {
    let directory: String
    let root: String
    let port: Int
    let process: Process
    let launcherPID: Int32
    let frontEndPID: Int32
    private let output: OutputCollector

    /// Starts `httpexec serve`.
    /// - Parameters:
    ///   - environment: extra variables (e.g. `HTTPEXEC_FOLLOW_LINKS`).
    ///   - arguments: extra `serve` flags.
    ///   - extraFiles: path (relative to the root) → (contents, mode) to add to the exec root.
    ///   - execRoot: serve this directory instead of a fresh populated one.
    init(
        environment: [String: String] = [:], arguments: [String] = [], extraFiles: [String: (String, Int)] = [:],
        execRoot: String? = nil, workingDirectory: String? = nil, wrapper: [String] = []
    ) throws {
        var template = Array("/tmp/httpexec-serve-it-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        directory = String(cString: made)
        chmod(directory, 0o755)
        if let execRoot {
            root = execRoot
        } else {
            root = directory + "/root"
            try LauncherFixture.populate(root)
            for (path, (contents, mode)) in extraFiles {
                let full = root + "/" + path
                try FileManager.default.createDirectory(
                    atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try contents.write(toFile: full, atomically: false, encoding: .utf8)
                chmod(full, mode_t(mode))
            }
        }

        let p = Process()
        // A policy file names its own exec root; serve refuses EXEC_ROOT beside POLICY.
        let rootArguments = arguments.contains("--policy") ? [] : ["--exec-root", root]
        let serveArguments = ["serve"] + rootArguments + ["--bind", "127.0.0.1:0", "--log-level", "info"] + arguments
        if wrapper.isEmpty {
            p.executableURL = URL(fileURLWithPath: buildDirectory + "/httpexec")
            p.arguments = serveArguments
        } else {
            p.executableURL = URL(fileURLWithPath: wrapper[0])
            p.arguments = Array(wrapper.dropFirst()) + [buildDirectory + "/httpexec"] + serveArguments
        }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HTTPEXEC_") }
        env.merge(environment) { $1 }
        p.environment = env
        p.currentDirectoryURL = URL(fileURLWithPath: workingDirectory ?? directory)
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        output = OutputCollector(pipe.fileHandleForReading)
        try p.run()
        process = p
        guard let line = output.waitForLine(containing: "serving on ", within: 60) else {
            p.terminate()
            throw ServeFixtureError(description: "httpexec serve did not start:\n\(output.text)")
        }
        guard let portText = line.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") })?.dropFirst(10),
              let port = Int(portText),
              let launcher = Self.number(after: "launcher pid ", in: line),
              let frontEnd = Self.number(after: "front-end pid ", in: line)
        else {
            p.terminate()
            throw ServeFixtureError(description: "unexpected start-up line: \(line)")
        }
        self.port = port
        self.launcherPID = launcher
        self.frontEndPID = frontEnd
    }

    /// Everything the three processes wrote so far.
    var log: String { output.text }

    /// Waits for a line containing `marker` in the processes' output.
    func waitForLog(_ marker: String, within seconds: Double = 30) -> String? {
        output.waitForLine(containing: marker, within: seconds)
    }

    /// A client for this server.
    func client() throws -> HTTPTestClient { try HTTPTestClient(port: port) }

    /// One request on a fresh connection.
    func request(
        _ method: String = "POST", _ target: String, body: String? = nil, contentType: String? = "application/json",
        headers: [(String, String)] = []
    ) throws -> HTTPTestResponse {
        try client().request(method, target, body: body.map { Array($0.utf8) }, contentType: contentType, headers: headers)
    }

    /// SIGTERM to `serve` and its exit status (bounded wait).
    @discardableResult
    func stop(within seconds: Double = 60) -> Int32? { output.stop(process, within: seconds) }

    deinit {
        output.stopOrKill(process)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func number(after marker: String, in line: String) -> Int32? {
        guard let range = line.range(of: marker) else { return nil }
        return Int32(line[range.upperBound...].prefix { $0.isNumber })
    }
}

struct ServeFixtureError: Error, CustomStringConvertible {
    let description: String
}

/// Reads a pipe on its own thread, keeping the text and waking waiters on each new chunk.
final class OutputCollector: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer = ""
    private var closed = false

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                condition.lock()
                if data.isEmpty { closed = true } else { buffer += String(decoding: data, as: UTF8.self) }
                condition.broadcast()
                condition.unlock()
                if data.isEmpty { return }
            }
        }
        thread.start()
    }

    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return buffer
    }

    /// The first complete line containing `marker`, waiting until it appears, the pipe closes, or
    /// the deadline passes.
    func waitForLine(containing marker: String, within seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let line = buffer.split(separator: "\n").first(where: { $0.contains(marker) }), buffer.contains(line + "\n") {
                return String(line)
            }
            if closed || !condition.wait(until: deadline) { return nil }
        }
    }

    /// SIGTERM to `process` and its exit status, or nil if it did not exit within `seconds`.
    func stop(_ process: Process, within seconds: Double) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        return waitForExit(of: process, within: seconds)
    }

    /// `stop`, then SIGKILL if that did not end it (fixture teardown).
    func stopOrKill(_ process: Process) {
        if stop(process, within: 60) == nil { kill(process.processIdentifier, SIGKILL) }
    }

    /// Waits for `process` to exit: its output pipe closes when all three processes are gone.
    func waitForExit(of process: Process, within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        while !closed {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
        guard closed else { return nil }
        // Bounded, and not relying on Foundation's reaper alone: a child that another program
        // exec'd into (systemd-socket-activate) was seen left as a zombie by it.
        if waitFor(within: .seconds(2), { !process.isRunning }) { return process.terminationStatus }
        var status: Int32 = 0
        let end = deadline
        while Date() < end {
            let pid = waitpid(process.processIdentifier, &status, WNOHANG)
            if pid == process.processIdentifier { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            if pid < 0 { return process.isRunning ? nil : process.terminationStatus }
            usleep(20_000)
        }
        return nil
    }
}
