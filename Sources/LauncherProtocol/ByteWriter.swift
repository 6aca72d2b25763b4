/// Writes one frame's wire primitives after the bytes already in `bytes`.
///
/// Variable-length fields check their `ProtocolLimits` limit and the room left in the frame before
/// anything is appended, so a message too large to send costs at most one frame's worth of memory
/// before it is refused.
struct ByteWriter {
    /// The output; the frame starts at `frameStart` with a length prefix patched by `finishFrame`.
    private var bytes: [UInt8]
    private let frameStart: Int

    private init(frameStart: Int) {
        self.bytes = []
        self.frameStart = frameStart
    }

    /// Appends one frame to `buffer`: reserves the length prefix, lets `body` write the type byte
    /// and payload, then patches the prefix. If anything throws, `buffer` is left as it was.
    static func appendFrame(
        to buffer: inout [UInt8], _ body: (inout ByteWriter) throws(ProtocolError) -> Void
    ) throws(ProtocolError) {
        var writer = ByteWriter(frameStart: buffer.count)
        // Move the caller's storage into the writer and back, so appending never copies it.
        swap(&writer.bytes, &buffer)
        defer { swap(&writer.bytes, &buffer) }
        writer.bytes.append(contentsOf: repeatElement(0, count: FrameFormat.lengthPrefixSize))
        do throws(ProtocolError) {
            try body(&writer)
            try writer.finishFrame()
        } catch {
            writer.bytes.removeSubrange(writer.frameStart...)
            throw error
        }
    }

    /// Body bytes written so far (type byte + payload).
    private var bodyCount: Int { bytes.count - frameStart - FrameFormat.lengthPrefixSize }

    mutating func writeType(_ type: FrameFormat.MessageType) {
        bytes.append(type.rawValue)
    }

    mutating func writeInteger(_ value: some FixedWidthInteger & UnsignedInteger) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `i32` as its `u32` bit pattern.
    mutating func writeInt32(_ value: Int32) {
        writeInteger(UInt32(bitPattern: value))
    }

    mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// A `u16` list count, at most `limit`.
    mutating func writeCount(_ count: Int, _ field: String, limit: Int) throws(ProtocolError) {
        guard count <= limit else { throw .tooLong(field, length: count, limit: limit, unit: "entries") }
        writeInteger(UInt16(count))
    }

    /// `u32` length + UTF-8.
    mutating func writeString(_ value: String, _ field: String, limit: Int) throws(ProtocolError) {
        let utf8 = value.utf8
        try writeLength(utf8.count, field, limit: limit)
        bytes.append(contentsOf: utf8)
    }

    /// `u32` length + raw bytes.
    mutating func writeBytes(_ value: [UInt8], _ field: String, limit: Int) throws(ProtocolError) {
        try writeLength(value.count, field, limit: limit)
        bytes.append(contentsOf: value)
    }

    private mutating func writeLength(_ count: Int, _ field: String, limit: Int) throws(ProtocolError) {
        guard count <= limit else { throw .tooLong(field, length: count, limit: limit) }
        try ensureRoom(4 + count)
        writeInteger(UInt32(count))
    }

    private func ensureRoom(_ count: Int) throws(ProtocolError) {
        guard bodyCount + count <= ProtocolLimits.maxFrameSize else { throw .tooLarge() }
    }

    /// Patches the length prefix once the body is complete.
    private mutating func finishFrame() throws(ProtocolError) {
        try ensureRoom(0)
        let length = UInt32(bodyCount).bigEndian
        withUnsafeBytes(of: length) { prefix in
            for (offset, byte) in prefix.enumerated() { bytes[frameStart + offset] = byte }
        }
    }
}

extension ProtocolError {
    fileprivate static func tooLarge() -> ProtocolError {
        ProtocolError(.encodeTooLarge, "the message does not fit in a frame of \(ProtocolLimits.maxFrameSize) bytes")
    }
}
