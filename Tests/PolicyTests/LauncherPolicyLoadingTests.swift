import Foundation
import Policy
import Testing

/// A temporary tree for policy files, removed when the fixture goes away:
///
///     ROOT/etc/policy.toml              (written by each test)
///     ROOT/etc/seccomp/default.json     ROOT/etc/seccomp/strict.json
///     ROOT/exec/tools/report            (a regular file)
final class PolicyFixture {
    let root: String
    var policyPath: String { root + "/etc/policy.toml" }
    var seccompDirectory: String { root + "/etc/seccomp" }
    var execRoot: String { root + "/exec" }

    init(defaultProfile: Bool = true) throws {
        var template = Array((NSTemporaryDirectory() + "/policy-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        // Normalised like the loader's output (NSTemporaryDirectory may end in "/").
        root = URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
        let fm = FileManager.default
        try fm.createDirectory(atPath: seccompDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: execRoot + "/tools", withIntermediateDirectories: true)
        if defaultProfile { try write("{}", to: seccompDirectory + "/default.json") }
        try write("{}", to: seccompDirectory + "/strict.json")
        try write("#!/bin/sh\n", to: execRoot + "/tools/report")
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Writes `text` as the policy file and loads it.
    func load(_ text: String) throws -> LauncherPolicy {
        try write(text, to: policyPath)
        return try LauncherPolicy.load(contentsOf: policyPath)
    }

    /// Loads `text` and returns the error it must produce.
    func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> PolicyError? {
        try write(text, to: policyPath)
        do {
            let policy = try LauncherPolicy.load(contentsOf: policyPath)
            Issue.record("expected an error, got \(policy)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// The repository checkout this file is in (Tests/PolicyTests/ is two levels down).
private let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite("Launcher policy loading (TOML)")
struct LauncherPolicyLoadingTests {
    @Test("a file that sets every key parses to the expected model")
    func fullFile() throws {
        let f = try PolicyFixture()
        let policy = try f.load("""
        exec_root = "../exec"
        follow_links = true
        working_directory = "/srv/work/"
        seccomp = "seccomp/strict.json"

        [run_as]
        user = "runner"
        group = 1234
        allow_root = false

        [environment]
        base = { PATH = "/bin", LANG = "C", HOME = "/nonexistent" }
        deny = ["LD_*", "SECRET"]
        allow = ["FOO", "BAR_*"]

        [limits]
        timeout = "5m"
        kill_grace = "500ms"
        output_cap = "1MiB"
        stdin_cap = 4096
        on_output_overflow = "kill"
        open_files = 64
        processes = 32
        file_size = "1GiB"
        cpu_seconds = 10
        address_space = "2GiB"
        stack = "8MiB"
        core = 0

        [concurrency]
        max_jobs = 8
        max_per_command = 2

        [peers]
        users = ["httpexec", 1001]
        groups = ["httpexec"]

        [socket]
        path = "/run/httpexec/launcher.sock"
        group = "httpexec"
        mode = "0640"

        [[command]]
        path = "tools/report"
        timeout = "1h"
        output_cap = "64MiB"
        on_output_overflow = "truncate"
        stdin_cap = "1MiB"
        seccomp = "seccomp/default.json"
        environment_allow = ["REPORT_*"]
        max_concurrent = 1

        [[command]]
        path = "legacy"
        seccomp = "unconfined"
        """)

        var expected = LauncherPolicy(sourcePath: f.policyPath, execRoot: f.execRoot)
        expected.followLinks = true
        expected.workingDirectory = "/srv/work"
        expected.seccompProfile = f.seccompDirectory + "/strict.json"
        expected.runAs = .init(user: "runner", group: "1234", allowRoot: false)
        expected.environment = .init(
            base: [.init("PATH", "/bin"), .init("LANG", "C"), .init("HOME", "/nonexistent")],
            deny: ["LD_*", "SECRET"], allow: ["FOO", "BAR_*"])
        expected.limits = .init(
            timeout: .seconds(300), killGrace: .milliseconds(500), outputCap: 1 << 20,
            killOnOutputOverflow: true, stdinCap: 4096, openFiles: 64, processes: 32, fileSize: 1 << 30,
            cpuSeconds: 10, addressSpace: 2 << 30, stack: 8 << 20, core: 0)
        expected.concurrency = .init(maxJobs: 8, maxPerCommand: 2)
        expected.peers = .init(users: ["httpexec", "1001"], groups: ["httpexec"])
        expected.socket = .init(path: "/run/httpexec/launcher.sock", group: "httpexec", mode: 0o640)
        var report = LauncherPolicy.CommandOverride(path: "tools/report")
        report.timeout = .seconds(3600)
        report.outputCap = 64 << 20
        report.killOnOutputOverflow = false
        report.stdinCap = 1 << 20
        report.seccompProfile = f.seccompDirectory + "/default.json"
        report.environmentAllow = ["REPORT_*"]
        report.maxConcurrent = 1
        var legacy = LauncherPolicy.CommandOverride(path: "legacy")
        legacy.unconfined = true
        expected.commands = [report, legacy]

        #expect(policy == expected)
    }

    @Test("a file with only exec_root gets the initialiser's defaults and the default profile")
    func defaults() throws {
        let f = try PolicyFixture()
        let policy = try f.load(#"exec_root = "../exec""#)
        var expected = LauncherPolicy(sourcePath: f.policyPath, execRoot: f.execRoot)
        expected.seccompProfile = f.seccompDirectory + "/default.json"
        #expect(policy == expected)
        #expect(policy.environment.deny == LauncherPolicy.defaultEnvironmentDeny)
        #expect(policy.environment.base.map(\.name) == ["PATH", "LANG"])
        #expect(policy.seccompProfile != nil)
    }

    @Test("seccomp = \"unconfined\" is the explicit opt-out: no profile, and no default file needed")
    func unconfined() throws {
        let f = try PolicyFixture(defaultProfile: false)
        let policy = try f.load("exec_root = \"../exec\"\nseccomp = \"unconfined\"")
        #expect(policy.seccompProfile == nil)
    }

    @Test("relative paths resolve against the policy file's directory and are normalised")
    func relativePaths() throws {
        let f = try PolicyFixture()
        let policy = try f.load("""
        exec_root = "./../exec/tools/.././"
        seccomp = "../etc/./seccomp//strict.json"
        working_directory = "/srv/../tmp/."
        [[command]]
        path = "tools/report"
        seccomp = "\(f.seccompDirectory)/../seccomp/default.json"
        """)
        #expect(policy.execRoot == f.execRoot)
        #expect(policy.seccompProfile == f.seccompDirectory + "/strict.json")
        #expect(policy.workingDirectory == "/tmp")
        #expect(policy.commands.first?.seccompProfile == f.seccompDirectory + "/default.json")
        #expect(policy.sourcePath == f.policyPath)
    }

    @Test("parse(_:sourcePath:) resolves like load, from the given path's directory")
    func parseWithSourcePath() throws {
        let f = try PolicyFixture()
        let policy = try LauncherPolicy.parse(#"exec_root = "../exec""#, sourcePath: f.root + "/etc/./sub/../policy.toml")
        #expect(policy.sourcePath == f.policyPath)
        #expect(policy.execRoot == f.execRoot)
    }

    @Test("deny replaces the default deny list; deny_extra appends to it")
    func denyVersusDenyExtra() throws {
        let f = try PolicyFixture()
        let replaced = try f.load("exec_root = \"../exec\"\n[environment]\ndeny = [\"ONLY_*\"]")
        #expect(replaced.environment.deny == ["ONLY_*"])
        let extended = try f.load("exec_root = \"../exec\"\n[environment]\ndeny_extra = [\"MORE_*\", \"LD_*\"]")
        #expect(extended.environment.deny == LauncherPolicy.defaultEnvironmentDeny + ["MORE_*"])
    }

    @Test("the base environment keeps file order, inline or as a sub-table")
    func baseOrder() throws {
        let f = try PolicyFixture()
        let inline = try f.load("exec_root = \"../exec\"\n[environment]\nbase = { ZED = \"1\", \"MY.VAR\" = \"2\", ALPHA = \"3\" }")
        #expect(inline.environment.base.map(\.name) == ["ZED", "MY.VAR", "ALPHA"])
        let table = try f.load("""
        exec_root = "../exec"
        [environment.base]
        ZED = "1"
        MOTD = \"\"\"
        two
        lines\"\"\"
        ALPHA = "3"
        """)
        #expect(table.environment.base == [.init("ZED", "1"), .init("MOTD", "two\nlines"), .init("ALPHA", "3")])
    }

    @Test("durations accept integer seconds and ms/s/m/h strings", arguments: [
        ("30", Duration.seconds(30)), (#""500ms""#, .milliseconds(500)), (#""30s""#, .seconds(30)),
        (#""5m""#, .seconds(300)), (#""24h""#, .seconds(86_400)),
    ])
    func durations(_ written: String, _ expected: Duration) throws {
        let f = try PolicyFixture()
        let policy = try f.load("exec_root = \"../exec\"\n[limits]\ntimeout = \(written)")
        #expect(policy.limits.timeout == expected)
    }

    @Test("sizes accept integer bytes and binary-unit strings", arguments: [
        ("4096", 4096), (#""512""#, 512), (#""512B""#, 512), (#""64KiB""#, 64 << 10),
        (#""16MiB""#, 16 << 20), (#""1GiB""#, 1 << 30), (#""1TiB""#, 1 << 40),
    ])
    func sizes(_ written: String, _ expected: Int) throws {
        let f = try PolicyFixture()
        let policy = try f.load("exec_root = \"../exec\"\n[limits]\noutput_cap = \(written)")
        #expect(policy.limits.outputCap == expected)
    }

    @Test("peers and run_as accept numeric ids as integers or strings")
    func numericIDs() throws {
        let f = try PolicyFixture()
        let policy = try f.load("""
        exec_root = "../exec"
        [run_as]
        user = 65534
        group = "65534"
        [peers]
        users = [1000, "1001", "alice"]
        groups = []
        """)
        #expect(policy.runAs == .init(user: "65534", group: "65534"))
        #expect(policy.peers == .init(users: ["1000", "1001", "alice"], groups: []))
    }

    @Test("the shipped policy/httpexec.toml loads from the repository")
    func shippedPolicy() throws {
        let policy = try LauncherPolicy.load(contentsOf: repo + "/policy/httpexec.toml")
        #expect(policy.execRoot == repo + "/examples")
        #expect(policy.seccompProfile == repo + "/policy/seccomp/default.json")
        #expect(policy.socket.path == "/run/httpexec/launcher.sock")
        #expect(policy.socket.mode & 0o007 == 0)
        #expect(policy.runAs.allowRoot == false)
        #expect(policy.environment.deny.starts(with: LauncherPolicy.defaultEnvironmentDeny))
        let echo = try #require(policy.commands.first { $0.path == "echo" })
        #expect(FileManager.default.isExecutableFile(atPath: policy.execRoot + "/" + echo.path))
        #expect(echo.seccompProfile == repo + "/policy/seccomp/strict.json")
    }

    @Test("the effective summary is TOML that loads back to the same policy")
    func summaryRoundTrip() throws {
        let f = try PolicyFixture()
        let policy = try f.load("""
        exec_root = "../exec"
        [environment]
        base = { PATH = "/bin", "ODD KEY" = "tab\\there \\"quoted\\"" }
        allow = ["A_*"]
        [limits]
        processes = 10
        output_cap = 1000
        [socket]
        path = "/run/x.sock"
        [[command]]
        path = "tools/report"
        timeout = "90s"
        seccomp = "unconfined"
        [[command]]
        path = "b"
        """)
        let summary = policy.effectiveSummary
        #expect(summary.contains("exec_root = \"\(f.execRoot)\""))
        #expect(summary.contains("seccomp = \"\(f.seccompDirectory)/default.json\""))
        #expect(summary.contains("timeout = \"1m\""))
        #expect(summary.contains("timeout = \"90s\""))
        #expect(summary.contains("# timeout = \"1m\"  (inherited from [limits])"))
        #expect(summary.contains("# address_space: not set"))
        #expect(summary.contains("mode = \"0660\""))
        #expect(try LauncherPolicy.parse(summary, sourcePath: f.policyPath) == policy)
    }

    @Test("the shipped policy's summary loads back too")
    func shippedSummaryRoundTrip() throws {
        let policy = try LauncherPolicy.load(contentsOf: repo + "/policy/httpexec.toml")
        #expect(try LauncherPolicy.parse(policy.effectiveSummary, sourcePath: policy.sourcePath) == policy)
    }
}
