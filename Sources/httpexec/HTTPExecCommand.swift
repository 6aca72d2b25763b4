import ArgumentParser
import Policy
import Sandbox

/// The operator's tool: `serve` (the all-in-one runner: launcher and front-end as two
/// processes), `check` and `check-seccomp`.
@main
struct HTTPExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "httpexec",
        abstract: "Run whitelisted programs over HTTP, sandboxed (operator tool).",
        subcommands: [Check.self, CheckSeccomp.self, Serve.self, AuditCommand.self]
    )
}

/// `httpexec check [--policy FILE]`: load the policy exactly as the launcher does, compile its
/// seccomp profiles, resolve its identities, and print the effective policy and the layer report.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a launcher policy and print the effective settings and sandbox layers.")

    @Option(help: "Policy file (TOML).")
    var policy: String = "/etc/httpexec/policy.toml"

    func run() throws {
        let loaded: LauncherPolicy
        do {
            loaded = try LauncherPolicy.load(contentsOf: policy)
        } catch {
            print("\(error)")
            throw ExitCode(1)
        }
        var failed = false
        let compiler = SeccompCompiler()
        let profiles = [loaded.seccompProfile].compactMap { $0 } + loaded.commands.compactMap(\.seccompProfile)
        for profile in Set(profiles).sorted() {
            do {
                let filter = try compiler.load(contentsOf: profile)
                print("# seccomp \(profile): \(filter.instructionCount) BPF instructions, sha256 \(filter.profileHash)")
            } catch {
                print("\(profile): \(error)")
                failed = true
            }
        }
        let capabilities = SandboxCapabilities.probe()
        do {
            let identity = try JobIdentity.resolve(loaded.runAs, capabilities: capabilities)
            let ids = identity.effectiveIDs
            if let range = loaded.runAs.uidRange {
                print("# jobs run as a uid (and gid) of their own from \(range.lowerBound)-\(range.upperBound)")
            } else {
                print("# jobs run as uid \(ids.uid) gid \(ids.gid)\(identity == .launcher ? " (single-uid mode)" : "")")
            }
        } catch {
            print("\(loaded.sourcePath): run_as: \(error)")
            failed = true
        }
        for line in capabilities.layerReport { print("# layer \(line)") }
        print(loaded.effectiveSummary)
        if failed { throw ExitCode(1) }
    }
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
