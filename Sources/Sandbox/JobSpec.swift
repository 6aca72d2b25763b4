/// Everything that describes one job, as decided by the launcher (never by the front-end).
///
/// A spec is turned into a ``PreparedJob`` once — C arrays for argv/envp, opened fds, resolved
/// limits — and the child only ever sees the prepared form.
public struct JobSpec: Sendable {
    /// The program, already opened by the launcher (symlink-safe resolution happens there).
    public var executable: ExecutableFile
    /// `argv[0]`; by convention the path the client asked for.
    public var argv0: String
    /// `argv[1...]`.
    public var arguments: [String]
    /// The complete environment of the child, in order. Nothing is inherited.
    public var environment: [EnvironmentVariable]
    /// Working directory (opened by path at preparation); `nil` keeps the launcher's.
    public var workingDirectory: String?
    /// Who the child runs as (see ``JobIdentity/resolve(_:capabilities:)``).
    public var identity: JobIdentity
    /// Resource limits applied in the child.
    public var limits: ResourceLimits
    /// The compiled filter, installed last; `nil` only if the policy explicitly disables seccomp.
    public var seccomp: CompiledSeccompFilter?
    /// Where stdin comes from.
    public var stdin: StdinMode
    /// What happens to stdout.
    public var stdout: OutputMode
    /// What happens to stderr.
    public var stderr: OutputMode
    /// Wall-clock limit; on expiry the process group gets SIGTERM, then SIGKILL after ``killGrace``.
    public var timeout: Duration?
    /// Time between SIGTERM and SIGKILL on timeout or cancellation.
    public var killGrace: Duration
    /// After the main process has exited, how long descendants may keep stdout/stderr open before
    /// the group is killed (a daemonised grandchild must not hold a request forever).
    public var lingerAfterExit: Duration
    /// Debug builds only: make the child fail at this step, to test error reporting.
    public var faultInjectionStep: SandboxError.Code?

    /// Creates a spec with safe defaults: no stdin, both streams captured up to 16 MiB, seccomp as
    /// given, 2 s kill grace, 5 s linger.
    public init(
        executable: ExecutableFile, argv0: String? = nil, arguments: [String] = [],
        environment: [EnvironmentVariable] = [], workingDirectory: String? = nil,
        identity: JobIdentity, limits: ResourceLimits = ResourceLimits(),
        seccomp: CompiledSeccompFilter?, stdin: StdinMode = .null,
        stdout: OutputMode = .capture(OutputCap()), stderr: OutputMode = .capture(OutputCap()),
        timeout: Duration? = nil, killGrace: Duration = .seconds(2), lingerAfterExit: Duration = .seconds(5)
    ) {
        self.executable = executable
        self.argv0 = argv0 ?? executable.path
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.identity = identity
        self.limits = limits
        self.seccomp = seccomp
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.timeout = timeout
        self.killGrace = killGrace
        self.lingerAfterExit = lingerAfterExit
        self.faultInjectionStep = nil
    }
}

/// One `NAME=value` entry of the child's environment.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Creates an entry (validated when the job is prepared).
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The source of the child's stdin.
public enum StdinMode: Sendable, Hashable {
    /// `/dev/null`: never the launcher's own stdin.
    case null
    /// A pipe the engine feeds from these bytes, then closes.
    case bytes([UInt8])
    /// A pipe fed through ``JobHandle/writeStdin(_:)`` until ``JobHandle/closeStdin()``.
    case stream
}

/// What happens to one output stream.
public enum OutputMode: Sendable, Hashable {
    /// `/dev/null`.
    case discard
    /// A pipe the engine drains, keeping at most `cap.limit` bytes.
    case capture(OutputCap)
}

/// A per-stream byte cap.
public struct OutputCap: Sendable, Hashable {
    /// What to do once a stream has produced more than `limit` bytes.
    public enum Overflow: Sendable, Hashable {
        /// Keep the first `limit` bytes, keep draining and counting, flag the stream truncated.
        case truncate
        /// Kill the job's process group at once and flag the result `outputLimitExceeded`.
        case kill
    }

    /// Bytes kept.
    public var limit: Int
    /// Behaviour past the limit.
    public var overflow: Overflow

    /// Creates a cap (default 16 MiB, truncate).
    public init(limit: Int = 16 << 20, overflow: Overflow = .truncate) {
        self.limit = limit
        self.overflow = overflow
    }
}

/// Resource limits for the child; `nil` leaves the launcher's value.
///
/// Each value is applied as both soft and hard limit (a job cannot raise it back). `core` is 0
/// unless changed: core dumps of jobs would write request data to disk.
public struct ResourceLimits: Sendable, Hashable {
    public var core: UInt64? = 0
    public var openFiles: UInt64? = 1024
    public var processes: UInt64?
    public var fileSize: UInt64?
    public var cpuSeconds: UInt64?
    public var addressSpace: UInt64?
    public var stack: UInt64?

    /// Creates limits (defaults: no core dumps, 1024 open files, the rest inherited).
    public init(
        core: UInt64? = 0, openFiles: UInt64? = 1024, processes: UInt64? = nil, fileSize: UInt64? = nil,
        cpuSeconds: UInt64? = nil, addressSpace: UInt64? = nil, stack: UInt64? = nil
    ) {
        self.core = core
        self.openFiles = openFiles
        self.processes = processes
        self.fileSize = fileSize
        self.cpuSeconds = cpuSeconds
        self.addressSpace = addressSpace
        self.stack = stack
    }
}
