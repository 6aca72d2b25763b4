import LauncherProtocol
import Testing

/// Frames arrive in arbitrary pieces; the decoder must return each message exactly when its last
/// byte arrives, and never before.
@Suite("Streaming decode")
struct StreamingDecodeTests {
    /// The samples small enough to feed one byte at a time quickly.
    static let smallClient = SampleMessages.client.map(\.value).filter { (try? FrameEncoder.encode($0).count) ?? 0 < 4096 }
    static let smallLauncher = SampleMessages.launcher.map(\.value).filter { (try? FrameEncoder.encode($0).count) ?? 0 < 4096 }

    @Test("front-end frames fed one byte at a time pop out exactly at each frame's end")
    func clientByteAtATime() throws {
        #expect(Self.smallClient.count >= 8)
        try checkByteAtATime(Self.smallClient, ClientMessageDecoder.self)
    }

    @Test("launcher frames fed one byte at a time pop out exactly at each frame's end")
    func launcherByteAtATime() throws {
        #expect(Self.smallLauncher.count >= 15)
        try checkByteAtATime(Self.smallLauncher, LauncherMessageDecoder.self)
    }

    private func checkByteAtATime<Decoder: MessageDecoding>(
        _ messages: [Decoder.Message], _: Decoder.Type
    ) throws where Decoder.Message: FrameEncodable {
        var stream: [UInt8] = []
        var ends: [Int: Decoder.Message] = [:]
        for message in messages {
            try message.appendFrame(to: &stream)
            ends[stream.count] = message
        }
        var decoder = Decoder()
        var decoded: [Decoder.Message] = []
        for (offset, byte) in stream.enumerated() {
            decoder.append(CollectionOfOne(byte))
            let message = try decoder.next()
            #expect(message == ends[offset + 1], "after \(offset + 1) bytes")
            if let message { decoded.append(message) }
            #expect(try decoder.next() == nil)
        }
        #expect(decoded == messages)
    }

    @Test("every sample, large ones included, survives uneven chunking", arguments: [1, 3, 4, 5, 4093, 65_536, 1 << 21])
    func unevenChunks(chunkSize: Int) throws {
        let messages = SampleMessages.launcher.map(\.value)
        let decoded = try decodeInChunks(messages, LauncherMessageDecoder.self) { _ in chunkSize }
        #expect(decoded == messages)
    }

    @Test("thousands of small frames decode in order across buffer compactions")
    func manyFrames() throws {
        let messages = (0..<20_000).map { ClientMessage.stdinData(u32(UInt32($0))) }
        // Chunk sizes cycle through 1…97 so frame boundaries land everywhere in a chunk.
        let decoded = try decodeInChunks(messages, ClientMessageDecoder.self) { $0 % 97 + 1 }
        #expect(decoded == messages)
    }

    /// Encodes `messages` into one stream and feeds it in chunks (`chunkSize(n)` bytes for the
    /// n-th), draining the decoder after each.
    private func decodeInChunks<Decoder: MessageDecoding>(
        _ messages: [Decoder.Message], _: Decoder.Type, chunkSize: (Int) -> Int
    ) throws -> [Decoder.Message] where Decoder.Message: FrameEncodable {
        var stream: [UInt8] = []
        for message in messages { try message.appendFrame(to: &stream) }
        var decoder = Decoder()
        var decoded: [Decoder.Message] = []
        var start = 0
        var chunk = 0
        while start < stream.count {
            let end = min(start + chunkSize(chunk), stream.count)
            decoder.append(stream[start..<end])
            while let message = try decoder.next() { decoded.append(message) }
            start = end
            chunk += 1
        }
        return decoded
    }

    @Test("a truncated frame is not an error: next() waits for the rest")
    func truncatedFrameWaits() throws {
        let bytes = try FrameEncoder.encode(ClientMessage.start(SampleMessages.fullStart))
        for cut in [0, 1, 3, 4, 5, bytes.count / 2, bytes.count - 1] {
            var decoder = ClientMessageDecoder()
            decoder.append(bytes.prefix(cut))
            #expect(try decoder.next() == nil, "cut at \(cut)")
            #expect(try decoder.next() == nil, "cut at \(cut), asked again")
            decoder.append(bytes.dropFirst(cut))
            #expect(try decoder.next() == .start(SampleMessages.fullStart), "cut at \(cut)")
            #expect(try decoder.next() == nil)
        }
    }
}
