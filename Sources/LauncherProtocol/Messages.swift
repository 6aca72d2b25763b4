/// The launcher wire vocabulary, version 2 (version 1 had no `statsRequest`/`stats`). Pure values: the codec (`FrameEncoder`, `ClientMessageDecoder`, `LauncherMessageDecoder`) turns them into
/// length-prefixed frames and back; the state machines decide which may follow which.
///
/// One connection carries one job at a time; after `finished` (or `rejected`) the connection is
/// idle again and may start the next job, so the front-end can keep a pool of warm connections.
/// Closing a connection cancels its running job.
public enum ProtocolVersion {
    /// The version this build speaks (and the only one it accepts).
    public static let current: UInt16 = 2
}

/// Hard limits, enforced by the decoder before anything is allocated for a field.
public enum ProtocolLimits {
    /// Largest frame body (type byte + payload), in bytes.
    public static let maxFrameSize = 1 << 20
    public static let maxRequestIDBytes = 128
    public static let maxCommandBytes = 4096
    public static let maxArguments = 4096
    public static let maxEnvironmentEntries = 1024
    public static let maxEnvironmentNameBytes = 256
    /// Per argument or environment value.
    public static let maxValueBytes = 128 * 1024
    /// Per stdin or output data frame.
    public static let maxChunkBytes = 256 * 1024
    public static let maxMessageBytes = 1024
    public static let maxClientAddressBytes = 256
    public static let maxErrorCodeBytes = 64
    /// Entries in one `stats` answer.
    public static let maxStatsEntries = 512
    /// A stats name or label value.
    public static let maxStatsNameBytes = 64
}

/// Messages from the front-end to the launcher.
public enum ClientMessage: Sendable, Hashable {
    /// First frame on every connection.
    case hello(version: UInt16)
    /// Start a job (only when no job is running on this connection).
    case start(StartJob)
    /// Bytes for the running job's stdin (only when it was started with `stdin: .stream`).
    case stdinData([UInt8])
    /// End of the running job's stdin.
    case stdinClose
    /// Cancel the running job (TERM → grace → KILL); its `finished` still follows.
    case cancel
    /// Ask for the launcher's counters (only when no job is running on this connection).
    case statsRequest
}

/// Everything the front-end asks for. Claims, not decisions: the launcher re-validates all of it.
public struct StartJob: Sendable, Hashable {
    /// The client's request id (or one the front-end generated), for logs and audit.
    public var requestID: String
    /// The command path as received, relative to the exec root (e.g. `tools/echo`).
    public var command: String
    /// `argv[1...]`.
    public var arguments: [String]
    /// Variables the client asks to add to the policy's base environment.
    public var environment: [EnvironmentEntry]
    /// Whether stdin data frames follow (`stream`) or stdin is /dev/null (`none`).
    public var stdin: StdinMode
    public var captureStdout: Bool
    public var captureStderr: Bool
    /// Requested wall-clock timeout in milliseconds; 0 means the policy's default. The launcher
    /// never grants more than the policy allows.
    public var timeoutMilliseconds: UInt32
    /// The HTTP client's address as the front-end saw it (asserted, for audit).
    public var clientAddress: String

    /// Creates a start request.
    public init(
        requestID: String, command: String, arguments: [String] = [], environment: [EnvironmentEntry] = [],
        stdin: StdinMode = .none, captureStdout: Bool = true, captureStderr: Bool = true,
        timeoutMilliseconds: UInt32 = 0, clientAddress: String = ""
    ) {
        self.requestID = requestID
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.stdin = stdin
        self.captureStdout = captureStdout
        self.captureStderr = captureStderr
        self.timeoutMilliseconds = timeoutMilliseconds
        self.clientAddress = clientAddress
    }

    /// Where the job's stdin comes from.
    public enum StdinMode: UInt8, Sendable, Hashable {
        case none = 0
        case stream = 1
    }
}

/// One `NAME=value` pair.
public struct EnvironmentEntry: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Messages from the launcher to the front-end.
public enum LauncherMessage: Sendable, Hashable {
    /// Answer to `hello`.
    case helloAck(version: UInt16, maxFrameSize: UInt32)
    /// The job passed validation and is being spawned.
    case accepted
    /// The job was refused; nothing ran.
    case rejected(code: String, message: String)
    /// The child has exec'd.
    case started(pid: Int32)
    /// Output of the running job (within its cap).
    case output(stream: OutputStream, bytes: [UInt8])
    /// The job is over; nothing more follows for it.
    case finished(JobSummary)
    /// The connection is being closed because of a protocol violation.
    case protocolError(message: String)
    /// Answer to `statsRequest`: the launcher's own counters and gauges.
    case stats([StatsEntry])

