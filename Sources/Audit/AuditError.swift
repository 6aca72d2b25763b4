/// Why a record could not be written (or a sink not opened). Stable codes for logs and tests.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// The audit file could not be opened (or reopened).
        case open = "audit.open"
        /// A write failed or was short (the partial record was cut off again).
        case write = "audit.write"
        /// fdatasync failed: the record may not survive a crash.
        case sync = "audit.sync"
        /// The journal did not take the entry.
        case journal = "audit.journal"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
