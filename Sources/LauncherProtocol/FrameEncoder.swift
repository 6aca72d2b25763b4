/// Turns messages into length-prefixed frames (the layout is described on `FrameFormat`).
///
/// The encoder refuses anything the decoder would refuse, so a frame it produces always decodes:
/// a field over its `ProtocolLimits` limit throws `field.too_long`, and a message whose frame
/// would exceed `ProtocolLimits.maxFrameSize` (a `start` with many large arguments) throws
/// `encode.too_large`. Data messages (`stdinData`, `output`) of at most
/// `ProtocolLimits.maxChunkBytes` bytes always fit; callers chunk larger data.
public enum FrameEncoder {
    /// Encodes one front-end → launcher frame.
    /// - Throws: `ProtocolError` with `field.too_long` or `encode.too_large`.
    public static func encode(_ message: ClientMessage) throws(ProtocolError) -> [UInt8] {
        var frame: [UInt8] = []
        try append(message, to: &frame)
        return frame
    }

    /// Encodes one launcher → front-end frame.
    /// - Throws: `ProtocolError` with `field.too_long` or `encode.too_large`.
    public static func encode(_ message: LauncherMessage) throws(ProtocolError) -> [UInt8] {
        var frame: [UInt8] = []
        try append(message, to: &frame)
        return frame
    }

    /// Appends one front-end → launcher frame to `buffer` (to batch several frames in one write).
    /// - Throws: `ProtocolError` with `field.too_long` or `encode.too_large`; `buffer` is then
    ///   unchanged.
    public static func append(_ message: ClientMessage, to buffer: inout [UInt8]) throws(ProtocolError) {
        try ByteWriter.appendFrame(to: &buffer) { writer throws(ProtocolError) in try message.encode(to: &writer) }
    }

    /// Appends one launcher → front-end frame to `buffer` (to batch several frames in one write).
    /// - Throws: `ProtocolError` with `field.too_long` or `encode.too_large`; `buffer` is then
    ///   unchanged.
    public static func append(_ message: LauncherMessage, to buffer: inout [UInt8]) throws(ProtocolError) {
        try ByteWriter.appendFrame(to: &buffer) { writer throws(ProtocolError) in try message.encode(to: &writer) }
    }
}