    /// Which output stream.
    public enum OutputStream: UInt8, Sendable, Hashable {
        case stdout = 1
        case stderr = 2
    }
}

/// One of the launcher's counters or gauges, for the front-end's `/metrics`.
///
/// Names and labels are plain identifiers (`[a-z_][a-z0-9_]*`, at most `maxStatsNameBytes`); label
/// values are printable ASCII without `"` or `\\` (at most `maxStatsNameBytes`), so the front-end can
/// render them without trusting or escaping them.
public struct StatsEntry: Sendable, Hashable {
    /// Whether the value only grows (counter) or goes up and down (gauge).
    public enum Kind: UInt8, Sendable, Hashable {
        case counter = 0
        case gauge = 1
    }

    public var name: String
    public var kind: Kind
    /// At most one label (`reason="not_found"`); `nil` for none.
    public var label: Label?
    public var value: UInt64

    /// A label name and value.
    public struct Label: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Creates an entry.
    public init(_ name: String, _ kind: Kind, label: Label? = nil, value: UInt64) {
        self.name = name
        self.kind = kind
        self.label = label
        self.value = value
    }

    /// Whether `text` is a valid name (`[a-z_][a-z0-9_]*`, non-empty, within the limit).
    public static func isValidName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= ProtocolLimits.maxStatsNameBytes else { return false }
        return bytes.enumerated().allSatisfy { i, b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || b == UInt8(ascii: "_") || (i > 0 && b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
        }
    }

    /// Whether `text` is a valid label value (printable ASCII, no quote or backslash, within the limit).
    public static func isValidLabelValue(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= ProtocolLimits.maxStatsNameBytes else { return false }
        return bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }
}

/// Stable rejection codes (`LauncherMessage.rejected`). Spawn failures use the sandbox's step
/// codes (`setup.rlimit`, `exec`, …) prefixed with `spawn:`.
public enum RejectCode {
    public static let invalidPath = "invalid_path"
    public static let notFound = "not_found"
    public static let notExecutable = "not_executable"
    public static let invalidArgument = "invalid_argument"
    public static let invalidEnvironment = "invalid_environment"
    public static let deniedEnvironment = "denied_environment"
    public static let busy = "busy"
    public static let shuttingDown = "shutting_down"
    public static let policy = "policy"
    /// The audit record could not be written and the policy refuses unrecorded jobs.
    public static let auditUnavailable = "audit_unavailable"
    public static let internalError = "internal"
}

/// The result of a job as the launcher reports it.
public struct JobSummary: Sendable, Hashable {
    /// How the main process ended.
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signaled(Int32)
    }

    public var termination: Termination
    public var timedOut: Bool
    public var cancelled: Bool
    public var outputLimitExceeded: Bool
    public var stdoutBytesSeen: UInt64
    public var stdoutBytesKept: UInt64
    public var stderrBytesSeen: UInt64
    public var stderrBytesKept: UInt64
    public var stdinBytes: UInt64
    public var wallMicroseconds: UInt64
    public var userMicroseconds: UInt64
    public var systemMicroseconds: UInt64
    public var maxRSSKiB: UInt64

    /// Creates a summary.
    public init(
        termination: Termination, timedOut: Bool = false, cancelled: Bool = false, outputLimitExceeded: Bool = false,
        stdoutBytesSeen: UInt64 = 0, stdoutBytesKept: UInt64 = 0, stderrBytesSeen: UInt64 = 0,
        stderrBytesKept: UInt64 = 0, stdinBytes: UInt64 = 0, wallMicroseconds: UInt64 = 0,
        userMicroseconds: UInt64 = 0, systemMicroseconds: UInt64 = 0, maxRSSKiB: UInt64 = 0
    ) {
        self.termination = termination
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.outputLimitExceeded = outputLimitExceeded
        self.stdoutBytesSeen = stdoutBytesSeen
        self.stdoutBytesKept = stdoutBytesKept
        self.stderrBytesSeen = stderrBytesSeen
        self.stderrBytesKept = stderrBytesKept
        self.stdinBytes = stdinBytes
        self.wallMicroseconds = wallMicroseconds
        self.userMicroseconds = userMicroseconds
        self.systemMicroseconds = systemMicroseconds
        self.maxRSSKiB = maxRSSKiB
    }

    /// Truncated output on either stream.
    public var truncated: Bool { stdoutBytesSeen > stdoutBytesKept || stderrBytesSeen > stderrBytesKept }

    /// How a job ended, in the words metrics and audit use: stopped at its timeout, killed by
    /// another signal, or exited on its own (any status).
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case exited, signaled, timeout
    }

    /// This job's outcome (a timeout wins over the signal that ended the job).
    public var outcome: Outcome {
        if timedOut { return .timeout }
        if case .signaled = termination { return .signaled }
        return .exited
    }
}
