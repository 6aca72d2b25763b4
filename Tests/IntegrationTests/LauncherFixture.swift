import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The directory holding the built products (next to the test bundle).
let buildDirectory: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
    return URL(fileURLWithPath: exe).deletingLastPathComponent().path
}()

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

let runningAsRoot = geteuid() == 0

/// A temporary exec root with every kind of entry the resolution rules care about, a policy file,
/// and a running `httpexec-launcher` process serving a socket inside it.
final class LauncherFixture: @unchecked Sendable {
    let directory: String
    let root: String
    let socketPath: String
    let policyPath: String
    let logPath: String
    private(set) var process: Process?

    init(followLinks: Bool = false, extraPolicy: String = "", socketGroup: String? = "nogroup", start: Bool = true) throws {
        var template = Array("/tmp/httpexec-it-XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        directory = String(cString: dir)
        chmod(directory, 0o755)
        root = directory + "/root"
        socketPath = directory + "/launcher.sock"
        policyPath = directory + "/policy.toml"
        logPath = directory + "/launcher.log"
        try Self.populate(root)
        let policy = """
        exec_root = "\(root)"
        follow_links = \(followLinks)
        seccomp = "\(repositoryRoot)/policy/seccomp/default.json"

        [socket]
        path = "\(socketPath)"
        \(socketGroup.map { "group = \"\($0)\"" } ?? "")
        mode = "0660"

        [limits]
        timeout = "20s"
        kill_grace = "300ms"
        output_cap = "1MiB"

        [concurrency]
        max_jobs = 8
        max_per_command = 2

        \(extraPolicy)
        """
        try policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
        if start { try self.start() }
    }

    /// Starts the launcher and waits (bounded) until its socket accepts connections.
    func start(arguments: [String]? = nil, executable: String? = nil, environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable ?? buildDirectory + "/httpexec-launcher")
        p.arguments = arguments ?? ["--policy", policyPath]
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        p.standardError = log
        p.standardOutput = log
        try p.run()
        process = p
        guard waitUntilServing() else {
            throw LauncherClient.Failure(description: "launcher did not start serving: \(self.log)")
        }
    }

    func waitUntilServing(within seconds: Double = 20) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if (try? LauncherClient(path: socketPath)) != nil { return true }
            if let p = process, !p.isRunning { return false }
            usleep(20_000)
        }
        return false
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM and wait (bounded) for the exit status.
    @discardableResult
    func stop(within seconds: Double = 20) -> Int32? {
        guard let p = process, p.isRunning else { return process?.terminationStatus }
        kill(p.processIdentifier, SIGTERM)
        let end = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < end { usleep(10_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            return nil
        }
        return p.terminationStatus
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The fixture exec root: regular files, a script, links that stay inside, links that leave,
    /// a directory link out of the root, dangling and looping links, a non-executable file.
    static func populate(_ root: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        try fm.copyItem(atPath: buildDirectory + "/httpexec-probe", toPath: root + "/probe")
        try fm.copyItem(atPath: buildDirectory + "/httpexec-probe", toPath: root + "/sub/inner")
        try "#!/bin/sh\necho \"script $1\"\n".write(toFile: root + "/echo.sh", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho no\n".write(toFile: root + "/noexec", atomically: true, encoding: .utf8)
        for (path, mode) in [("/probe", 0o755), ("/sub/inner", 0o755), ("/echo.sh", 0o755), ("/noexec", 0o644)] {
            chmod(root + path, mode_t(mode))
        }
        try fm.createSymbolicLink(atPath: root + "/link-inside", withDestinationPath: "probe")
        try fm.createSymbolicLink(atPath: root + "/sub/link-up", withDestinationPath: "../probe")
        try fm.createSymbolicLink(atPath: root + "/link-outside", withDestinationPath: "/bin/true")
        try fm.createSymbolicLink(atPath: root + "/dirlink", withDestinationPath: "/bin")
        try fm.createSymbolicLink(atPath: root + "/dangling", withDestinationPath: "does-not-exist")
        try fm.createSymbolicLink(atPath: root + "/loop1", withDestinationPath: "loop2")
        mkfifo(root + "/fifo", 0o755) // opening it for reading would block without O_NONBLOCK
        try fm.createSymbolicLink(atPath: root + "/loop2", withDestinationPath: "loop1")
    }
}
