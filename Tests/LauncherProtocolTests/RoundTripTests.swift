import LauncherProtocol
import Testing

@Suite("Round trips")
struct RoundTripTests {
    @Test("front-end messages decode to what was encoded", arguments: SampleMessages.client)
    func client(_ sample: Named<ClientMessage>) throws {
        try checkRoundTrip(sample.value, ClientMessageDecoder.self)
    }

    @Test("launcher messages decode to what was encoded", arguments: SampleMessages.launcher)
    func launcher(_ sample: Named<LauncherMessage>) throws {
        try checkRoundTrip(sample.value, LauncherMessageDecoder.self)
    }

    private func checkRoundTrip<Decoder: MessageDecoding>(
        _ message: Decoder.Message, _ decoder: Decoder.Type
    ) throws where Decoder.Message: FrameEncodable {
        let bytes = try message.frameBytes()
        #expect(bytes.count <= 4 + ProtocolLimits.maxFrameSize)
        #expect(Array(bytes.prefix(4)) == u32(UInt32(bytes.count - 4)))
        #expect(try decodeAll(decoder, bytes).get() == [message])
    }

    @Test("append(_:to:) adds one frame after what the buffer holds")
    func appendAfterExistingBytes() throws {
        var buffer: [UInt8] = try FrameEncoder.encode(ClientMessage.cancel)
        try FrameEncoder.append(ClientMessage.hello(version: 7), to: &buffer)
        try FrameEncoder.append(ClientMessage.stdinData([1, 2, 3]), to: &buffer)
        #expect(try decodeClient(buffer).get() == [.cancel, .hello(version: 7), .stdinData([1, 2, 3])])

        var launcherBuffer: [UInt8] = [0xAA]
        try FrameEncoder.append(LauncherMessage.accepted, to: &launcherBuffer)
        #expect(launcherBuffer == [0xAA] + frame([0x82]))
    }
}
