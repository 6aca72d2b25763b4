/// Payloads of front-end → launcher frames:
/// - `hello` (0x01): `u16` version.
/// - `start` (0x02): see `StartJob+Wire.swift`.
/// - `stdinData` (0x03): `bytes` (≤ `maxChunkBytes`).
/// - `stdinClose` (0x04), `cancel` (0x05), `statsRequest` (0x06): empty.
extension ClientMessage: WireMessage {
    static var sender: String { "front-end" }

    static func decode(type: UInt8, payload: inout ByteReader) throws(ProtocolError) -> ClientMessage {
        switch FrameFormat.MessageType(rawValue: type) {
        case .hello: return .hello(version: try payload.readUInt16("hello.version"))
        case .start: return .start(try StartJob(from: &payload))
        case .stdinData: return .stdinData(try payload.readBytes("stdinData.bytes", limit: ProtocolLimits.maxChunkBytes))
        case .stdinClose: return .stdinClose
        case .cancel: return .cancel
        case .statsRequest: return .statsRequest
        default: throw .unknownType(type, sender: sender)
        }
    }

    func encode(to writer: inout ByteWriter) throws(ProtocolError) {
        switch self {
        case .hello(let version):
            writer.writeType(.hello)
            writer.writeInteger(version)
        case .start(let job):
            writer.writeType(.start)
            try job.encode(to: &writer)
        case .stdinData(let bytes):
            writer.writeType(.stdinData)
            try writer.writeBytes(bytes, "stdinData.bytes", limit: ProtocolLimits.maxChunkBytes)
        case .stdinClose:
            writer.writeType(.stdinClose)
        case .cancel:
            writer.writeType(.cancel)
        case .statsRequest:
            writer.writeType(.statsRequest)
        }
    }

    /// The message's name, for error text (never its contents).
    var name: String {
        switch self {
        case .hello: "hello"
        case .start: "start"
        case .stdinData: "stdinData"
        case .stdinClose: "stdinClose"
        case .cancel: "cancel"
        case .statsRequest: "statsRequest"
        }
    }
}
