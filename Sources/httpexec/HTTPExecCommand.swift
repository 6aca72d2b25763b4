import ArgumentParser
import Policy
import Sandbox

/// The operator's tool: checks policies now; `serve` (front-end + launcher) arrives with the
/// front-end.
@main
struct HTTPExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "httpexec",
        abstract: "Run whitelisted programs over HTTP, sandboxed (operator tool).",
        subcommands: [CheckSeccomp.self, Serve.self]
    )
}

/// `httpexec check-seccomp FILE...`: parse, validate and compile profiles exactly as the launcher
/// would at load time, and print what the launcher would cache.
struct CheckSeccomp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-seccomp",
        abstract: "Validate and compile seccomp profiles (OCI/Docker JSON) for this machine."
    )

    @Argument(help: "Profile files to check.")
    var files: [String]

    func run() throws {
        let compiler = SeccompCompiler()
        var failed = false
        for file in files {
            do {
                let filter = try compiler.load(contentsOf: file)
                print("\(file): ok — \(filter.instructionCount) BPF instructions, sha256 \(filter.profileHash)")
            } catch {
                print("\(file): \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// Placeholder until the front-end exists: says so and fails, never pretends to serve.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API (not yet available).")

    @Option(help: "Directory of programs clients may run.")
    var execRoot: String = "examples"

    @Option(help: "HOST:PORT to listen on.")
    var bind: String = "127.0.0.1:8000"

    func run() throws {
        print("httpexec serve: not yet — the launcher service and HTTP front-end are issues 3 and 4.")
        throw ExitCode(2)
    }
}
