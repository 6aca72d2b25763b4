/// An error in a policy or seccomp profile, found when it is loaded (never at spawn time).
///
/// `code` is stable and documented; `message` names the offending rule or field so an operator can
/// fix the file without guessing. Messages never contain file contents beyond the offending token.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable error codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        /// The file is not valid JSON or not a JSON object.
        public static let malformed = Code("policy.malformed")
        /// A field has the wrong type or a value out of range.
        public static let invalidField = Code("policy.invalid_field")
        /// A key that this format does not define (a typo would otherwise change meaning silently).
        public static let unknownField = Code("policy.unknown_field")
        /// An action name that is not an OCI/Docker seccomp action we implement.
        public static let unknownAction = Code("policy.unknown_action")
        /// A comparison operator name that is not an OCI/Docker one.
        public static let unknownOperator = Code("policy.unknown_operator")
        /// A syscall name libseccomp does not know on any architecture.
        public static let unknownSyscall = Code("policy.unknown_syscall")
        /// An architecture name libseccomp does not know.
        public static let unknownArchitecture = Code("policy.unknown_architecture")
        /// A feature of the format that this launcher deliberately does not support.
        public static let unsupported = Code("policy.unsupported")
        /// libseccomp refused to compile or export the filter.
        public static let compileFailed = Code("policy.compile_failed")
        /// The file could not be read.
        public static let unreadable = Code("policy.unreadable")
    }

    /// The stable code.
    public let code: Code
    /// Where in the file (e.g. `syscalls[3] "mount and filesystem namespaces"`), if known.
    public let location: String?
    /// What is wrong.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, at location: String? = nil, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    public var description: String {
        if let location { return "\(code): \(location): \(message)" }
        return "\(code): \(message)"
    }
}
