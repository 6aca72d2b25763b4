/// Payloads of launcher → front-end frames:
/// - `helloAck` (0x81): `u16` version, `u32` maxFrameSize.
/// - `accepted` (0x82): empty.
/// - `rejected` (0x83): code `string` (≤ `maxErrorCodeBytes`), message `string` (≤ `maxMessageBytes`).
/// - `started` (0x84): `i32` pid.
/// - `output` (0x85): `u8` stream (1 stdout, 2 stderr), `bytes` (≤ `maxChunkBytes`).
/// - `finished` (0x86): see `JobSummary+Wire.swift`.
/// - `protocolError` (0x87): message `string` (≤ `maxMessageBytes`).
/// - `stats` (0x88): see `StatsEntry+Wire.swift`.
extension LauncherMessage: WireMessage {
    static var sender: String { "launcher" }

    static func decode(type: UInt8, payload: inout ByteReader) throws(ProtocolError) -> LauncherMessage {
        switch FrameFormat.MessageType(rawValue: type) {
        case .helloAck:
            let version = try payload.readUInt16("helloAck.version")
            return .helloAck(version: version, maxFrameSize: try payload.readUInt32("helloAck.maxFrameSize"))
        case .accepted:
            return .accepted
        case .rejected:
            let code = try payload.readString("rejected.code", limit: ProtocolLimits.maxErrorCodeBytes)
            return .rejected(code: code, message: try payload.readString("rejected.message", limit: ProtocolLimits.maxMessageBytes))
        case .started:
            return .started(pid: try payload.readInt32("started.pid"))
        case .output:
            let stream = try payload.readEnum(OutputStream.self, "output.stream")
            return .output(stream: stream, bytes: try payload.readBytes("output.bytes", limit: ProtocolLimits.maxChunkBytes))
        case .finished:
            return .finished(try JobSummary(from: &payload))
        case .protocolError:
            return .protocolError(message: try payload.readString("protocolError.message", limit: ProtocolLimits.maxMessageBytes))
        case .stats:
            return .stats(try StatsEntry.readList(from: &payload))
        default:
            throw .unknownType(type, sender: sender)
        }
    }

    func encode(to writer: inout ByteWriter) throws(ProtocolError) {
        switch self {
        case .helloAck(let version, let maxFrameSize):
            writer.writeType(.helloAck)
            writer.writeInteger(version)
            writer.writeInteger(maxFrameSize)
        case .accepted:
            writer.writeType(.accepted)
        case .rejected(let code, let message):
            writer.writeType(.rejected)
            try writer.writeString(code, "rejected.code", limit: ProtocolLimits.maxErrorCodeBytes)
            try writer.writeString(message, "rejected.message", limit: ProtocolLimits.maxMessageBytes)
        case .started(let pid):
            writer.writeType(.started)
            writer.writeInt32(pid)
        case .output(let stream, let bytes):
            writer.writeType(.output)
            writer.writeInteger(stream.rawValue)
            try writer.writeBytes(bytes, "output.bytes", limit: ProtocolLimits.maxChunkBytes)
        case .finished(let summary):
            writer.writeType(.finished)
            summary.encode(to: &writer)
        case .protocolError(let message):
            writer.writeType(.protocolError)
            try writer.writeString(message, "protocolError.message", limit: ProtocolLimits.maxMessageBytes)
        case .stats(let entries):
            writer.writeType(.stats)
            try StatsEntry.writeList(entries, to: &writer)
        }
    }
}
