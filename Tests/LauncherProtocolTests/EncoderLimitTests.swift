import LauncherProtocol
import Testing

/// The encoder refuses what the decoder would refuse, and leaves the output untouched when it does.
@Suite("Encoder limits")
struct EncoderLimitTests {
    typealias Limits = ProtocolLimits

    /// A start with no other content whose arguments add up to `total` bytes: its body is exactly
    /// 56 + `total` bytes (type 1, two empty strings 8, counts 4, 8 argument lengths 32, stdin and
    /// bools 3, timeout 4, empty clientAddress 4).
    static func startWithArguments(totalling total: Int) -> ClientMessage {
        var arguments: [String] = []
        var left = total
        for _ in 0..<8 {
            let size = min(left, Limits.maxValueBytes)
            arguments.append(ascii(size))
            left -= size
        }
        precondition(left == 0)
        return .start(StartJob(requestID: "", command: "", arguments: arguments))
    }

    @Test("a start whose frame body is exactly maxFrameSize encodes and decodes")
    func exactlyMaximal() throws {
        let message = Self.startWithArguments(totalling: Limits.maxFrameSize - 56)
        let bytes = try FrameEncoder.encode(message)
        #expect(bytes.count == 4 + Limits.maxFrameSize)
        #expect(try decodeClient(bytes).get() == [message])
    }

    @Test("a start one byte larger throws encode.too_large")
    func oneByteTooLarge() {
        let error = #expect(throws: ProtocolError.self) {
            _ = try FrameEncoder.encode(Self.startWithArguments(totalling: Limits.maxFrameSize - 55))
        }
        #expect(error?.code == .encodeTooLarge)
    }

    @Test("a start with many maximal arguments throws encode.too_large")
    func manyLargeArguments() {
        let job = StartJob(requestID: "r", command: "c",
                           arguments: Array(repeating: ascii(Limits.maxValueBytes), count: Limits.maxArguments))
        let error = #expect(throws: ProtocolError.self) { _ = try FrameEncoder.encode(.start(job)) }
        #expect(error?.code == .encodeTooLarge)
    }

    @Test("a too-large message leaves an append buffer unchanged")
    func appendIsAllOrNothing() throws {
        var buffer = try FrameEncoder.encode(ClientMessage.cancel)
        let before = buffer
        #expect(throws: ProtocolError.self) {
            try FrameEncoder.append(Self.startWithArguments(totalling: Limits.maxFrameSize), to: &buffer)
        }
        #expect(buffer == before)
        #expect(throws: ProtocolError.self) {
            try FrameEncoder.append(ClientMessage.stdinData(pattern(Limits.maxChunkBytes + 1)), to: &buffer)
        }
        #expect(buffer == before)
    }

    static let clientOverLimit: [Named<ClientMessage>] = [
        Named("requestID", .start(StartJob(requestID: ascii(Limits.maxRequestIDBytes + 1), command: "c"))),
        Named("command", .start(StartJob(requestID: "r", command: ascii(Limits.maxCommandBytes + 1)))),
        Named("argument count", .start(StartJob(requestID: "r", command: "c",
                                                arguments: Array(repeating: "", count: Limits.maxArguments + 1)))),
        Named("argument", .start(StartJob(requestID: "r", command: "c", arguments: [ascii(Limits.maxValueBytes + 1)]))),
        Named("environment count", .start(StartJob(
            requestID: "r", command: "c",
            environment: Array(repeating: EnvironmentEntry(name: "N", value: ""), count: Limits.maxEnvironmentEntries + 1)))),
        Named("environment name", .start(StartJob(
            requestID: "r", command: "c",
            environment: [EnvironmentEntry(name: ascii(Limits.maxEnvironmentNameBytes + 1), value: "")]))),
        Named("environment value", .start(StartJob(
            requestID: "r", command: "c", environment: [EnvironmentEntry(name: "N", value: ascii(Limits.maxValueBytes + 1))]))),
        Named("clientAddress", .start(StartJob(requestID: "r", command: "c", clientAddress: ascii(Limits.maxClientAddressBytes + 1)))),
        Named("stdinData", .stdinData(pattern(Limits.maxChunkBytes + 1))),
    ]

    @Test("a front-end field over its limit is refused with field.too_long", arguments: clientOverLimit)
    func clientFieldTooLong(_ sample: Named<ClientMessage>) {
        let error = #expect(throws: ProtocolError.self) { _ = try FrameEncoder.encode(sample.value) }
        #expect(error?.code == .fieldTooLong)
    }

    static let launcherOverLimit: [Named<LauncherMessage>] = [
        Named("rejected.code", .rejected(code: ascii(Limits.maxErrorCodeBytes + 1), message: "")),
        Named("rejected.message", .rejected(code: "c", message: ascii(Limits.maxMessageBytes + 1))),
        Named("output", .output(stream: .stderr, bytes: pattern(Limits.maxChunkBytes + 1))),
        Named("protocolError", .protocolError(message: String(repeating: "é", count: Limits.maxMessageBytes / 2 + 1))),
    ]

    @Test("a launcher field over its limit is refused with field.too_long", arguments: launcherOverLimit)
    func launcherFieldTooLong(_ sample: Named<LauncherMessage>) {
        let error = #expect(throws: ProtocolError.self) { _ = try FrameEncoder.encode(sample.value) }
        #expect(error?.code == .fieldTooLong)
    }

    @Test("codes and descriptions are stable")
    func stableCodes() {
        let codes: [(ProtocolError.Code, String)] = [
            (.frameEmpty, "frame.empty"), (.frameOversized, "frame.oversized"), (.frameTruncated, "frame.truncated"),
            (.unknownType, "frame.unknown_type"), (.trailingBytes, "frame.trailing_bytes"),
            (.fieldTooLong, "field.too_long"), (.invalidUTF8, "field.invalid_utf8"), (.invalidValue, "field.invalid_value"),
            (.unexpectedMessage, "message.unexpected"), (.unsupportedVersion, "version.unsupported"),
            (.encodeTooLarge, "encode.too_large"),
        ]
        for (code, text) in codes { #expect(code.description == text) }
        #expect(ProtocolError(.frameEmpty, "a frame has length 0").description == "frame.empty: a frame has length 0")
    }
}
