import Foundation
import Policy
import Testing

/// One invalid policy: the error code, the line and key path of its location, and a fragment of
/// the message.
struct InvalidPolicyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let lines: [String]
    let code: PolicyError.Code
    let line: Int
    let key: String
    let message: String

    init(_ name: String, _ code: PolicyError.Code, line: Int, key: String, _ message: String, _ lines: [String]) {
        self.name = name
        self.lines = lines
        self.code = code
        self.line = line
        self.key = key
        self.message = message
    }

    var testDescription: String { name }
}

private let execRoot = #"exec_root = "../exec""#

private let invalidCases: [InvalidPolicyCase] = [
    // Unknown keys, wherever they are.
    .init("unknown key at the top level", .unknownField, line: 2, key: "exec_rot", #"unknown key "exec_rot" at the top level"#,
          [execRoot, #"exec_rot = "../exec""#]),
    .init("unknown key in a table", .unknownField, line: 4, key: "limits.timout", #"unknown key "timout" in [limits]"#,
          [execRoot, "[limits]", #"timeout = "5s""#, #"timout = "5s""#]),
    .init("unknown key in the second [[command]]", .unknownField, line: 7, key: "command[1].max_concurent", #""max_concurent""#,
          [execRoot, "[[command]]", #"path = "a""#, "", "[[command]]", #"path = "b""#, "max_concurent = 2"]),
    .init("unknown key in an inline table", .unknownField, line: 2, key: "run_as.uid", #""uid""#,
          [execRoot, #"run_as = { user = "x", uid = 5 }"#]),
    .init("unknown sub-table of a [[command]]", .unknownField, line: 4, key: "command[0].extra", #""extra""#,
          [execRoot, "[[command]]", #"path = "a""#, "[command.extra]", "x = 1"]),

    // Wrong types.
    .init("boolean given as a string", .invalidField, line: 2, key: "follow_links", "must be a boolean",
          [execRoot, #"follow_links = "yes""#]),
    .init("count given as a string", .invalidField, line: 3, key: "limits.open_files", "must be an integer, found a string",
          [execRoot, "[limits]", #"open_files = "many""#]),
    .init("table given as a number", .invalidField, line: 2, key: "limits", "must be a table, found an integer",
          [execRoot, "limits = 5"]),
    .init("exec_root given as an array", .invalidField, line: 1, key: "exec_root", "must be a string, found an array",
          [#"exec_root = ["../exec"]"#]),
    .init("dotted key with a wrong value", .invalidField, line: 2, key: "limits.timeout", "must be a duration",
          [execRoot, "limits.timeout = true"]),
    .init("environment_allow given as a string", .invalidField, line: 4, key: "command[0].environment_allow", "must be an array of strings, found a string",
          [execRoot, "[[command]]", #"path = "a""#, #"environment_allow = "FOO""#]),
    .init("[[command]] given as strings", .invalidField, line: 2, key: "command[0]", "must be a table",
          [execRoot, #"command = ["echo"]"#]),

    // Durations, sizes, counts.
    .init("duration in words", .invalidField, line: 3, key: "limits.timeout", "must be a duration such as",
          [execRoot, "[limits]", #"timeout = "5 minutes""#]),
    .init("duration as a float", .invalidField, line: 3, key: "limits.kill_grace", "found a floating-point number",
          [execRoot, "[limits]", "kill_grace = 1.5"]),
    .init("zero timeout", .invalidField, line: 3, key: "limits.timeout", "greater than zero",
          [execRoot, "[limits]", "timeout = 0"]),
    .init("kill grace over a minute", .invalidField, line: 3, key: "limits.kill_grace", "at most 1m",
          [execRoot, "[limits]", #"kill_grace = "2m""#]),
    .init("command timeout over a day", .invalidField, line: 4, key: "command[0].timeout", "at most 24h",
          [execRoot, "[[command]]", #"path = "a""#, #"timeout = "25h""#]),
    .init("decimal size unit", .invalidField, line: 3, key: "limits.output_cap", "binary units only",
          [execRoot, "[limits]", #"output_cap = "16MB""#]),
    .init("size over 1 TiB", .invalidField, line: 3, key: "limits.stdin_cap", "at most 1TiB",
          [execRoot, "[limits]", #"stdin_cap = "2TiB""#]),
    .init("zero stack", .invalidField, line: 3, key: "limits.stack", "greater than zero",
          [execRoot, "[limits]", "stack = 0"]),
    .init("zero jobs", .invalidField, line: 3, key: "concurrency.max_jobs", "at least 1",
          [execRoot, "[concurrency]", "max_jobs = 0"]),
    .init("unlimited rlimit", .invalidField, line: 3, key: "limits.processes", #"cannot be "unlimited""#,
          [execRoot, "[limits]", #"processes = "unlimited""#]),
    .init("unknown overflow action", .invalidField, line: 3, key: "limits.on_output_overflow", #"must be "truncate" or "kill""#,
          [execRoot, "[limits]", #"on_output_overflow = "drop""#]),
    .init("zero max_concurrent", .invalidField, line: 4, key: "command[0].max_concurrent", "at least 1",
          [execRoot, "[[command]]", #"path = "a""#, "max_concurrent = 0"]),

    // The socket.
    .init("socket mode open to other users", .invalidField, line: 3, key: "socket.mode", "other users must not reach the launcher",
          [execRoot, "[socket]", #"mode = "0666""#]),
    .init("socket mode as an integer", .invalidField, line: 3, key: "socket.mode", "octal string",
          [execRoot, "[socket]", "mode = 0o660"]),
    .init("socket mode not octal", .invalidField, line: 3, key: "socket.mode", "octal permission string",
          [execRoot, "[socket]", #"mode = "0690""#]),
    .init("relative socket path", .invalidField, line: 3, key: "socket.path", "absolute",
          [execRoot, "[socket]", #"path = "launcher.sock""#]),

    // Paths on disk.
    .init("missing exec_root", .invalidField, line: 1, key: "exec_root", "exec_root is required",
          ["follow_links = true"]),
    .init("exec_root is a file", .invalidField, line: 1, key: "exec_root", "is not a directory",
          [#"exec_root = "../exec/tools/report""#]),
    .init("exec_root does not exist", .invalidField, line: 1, key: "exec_root", "does not exist",
          [#"exec_root = "../nowhere""#]),
    .init("seccomp profile does not exist", .invalidField, line: 2, key: "seccomp", "missing.json does not exist",
          [execRoot, #"seccomp = "seccomp/missing.json""#]),
    .init("seccomp profile is a directory", .invalidField, line: 2, key: "seccomp", "is not a regular file",
          [execRoot, #"seccomp = "seccomp""#]),
    .init("command seccomp profile does not exist", .invalidField, line: 4, key: "command[0].seccomp", "does not exist",
          [execRoot, "[[command]]", #"path = "a""#, #"seccomp = "nope.json""#]),
    .init("relative working directory", .invalidField, line: 2, key: "working_directory", "absolute",
          [execRoot, #"working_directory = "tmp""#]),

    // Commands.
    .init("command path with ..", .invalidField, line: 3, key: "command[0].path", "'..'",
          [execRoot, "[[command]]", #"path = "tools/../report""#]),
    .init("absolute command path", .invalidField, line: 3, key: "command[0].path", "must not start with '/'",
          [execRoot, "[[command]]", #"path = "/bin/sh""#]),
    .init("command path with an empty component", .invalidField, line: 3, key: "command[0].path", "empty",
          [execRoot, "[[command]]", #"path = "tools//report""#]),
    .init("command without a path", .invalidField, line: 2, key: "command[0].path", "needs path",
          [execRoot, "[[command]]", #"timeout = "5s""#]),
    .init("the same command twice", .invalidField, line: 6, key: "command[1].path", "at lines 3 and 6",
          [execRoot, "[[command]]", #"path = "tools/report""#, #"timeout = "5s""#, "[[command]]", #"path = "tools/report""#]),
    .init("escaped NUL in a command path", .invalidField, line: 3, key: "command[0].path", "NUL",
          [execRoot, "[[command]]", #"path = "echo\u0000x""#]),

    // Environment.
    .init("'=' in a deny entry of a multi-line array", .invalidField, line: 5, key: "environment.deny[1]", "must not contain '='",
          [execRoot, "[environment]", "deny = [", #"  "LD_*","#, #"  "BAD=NAME", # comment"#, "]"]),
    .init("'*' inside an allow pattern", .invalidField, line: 3, key: "environment.allow[0]", "at the end of a pattern",
          [execRoot, "[environment]", #"allow = ["A*B"]"#]),
    .init("empty deny_extra name", .invalidField, line: 3, key: "environment.deny_extra[0]", "must not be empty",
          [execRoot, "[environment]", #"deny_extra = [""]"#]),
    .init("base value not a string", .invalidField, line: 3, key: "environment.base.PATH", "must be a string, found an integer",
          [execRoot, "[environment]", "base = { PATH = 1 }"]),
    .init("pattern as a base name", .invalidField, line: 3, key: #"environment.base."A*""#, "not patterns",
          [execRoot, "[environment]", #"base = { "A*" = "x" }"#]),
    .init("deny and deny_extra together", .invalidField, line: 4, key: "environment.deny_extra", "not both",
          [execRoot, "[environment]", #"deny = ["A"]"#, #"deny_extra = ["B"]"#]),
    .init("error after a multi-line string", .invalidField, line: 7, key: "limits.timeout", "must be a duration",
          [execRoot, "[environment.base]", #"MOTD = """"#, "a", #"b""""#, "[limits]", #"timeout = "soon""#]),

    .init("error after comments, quoted keys and spaced headers", .invalidField, line: 9, key: "command[0].timeout", "must be a duration",
          [#"exec_root = "../exec"  # a comment with [brackets], "quotes" and = signs"#,
           "[ environment ]  # header comment", #"base = { A = "x,}]", 'B' = 'y' }"#, "deny_extra = [ # inside",
           #"  'LIT_*', "Q\"*","#, "]", "[[ command ]]", #"path = "a""#, #""timeout" = "soon""#]),

    // Accounts.
    .init("root without allow_root", .invalidField, line: 3, key: "run_as.user", "allow_root is false",
          [execRoot, "[run_as]", #"user = "root""#]),
    .init("gid 0 without allow_root", .invalidField, line: 3, key: "run_as.group", "allow_root is false",
          [execRoot, "[run_as]", "group = 0"]),
    .init("negative peer id", .invalidField, line: 3, key: "peers.users[1]", "not a valid numeric id",
          [execRoot, "[peers]", #"users = ["ok", -1]"#]),
    .init("peer name with a space", .invalidField, line: 3, key: "peers.groups[0]", "must not contain spaces",
          [execRoot, "[peers]", #"groups = ["with space"]"#]),

    // TOML syntax, located by the parser's line.
    .init("syntax error in a key/value line", .malformed, line: 4, key: "limits.timeout", "TOML syntax error",
          [execRoot, "", "[limits]", "timeout = = 5"]),
    .init("unterminated table header", .malformed, line: 3, key: "limits", "TOML syntax error",
          [execRoot, "", "[limits", "timeout = 5"]),
    .init("a key given twice", .malformed, line: 2, key: "exec_root", "TOML syntax error",
          [execRoot, #"exec_root = "../exec""#]),
]

@Suite("Launcher policy errors: code, FILE:LINE key location, message")
struct LauncherPolicyErrorTests {
    @Test("invalid policies are rejected with a located error", arguments: invalidCases)
    func invalid(_ c: InvalidPolicyCase) throws {
        let f = try PolicyFixture()
        let error = try #require(try f.error(c.lines.joined(separator: "\n") + "\n"))
        #expect(error.code == c.code, "\(error)")
        #expect(error.location == "\(f.policyPath):\(c.line) \(c.key)", "\(error)")
        #expect(error.message.contains(c.message), "\(error)")
    }

    @Test("a missing default seccomp profile is an error that says how to opt out")
    func missingDefaultProfile() throws {
        let f = try PolicyFixture(defaultProfile: false)
        let error = try #require(try f.error(execRoot))
        #expect(error.code == .invalidField)
        #expect(error.location == "\(f.policyPath):1 seccomp")
        #expect(error.message.contains("seccomp/default.json does not exist"))
        #expect(error.message.contains("unconfined"))
    }

    @Test("a missing file is unreadable, located at its path")
    func unreadable() throws {
        let f = try PolicyFixture()
        let path = f.root + "/etc/absent.toml"
        #expect(throws: PolicyError(.unreadable, at: path, "the policy file cannot be opened: No such file or directory")) {
            try LauncherPolicy.load(contentsOf: path)
        }
    }

    @Test("invalid UTF-8 and raw NUL bytes are malformed, with their line")
    func badBytes() throws {
        let f = try PolicyFixture()
        try Data(Array("\(execRoot)\n# caf".utf8) + [0xE9] + Array("\n".utf8)).write(to: URL(fileURLWithPath: f.policyPath))
        #expect(throws: PolicyError(.malformed, at: "\(f.policyPath):2", "the policy file is not valid UTF-8")) {
            try LauncherPolicy.load(contentsOf: f.policyPath)
        }
        // TOMLKit reads a C string: without this check, everything after the NUL would vanish.
        let error = try #require(try f.error("\(execRoot)\n# \u{0}\nunknown = 1\n"))
        #expect(error == PolicyError(.malformed, at: "\(f.policyPath):2", "the policy file contains a NUL byte"))
    }

    @Test("the description reads code: FILE:LINE key: message")
    func descriptionFormat() throws {
        let f = try PolicyFixture()
        let error = try #require(try f.error("\(execRoot)\n[limits]\ntimeout = \"forever\"\n"))
        #expect(error.description.hasPrefix("policy.invalid_field: \(f.policyPath):3 limits.timeout: timeout must be a duration"))
    }
}
