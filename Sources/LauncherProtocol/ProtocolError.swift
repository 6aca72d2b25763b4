/// A violation of the launcher wire protocol, found while decoding a frame, while encoding one, or
/// by a connection state machine (a message that may not come now).
///
/// `code` is stable and machine-readable; `message` is short and written for logs. Messages never
/// contain payload bytes (a peer must not be able to make us log or echo its data): they name the
/// field and, at most, a length or a limit.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable error codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        /// A length prefix of 0 (every frame has at least a type byte).
        public static let frameEmpty = Code("frame.empty")
        /// A length prefix above `ProtocolLimits.maxFrameSize`.
        public static let frameOversized = Code("frame.oversized")
        /// The frame body ends inside a field.
        public static let frameTruncated = Code("frame.truncated")
        /// A type byte this direction of the protocol does not define.
        public static let unknownType = Code("frame.unknown_type")
        /// Bytes left in the frame body after the last field of its message.
        public static let trailingBytes = Code("frame.trailing_bytes")
        /// A string, byte field or list longer than its limit in `ProtocolLimits`.
        public static let fieldTooLong = Code("field.too_long")
        /// A string field that is not valid UTF-8.
        public static let invalidUTF8 = Code("field.invalid_utf8")
        /// An enumeration, bool or flag field with a value the protocol does not define.
        public static let invalidValue = Code("field.invalid_value")
        /// A well-formed message that the connection's state does not allow now.
        public static let unexpectedMessage = Code("message.unexpected")
        /// The peer speaks a protocol version this build does not.
        public static let unsupportedVersion = Code("version.unsupported")
        /// A message whose frame would exceed `ProtocolLimits.maxFrameSize`; nothing was written.
        public static let encodeTooLarge = Code("encode.too_large")
    }

    /// The stable code.
    public let code: Code
    /// What is wrong, without payload bytes.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`, e.g. `field.too_long: start.command is 5000 bytes; the limit is 4096`.
    public var description: String { "\(code): \(message)" }
}

extension ProtocolError {
    static func truncated(_ field: String) -> ProtocolError {
        ProtocolError(.frameTruncated, "the frame ends inside \(field)")
    }

    static func tooLong(_ field: String, length: some BinaryInteger, limit: Int, unit: String = "bytes") -> ProtocolError {
        ProtocolError(.fieldTooLong, "\(field) is \(length) \(unit); the limit is \(limit)")
    }

    static func unknownType(_ type: UInt8, sender: String) -> ProtocolError {
        ProtocolError(.unknownType, "type \(FrameFormat.hex(type)) is not a \(sender) message")
    }

    static func invalidValue(_ field: String) -> ProtocolError {
        ProtocolError(.invalidValue, "\(field) has a value the protocol does not define")
    }
}
