import LauncherProtocol
import Testing

// Hand-built wire bytes, written straight from the format description and independent of the
// encoder, so tests can pin the layout and build frames the encoder would refuse.

func u8(_ value: UInt8) -> [UInt8] { [value] }
func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
func u64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
func i32(_ value: Int32) -> [UInt8] { u32(UInt32(bitPattern: value)) }
/// A `string` field: `u32` length + UTF-8.
func str(_ value: String) -> [UInt8] { u32(UInt32(value.utf8.count)) + Array(value.utf8) }
/// A `bytes` (or `string`) field with arbitrary content.
func blob(_ value: [UInt8]) -> [UInt8] { u32(UInt32(value.count)) + value }
/// A frame around `body` (type byte + payload).
func frame(_ body: [UInt8]) -> [UInt8] { u32(UInt32(body.count)) + body }

/// An ASCII string of exactly `count` bytes.
func ascii(_ count: Int, _ character: Character = "a") -> String { String(repeating: character, count: count) }
/// `count` bytes covering every byte value.
func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

/// A `start` body (type byte included); each field can be replaced by raw bytes.
func startBody(
    requestID: [UInt8] = str("req-1"), command: [UInt8] = str("tools/echo"),
    arguments: [UInt8] = u16(0), environment: [UInt8] = u16(0), stdin: UInt8 = 0,
    captureStdout: UInt8 = 1, captureStderr: UInt8 = 1, timeout: [UInt8] = u32(0),
    clientAddress: [UInt8] = str("")
) -> [UInt8] {
    [0x02] + requestID + command + arguments + environment + [stdin, captureStdout, captureStderr] + timeout + clientAddress
}

/// A `finished` body (type byte included) with counters 1…9.
func finishedBody(kind: UInt8 = 0, value: Int32 = 0, flags: UInt8 = 0) -> [UInt8] {
    [0x86, kind] + i32(value) + [flags] + (1...9).flatMap { u64(UInt64($0)) }
}

/// What the tests need of both decoders, so each check is written once for both directions.
protocol MessageDecoding {
    associatedtype Message: Equatable & Sendable
    init()
    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8
    mutating func next() throws(ProtocolError) -> Message?
}

extension ClientMessageDecoder: MessageDecoding {}
extension LauncherMessageDecoder: MessageDecoding {}

/// Both directions' encoders, behind one name.
protocol FrameEncodable {
    func appendFrame(to buffer: inout [UInt8]) throws(ProtocolError)
}

extension FrameEncodable {
    func frameBytes() throws(ProtocolError) -> [UInt8] {
        var bytes: [UInt8] = []
        try appendFrame(to: &bytes)
        return bytes
    }
}

extension ClientMessage: FrameEncodable {
    func appendFrame(to buffer: inout [UInt8]) throws(ProtocolError) { try FrameEncoder.append(self, to: &buffer) }
}

extension LauncherMessage: FrameEncodable {
    func appendFrame(to buffer: inout [UInt8]) throws(ProtocolError) { try FrameEncoder.append(self, to: &buffer) }
}

/// Decodes every complete frame in `bytes` (appended at once).
func decodeAll<Decoder: MessageDecoding>(_: Decoder.Type, _ bytes: [UInt8]) -> Result<[Decoder.Message], ProtocolError> {
    var decoder = Decoder()
    decoder.append(bytes)
    return Result { () throws(ProtocolError) in
        var messages: [Decoder.Message] = []
        while let message = try decoder.next() { messages.append(message) }
        return messages
    }
}

func decodeClient(_ bytes: [UInt8]) -> Result<[ClientMessage], ProtocolError> { decodeAll(ClientMessageDecoder.self, bytes) }
func decodeLauncher(_ bytes: [UInt8]) -> Result<[LauncherMessage], ProtocolError> { decodeAll(LauncherMessageDecoder.self, bytes) }

extension Result where Failure == ProtocolError {
    /// The error's code, or nil on success.
    var errorCode: ProtocolError.Code? {
        guard case .failure(let error) = self else { return nil }
        return error.code
    }
}

/// A named value for parameterised tests whose arguments would print unreadably (or hugely).
struct Named<Value: Sendable>: Sendable, CustomTestStringConvertible {
    let name: String
    let value: Value
    init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    var testDescription: String { name }
}
