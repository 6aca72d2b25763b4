/// The framing shared by `ClientMessageDecoder` and `LauncherMessageDecoder`: buffers bytes as
/// they arrive and cuts complete frames off the front.
///
/// - A length prefix of 0 or above `ProtocolLimits.maxFrameSize` fails as soon as its 4 bytes are
///   in, so a hostile peer cannot make us wait for (or buffer) a huge body.
/// - Consumed bytes are skipped with a read index and compacted away only once they are at least
///   half the buffer, so decoding a stream costs amortised O(1) per byte.
/// - The first error is sticky: every later `next()` throws it again, and no more bytes are kept.
struct FrameDecoder<Message: WireMessage>: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: ProtocolError?

    /// Compaction waits for at least this many consumed bytes, so small frames do not shift the
    /// buffer on every call.
    private static var compactionThreshold: Int { 4096 }

    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        guard failure == nil else { return }
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    mutating func next() throws(ProtocolError) -> Message? {
        if let failure { throw failure }
        do throws(ProtocolError) {
            return try decodeFrame()
        } catch {
            failure = error
            buffer = []
            readIndex = 0
            throw error
        }
    }

    private mutating func decodeFrame() throws(ProtocolError) -> Message? {
        let prefixSize = FrameFormat.lengthPrefixSize
        guard buffer.count - readIndex >= prefixSize else { return nil }
        var length = 0
        for index in readIndex..<readIndex + prefixSize {
            length = length << 8 | Int(buffer[index])
        }
        guard length > 0 else {
            throw ProtocolError(.frameEmpty, "a frame has length 0")
        }
        guard length <= ProtocolLimits.maxFrameSize else {
            throw ProtocolError(.frameOversized, "a frame has length \(length); the limit is \(ProtocolLimits.maxFrameSize)")
        }
        let bodyStart = readIndex + prefixSize
        guard buffer.count - bodyStart >= length else { return nil }
        let bodyEnd = bodyStart + length

        let type = buffer[bodyStart]
        var payload = ByteReader(buffer[bodyStart + 1..<bodyEnd])
        let message = try Message.decode(type: type, payload: &payload)
        guard payload.isAtEnd else {
            throw ProtocolError(.trailingBytes, "\(payload.remaining) bytes follow the end of a message of type \(FrameFormat.hex(type))")
        }
        readIndex = bodyEnd
        return message
    }

    private mutating func compactIfWorthwhile() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= Self.compactionThreshold, readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
