/// A seccomp profile in the OCI runtime-spec / Docker JSON format, parsed and validated.
///
/// Accepts OCI `LinuxSeccomp` objects verbatim and Docker/moby profiles (whose `includes` /
/// `excludes` conditions are evaluated at load time by ``resolvedRules(for:)``). Everything that
/// would change the filter's meaning is checked when the profile is loaded: unknown actions,
/// operators and keys are errors naming the rule; syscall names are checked against libseccomp
/// when the profile is compiled (in `Sandbox`), also at load time.
public struct SeccompProfile: Sendable, Hashable {
    /// Action for syscalls no rule matches.
    public var defaultAction: SeccompAction
    /// `SCMP_ARCH_*` names listed by the profile (the native one is always included).
    public var architectures: [String]
    /// `SECCOMP_FILTER_FLAG_*` names to install the filter with.
    public var flags: [String]
    /// The rules, in file order.
    public var rules: [SeccompRule]
    /// SHA-256 (hex) of the exact bytes the profile was parsed from: its identity in caches and
    /// audit records.
    public var contentHash: String
    /// A short display name (usually the file name without extension).
    public var name: String

    /// Creates a profile from parts (mostly for tests; files go through ``parse(_:name:)``).
    public init(
        name: String, defaultAction: SeccompAction, architectures: [String] = [], flags: [String] = [],
        rules: [SeccompRule], contentHash: String
    ) {
        self.name = name
        self.defaultAction = defaultAction
        self.architectures = architectures
        self.flags = flags
        self.rules = rules
        self.contentHash = contentHash
    }
}

/// What a seccomp filter does with a matching syscall.
public enum SeccompAction: Sendable, Hashable, CustomStringConvertible {
    case allow
    /// Fail the syscall with this errno.
    case errno(UInt16)
    /// Kill the whole process (`SCMP_ACT_KILL_PROCESS`).
    case killProcess
    /// Kill the calling thread (`SCMP_ACT_KILL`, `SCMP_ACT_KILL_THREAD`).
    case killThread
    /// Send SIGSYS.
    case trap
    /// Notify a ptrace tracer; without one the syscall fails with ENOSYS.
    case trace(UInt16)
    /// Allow and log.
    case log

    public var description: String {
        switch self {
        case .allow: "SCMP_ACT_ALLOW"
        case .errno(let e): "SCMP_ACT_ERRNO(\(e))"
        case .killProcess: "SCMP_ACT_KILL_PROCESS"
        case .killThread: "SCMP_ACT_KILL_THREAD"
        case .trap: "SCMP_ACT_TRAP"
        case .trace(let e): "SCMP_ACT_TRACE(\(e))"
        case .log: "SCMP_ACT_LOG"
        }
    }
}

/// One entry of `syscalls`: names, an action, optional argument conditions (AND-ed), and
/// Docker's load-time conditions.
public struct SeccompRule: Sendable, Hashable {
    /// Syscall names, as written.
    public var names: [String]
    /// What happens when a call matches.
    public var action: SeccompAction
    /// Argument comparisons, all of which must hold.
    public var args: [SeccompArgument]
    /// Docker `includes`: the rule applies only when all of these hold.
    public var includes: SeccompCondition
    /// Docker `excludes`: the rule is dropped when any of these holds.
    public var excludes: SeccompCondition
    /// The rule's `comment`, if any.
    public var comment: String?
    /// Position in the file's `syscalls` array, for error messages.
    public var index: Int

    /// Creates a rule.
    public init(
        names: [String], action: SeccompAction, args: [SeccompArgument] = [],
        includes: SeccompCondition = .init(), excludes: SeccompCondition = .init(),
        comment: String? = nil, index: Int = 0
    ) {
        self.names = names
        self.action = action
        self.args = args
        self.includes = includes
        self.excludes = excludes
        self.comment = comment
        self.index = index
    }

    /// `syscalls[i] "comment"` — how errors name this rule.
    public var location: String {
        if let comment, !comment.isEmpty {
            let short = comment.count > 60 ? String(comment.prefix(57)) + "..." : comment
            return "syscalls[\(index)] \"\(short)\""
        }
        return "syscalls[\(index)] (\(names.prefix(3).joined(separator: ", "))\(names.count > 3 ? ", ..." : ""))"
    }
}

/// An argument comparison (`args[]` entry).
public struct SeccompArgument: Sendable, Hashable {
    /// Comparison operators of the OCI format.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case notEqual = "SCMP_CMP_NE"
        case lessThan = "SCMP_CMP_LT"
        case lessOrEqual = "SCMP_CMP_LE"
        case equal = "SCMP_CMP_EQ"
        case greaterOrEqual = "SCMP_CMP_GE"
        case greaterThan = "SCMP_CMP_GT"
        /// `(arg & value) == valueTwo`.
        case maskedEqual = "SCMP_CMP_MASKED_EQ"
    }

    /// Argument position, 0...5.
    public var index: UInt32
    /// Compared value (the mask for `maskedEqual`).
    public var value: UInt64
    /// Second value (the expected masked value for `maskedEqual`).
    public var valueTwo: UInt64
    /// The comparison.
    public var op: Operator

    /// Creates a comparison.
    public init(index: UInt32, value: UInt64, valueTwo: UInt64 = 0, op: Operator) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }
}

/// Docker's `includes` / `excludes` object.
public struct SeccompCondition: Sendable, Hashable {
    /// Capability names such as `CAP_SYS_ADMIN`.
    public var caps: [String]
    /// Go-style architecture names such as `amd64`, `arm64`.
    public var arches: [String]
    /// `major.minor` kernel version.
    public var minKernel: KernelVersion?

    /// Creates a condition (all parts empty: "no condition").
    public init(caps: [String] = [], arches: [String] = [], minKernel: KernelVersion? = nil) {
        self.caps = caps
        self.arches = arches
        self.minKernel = minKernel
    }

    /// True when nothing is specified.
    public var isEmpty: Bool { caps.isEmpty && arches.isEmpty && minKernel == nil }
}

/// A `major.minor` kernel version.
public struct KernelVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// Creates a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `"5.8"` or a `uname -r` release such as `"6.18.44-fc-v595"` (only major.minor kept).
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let major = Int(parts[0]) else { return nil }
        let minorDigits = parts[1].prefix { $0.isNumber }
        guard let minor = Int(minorDigits) else { return nil }
        self.init(major: major, minor: minor)
    }

    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "\(major).\(minor)" }
}
