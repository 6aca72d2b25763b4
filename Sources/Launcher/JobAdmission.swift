import LauncherProtocol
import Policy
import Sandbox

/// A refusal: a stable code from `RejectCode` and a message safe to show a client (no host paths).
public struct Rejection: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: String
    public let message: String
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "\(code): \(message)" }
}

/// Turns a front-end's `StartJob` claim into a `JobSpec`, re-deciding everything from the policy:
/// the command is resolved here, beneath the exec root; the environment is the policy's base plus
/// the client's variables that pass the policy's rules; limits come from the policy, and a
/// requested timeout can only shorten the policy's.
struct JobAdmission: Sendable {
    let policy: LauncherPolicy
    let execRoot: ExecRoot
    let identity: JobIdentity
    let defaultFilter: CompiledSeccompFilter?
    /// Per-command filters (nil value = the command runs unconfined by explicit policy).
    let commandFilters: [String: CompiledSeccompFilter?]
    /// Names the policy's base environment sets; clients may not change them.
    private let fixedNames: Set<String>

    init(policy: LauncherPolicy, execRoot: ExecRoot, identity: JobIdentity, defaultFilter: CompiledSeccompFilter?,
         commandFilters: [String: CompiledSeccompFilter?]) {
        self.policy = policy
        self.execRoot = execRoot
        self.identity = identity
        self.defaultFilter = defaultFilter
        self.commandFilters = commandFilters
        fixedNames = Set(policy.environment.base.map(\.name))
    }

    /// An admitted job and the per-command settings that govern it beyond its spec.
    struct Admitted {
        let spec: JobSpec
        /// The override's path when one applies, else the requested path: the concurrency key.
        let commandKey: String
        let maxConcurrent: Int
        let stdinCap: Int
    }

    /// The admitted job, or why not.
    func admit(_ request: StartJob, as identity: JobIdentity? = nil) throws(Rejection) -> Admitted {
        let identity = identity ?? self.identity
        // Cheap checks before any file-system work.
        for (i, argument) in request.arguments.enumerated() where argument.utf8.contains(0) {
            throw Rejection(RejectCode.invalidArgument, "argument \(i + 1) contains a NUL byte")
        }
        let executable: ExecutableFile
        do {
            executable = try execRoot.open(request.command, runAs: identity.effectiveIDs)
        } catch {
            throw Rejection(error.kind.rawValue, error.message)
        }
        // Overrides follow the file, not the spelling: `alias -> sh` or `bin/sh` reaching the
        // same inode as an overridden `sh` gets `sh`'s settings.
        // Byte equality: String `==` makes the composed and decomposed spellings of `é` equal,
        // but they are different files.
        let override = policy.commands.first { $0.path.utf8.elementsEqual(request.command.utf8) }
            ?? policy.commands.first { execRoot.fileIdentity(of: $0.path) == executable.identity }
        let command = override?.path ?? request.command

        var environment = policy.environment.base.map { EnvironmentVariable($0.name, $0.value) }
        let allow = override?.environmentAllow ?? policy.environment.allow
        for entry in request.environment {
            try Self.checkName(entry.name, deny: policy.environment.deny, allow: allow)
            if fixedNames.contains(entry.name) {
                throw Rejection(RejectCode.deniedEnvironment, "environment variable \(entry.name) is set by the policy and may not be changed")
            }
            guard !entry.value.utf8.contains(0) else {
                throw Rejection(RejectCode.invalidEnvironment, "environment variable \(entry.name) contains a NUL byte")
            }
            if let i = environment.firstIndex(where: { $0.name == entry.name }) {
                environment[i].value = entry.value // a client repeating its own variable: last wins
            } else {
                environment.append(EnvironmentVariable(entry.name, entry.value))
            }
        }

        let limits = policy.limits
        var timeout = override?.timeout ?? limits.timeout
        if request.timeoutMilliseconds > 0 {
            timeout = min(timeout, .milliseconds(Int64(request.timeoutMilliseconds)))
        }
        let cap = OutputCap(
            limit: override?.outputCap ?? limits.outputCap,
            overflow: (override?.killOnOutputOverflow ?? limits.killOnOutputOverflow) ? .kill : .truncate)
        let filter: CompiledSeccompFilter? = commandFilters[command] ?? defaultFilter

        let spec = JobSpec(
            // argv[0] is the command's absolute path beneath the exec root, as the original passed it
            // (programs print it in usage messages; the client already knows both halves).
            executable: executable, argv0: policy.execRoot + "/" + request.command, arguments: request.arguments,
            environment: environment,
            workingDirectory: policy.workingDirectory, identity: identity,
            limits: ResourceLimits(
                core: limits.core, openFiles: limits.openFiles, processes: limits.processes,
                fileSize: limits.fileSize, cpuSeconds: limits.cpuSeconds, addressSpace: limits.addressSpace,
                stack: limits.stack),
            seccomp: filter, stdin: request.stdin == .stream ? .stream : .null,
            stdout: request.captureStdout ? .capture(cap) : .discard,
            stderr: request.captureStderr ? .capture(cap) : .discard,
            timeout: timeout, killGrace: limits.killGrace)
        return Admitted(
            spec: spec, commandKey: command,
            maxConcurrent: override?.maxConcurrent ?? policy.concurrency.maxPerCommand,
            stdinCap: override?.stdinCap ?? limits.stdinCap)
    }

    /// Name rules: non-empty, no `=` or NUL, not denied, and allowed when an allow-list is set.
    static func checkName(_ name: String, deny: [String], allow: [String]?) throws(Rejection) {
        guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "=")), !name.utf8.contains(0) else {
            throw Rejection(RejectCode.invalidEnvironment, "invalid environment variable name")
        }
        if deny.contains(where: { LauncherPolicy.EnvironmentPolicy.matches($0, name) }) {
            throw Rejection(RejectCode.deniedEnvironment, "environment variable \(name) may not be set")
        }
        if let allow, !allow.contains(where: { LauncherPolicy.EnvironmentPolicy.matches($0, name) }) {
            throw Rejection(RejectCode.deniedEnvironment, "environment variable \(name) is not allowed for this command")
        }
    }
}
