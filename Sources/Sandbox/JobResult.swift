/// How a job ended and what it cost: the typed record the launcher reports and audits.
public struct JobResult: Sendable, Hashable {
    /// How the main process ended.
    public enum Termination: Sendable, Hashable {
        /// Normal exit with this status (0-255).
        case exited(Int32)
        /// Killed by this signal (the HTTP layer reports it as `-signal`).
        case signaled(Int32)
    }

    /// Exit status or signal of the main process.
    public var termination: Termination
    /// The wall-clock timeout fired (and the group was terminated).
    public var timedOut: Bool
    /// The job was cancelled (client went away, launcher draining).
    public var cancelled: Bool
    /// A stream exceeded its cap under the `kill` overflow policy.
    public var outputLimitExceeded: Bool
    /// Per-stream accounting.
    public var stdout: StreamStats
    public var stderr: StreamStats
    /// Bytes delivered to the child's stdin.
    public var stdinBytes: Int
    /// From spawn to the end of supervision.
    public var wallTime: Duration
    /// CPU time of the main process and the descendants it waited for.
    public var userTime: Duration
    public var systemTime: Duration
    /// Peak resident set size, KiB.
    public var maxRSSKiB: Int
    /// The child's pid (for logs; already reaped).
    public var pid: Int32
    /// The layers that were applied.
    public var layers: AppliedLayers

    /// The seccomp profile hash, if a filter was installed.
    public var policyHash: String? { layers.seccompProfileHash }
}

/// Accounting for one output stream.
public struct StreamStats: Sendable, Hashable {
    /// Bytes the child wrote (all of them, counted even past the cap).
    public var bytesSeen: Int = 0
    /// Bytes kept and delivered (at most the cap).
    public var bytesKept: Int = 0
    /// More was seen than kept.
    public var truncated: Bool { bytesSeen > bytesKept }
    public init() {}
}

/// Which sandbox layers a job ran under.
public struct AppliedLayers: Sendable, Hashable {
    public enum Identity: Sendable, Hashable {
        case launcher
        case switched(uid: UInt32, gid: UInt32)
    }
    public var seccompProfile: String?
    public var seccompProfileHash: String?
    public var noNewPrivileges: Bool
    public var identity: Identity
    public var rlimits: Int
    public var newSession: Bool
    public var parentDeathSignal: Bool
    public var closedInheritedFds: Bool
}
