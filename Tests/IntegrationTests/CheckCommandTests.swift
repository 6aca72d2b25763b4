import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs a built binary and returns (exit status, combined output).
func runTool(_ name: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
    try runProgram(buildDirectory + "/" + name, arguments, environment: environment)
}

/// Runs a program to completion; (exit status, stdout+stderr).
func runProgram(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, output)
}

@Suite("httpexec check")
struct CheckCommandTests {
    @Test("the shipped policy passes and shows the effective settings and layers")
    func shippedPolicy() throws {
        let (status, output) = try runTool("httpexec", ["check", "--policy", repositoryRoot + "/policy/httpexec.toml"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("# layer seccomp: enforced"))
        #expect(output.contains("exec_root = \"\(repositoryRoot)/examples\""))
    }

    private func policy(_ text: String, in dir: String) throws -> String {
        let path = dir + "/policy.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("an unknown key is refused with file, line and key")
    func unknownKey() throws {
        let fixture = try LauncherFixture(start: false)
        let path = try policy("exec_root = \"\(fixture.root)\"\nseccomp = \"\(repositoryRoot)/policy/seccomp/default.json\"\n[limits]\ntimeout = \"5s\"\ntimout = \"6s\"\n", in: fixture.directory)
        let (status, output) = try runTool("httpexec", ["check", "--policy", path])
        #expect(status != 0)
        #expect(output.contains("\(path):5"), "\(output)")
        #expect(output.contains("timout"))
    }

    @Test("a bad syscall name is refused with the profile's file and line")
    func badSyscall() throws {
        let fixture = try LauncherFixture(start: false)
        let profile = fixture.directory + "/bad.json"
        try "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"read\", \"wrtie\"], \"action\": \"SCMP_ACT_ALLOW\"}\n  ]\n}\n"
            .write(toFile: profile, atomically: true, encoding: .utf8)
        let path = try policy("exec_root = \"\(fixture.root)\"\nseccomp = \"bad.json\"\n", in: fixture.directory)
        let (status, output) = try runTool("httpexec", ["check", "--policy", path])
        #expect(status != 0)
        #expect(output.contains("\(profile):4"), "\(output)")
        #expect(output.contains("wrtie"))
    }

    @Test("a missing exec root is refused with file, line and key")
    func missingExecRoot() throws {
        let fixture = try LauncherFixture(start: false)
        let path = try policy("# comment\nexec_root = \"/nonexistent/httpexec-root\"\nseccomp = \"\(repositoryRoot)/policy/seccomp/default.json\"\n", in: fixture.directory)
        let (status, output) = try runTool("httpexec", ["check", "--policy", path])
        #expect(status != 0)
        #expect(output.contains("\(path):2"), "\(output)")
        #expect(output.contains("exec_root"))
    }

    @Test("the launcher refuses a run-as identity that may talk to its socket")
    func identityOverlapsPeers() throws {
        try #require(runningAsRoot, "needs root: only a root launcher switches jobs to nobody")
        let fixture = try LauncherFixture(extraPolicy: "[peers]\nusers = [\"nobody\"]\n", start: false)
        let (status, output) = try runTool("httpexec-launcher", ["--policy", fixture.policyPath])
        #expect(status == 78)
        #expect(output.contains("may talk to the launcher socket"), "\(output)")
    }
}
