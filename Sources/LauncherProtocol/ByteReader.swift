/// Reads wire primitives from one frame body. Every read checks what is left first, and every
/// variable-length field checks its limit before it checks (or reads) the bytes, so a length
/// prefix can never make the decoder allocate more than the field's limit.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// Bytes not yet read.
    var remaining: Int { bytes.endIndex - position }

    var isAtEnd: Bool { position == bytes.endIndex }

    mutating func readUInt8(_ field: String) throws(ProtocolError) -> UInt8 {
        try readInteger(UInt8.self, field)
    }

    mutating func readUInt16(_ field: String) throws(ProtocolError) -> UInt16 {
        try readInteger(UInt16.self, field)
    }

    mutating func readUInt32(_ field: String) throws(ProtocolError) -> UInt32 {
        try readInteger(UInt32.self, field)
    }

    mutating func readUInt64(_ field: String) throws(ProtocolError) -> UInt64 {
        try readInteger(UInt64.self, field)
    }

    /// An `i32`: the bit pattern of a big-endian `u32`.
    mutating func readInt32(_ field: String) throws(ProtocolError) -> Int32 {
        Int32(bitPattern: try readInteger(UInt32.self, field))
    }

    /// A `u8` that must be 0 or 1.
    mutating func readBool(_ field: String) throws(ProtocolError) -> Bool {
        switch try readUInt8(field) {
        case 0: return false
        case 1: return true
        default: throw .invalidValue(field)
        }
    }

    /// A `u8` that must be the raw value of a case of `Value`.
    mutating func readEnum<Value: RawRepresentable<UInt8>>(_: Value.Type, _ field: String) throws(ProtocolError) -> Value {
        guard let value = Value(rawValue: try readUInt8(field)) else { throw .invalidValue(field) }
        return value
    }

    /// A `u16` list count, at most `limit`.
    mutating func readCount(_ field: String, limit: Int) throws(ProtocolError) -> Int {
        let count = try readUInt16(field)
        guard count <= limit else { throw .tooLong(field, length: count, limit: limit, unit: "entries") }
        return Int(count)
    }

    /// `u32` length + raw bytes, at most `limit` of them.
    mutating func readBytes(_ field: String, limit: Int) throws(ProtocolError) -> [UInt8] {
        Array(try readField(field, limit: limit))
    }

    /// `u32` length + UTF-8, at most `limit` bytes of it.
    mutating func readString(_ field: String, limit: Int) throws(ProtocolError) -> String {
        let utf8 = try readField(field, limit: limit)
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw ProtocolError(.invalidUTF8, "\(field) is not valid UTF-8")
        }
        return string
    }

    private mutating func readField(_ field: String, limit: Int) throws(ProtocolError) -> ArraySlice<UInt8> {
        let length = try readUInt32(field)
        guard length <= limit else { throw .tooLong(field, length: length, limit: limit) }
        let count = Int(length)
        guard count <= remaining else { throw .truncated(field) }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func readInteger<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, _ field: String
    ) throws(ProtocolError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else { throw .truncated(field) }
        var value: T = 0
        for index in position..<position + size {
            value = value << 8 | T(bytes[index])
        }
        position += size
        return value
    }
}
