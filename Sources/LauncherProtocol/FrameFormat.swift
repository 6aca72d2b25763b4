/// The frame layout, shared by `FrameEncoder` and the decoders.
///
/// A frame is a 4-byte big-endian `UInt32` body length `L` (`1...ProtocolLimits.maxFrameSize`)
/// followed by the body: one type byte and the message's payload. Primitives:
/// - `u8`, `u16`, `u32`, `u64`: big-endian unsigned integers; `i32`: the `u32` bit pattern.
/// - `bool`: a `u8` that is 0 or 1.
/// - `string`: `u32` length + that many bytes of valid UTF-8; `bytes`: `u32` length + raw bytes.
///   Each has a per-field limit in `ProtocolLimits`, checked before anything is read or allocated.
/// - lists: `u16` count (limited) + the elements.
///
/// Payloads are listed with each message's encoding (`ClientMessage+Wire.swift`,
/// `LauncherMessage+Wire.swift`, `StartJob+Wire.swift`, `JobSummary+Wire.swift`). A payload must be
/// consumed exactly: trailing bytes are an error.
enum FrameFormat {
    /// Size of the body-length prefix.
    static let lengthPrefixSize = 4

    /// A type byte as `0x0f`, for error text.
    static func hex(_ type: UInt8) -> String {
        let digits = String(type, radix: 16)
        return "0x" + (digits.count < 2 ? "0" : "") + digits
    }

    /// Type bytes. Front-end → launcher use `0x01…`, launcher → front-end `0x81…`, so a frame sent
    /// the wrong way is an unknown type rather than a plausible message.
    enum MessageType: UInt8 {
        case hello = 0x01
        case start = 0x02
        case stdinData = 0x03
        case stdinClose = 0x04
        case cancel = 0x05
        case statsRequest = 0x06

        case helloAck = 0x81
        case accepted = 0x82
        case rejected = 0x83
        case started = 0x84
        case output = 0x85
        case finished = 0x86
        case protocolError = 0x87
        case stats = 0x88
    }
}

/// The decoding and encoding of one direction's messages, so one framer serves both.
protocol WireMessage: Sendable {
    /// Who sends these messages, for error text (`front-end`, `launcher`).
    static var sender: String { get }
    /// Decodes the payload of a frame whose type byte was `type`. The caller checks that the
    /// payload was consumed exactly.
    static func decode(type: UInt8, payload: inout ByteReader) throws(ProtocolError) -> Self
    /// Writes the type byte and the payload.
    func encode(to writer: inout ByteWriter) throws(ProtocolError)
}
