import LauncherProtocol

// The launcher protocol's decoders, both directions: `ClientMessageDecoder` (the launcher reads
// the front-end) and `LauncherMessageDecoder` (the front-end reads the launcher).
//
// Input: one mode byte, then the byte stream a peer sent. Mode bit 0 picks the direction;
// the other bits pick the sizes of the chunks the stream arrives in.
//
// Properties:
// - no input traps or trips AddressSanitizer;
// - chunking does not matter: the stream fed in chunks gives the same messages and the same
//   error as the stream fed at once;
// - an error is sticky: `next()` throws it again, also after more bytes arrive;
// - round trip: every decoded message re-encodes (`FrameEncoder`) and decodes back equal;
// - the encoding is canonical: the decoded messages re-encode to exactly the bytes consumed;
// - what is left is explained: after the last message the rest of the stream is an incomplete
//   frame (no error) or starts with the frame that is refused (error), never a complete frame
//   the decoder left alone.

/// What the fuzzer needs of a decoder; both public decoders have it.
protocol FuzzedDecoder {
    associatedtype Message: Hashable
    init()
    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8
    mutating func next() throws(ProtocolError) -> Message?
    static func encode(_ message: Message) throws(ProtocolError) -> [UInt8]
}

extension ClientMessageDecoder: FuzzedDecoder {
    static func encode(_ message: ClientMessage) throws(ProtocolError) -> [UInt8] { try FrameEncoder.encode(message) }
}

extension LauncherMessageDecoder: FuzzedDecoder {
    static func encode(_ message: LauncherMessage) throws(ProtocolError) -> [UInt8] { try FrameEncoder.encode(message) }
}

/// Everything a decoder made of one stream.
struct Outcome<Message: Hashable>: Equatable {
    var messages: [Message] = []
    var error: ProtocolError?
}

/// Chunk sizes cycle through this pattern (scaled by the mode), so one input exercises splits
/// inside the length prefix, inside fields and between frames.
private let chunkPattern = [1, 3, 2, 7, 4, 1, 16, 5]

/// Decodes `stream` delivered in chunks (`chunkScale` 0 means all at once), calling `next()`
/// until it returns nil after each chunk, as the connection handlers do.
func decode<Decoder: FuzzedDecoder>(_: Decoder.Type, _ stream: [UInt8], chunkScale: Int) -> Outcome<Decoder.Message> {
    var decoder = Decoder()
    var outcome = Outcome<Decoder.Message>()
    var start = 0
    var chunk = 0
    repeat {
        let size = chunkScale == 0 ? stream.count : chunkPattern[chunk % chunkPattern.count] * chunkScale
        let end = min(start + size, stream.count)
        decoder.append(stream[start..<end])
        start = end
        chunk += 1
        do throws(ProtocolError) {
            while let message = try decoder.next() { outcome.messages.append(message) }
        } catch {
            outcome.error = error
            checkSticky(&decoder, error, more: Array(stream[start...]))
            return outcome
        }
    } while start < stream.count
    return outcome
}

private func checkSticky<Decoder: FuzzedDecoder>(_ decoder: inout Decoder, _ first: ProtocolError, more: [UInt8]) {
    for round in 0..<2 {
        if round == 1 { decoder.append(more + [0, 0, 0, 1, 0x01]) }
        do throws(ProtocolError) {
            _ = try decoder.next()
            violated("a failed decoder returned normally (round \(round))")
        } catch {
            require(error == first, "a failed decoder threw \(error) after \(first)")
        }
    }
}

/// The length prefix at `offset`, if four bytes are there.
private func lengthPrefix(_ stream: [UInt8], at offset: Int) -> Int? {
    guard stream.count - offset >= 4 else { return nil }
    return stream[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
}

func check<Decoder: FuzzedDecoder>(_ type: Decoder.Type, _ stream: [UInt8], chunkScale: Int) {
    let whole = decode(type, stream, chunkScale: 0)
    let chunked = decode(type, stream, chunkScale: chunkScale)
    require(whole == chunked, "chunks of \(chunkScale)×pattern decode differently from the whole stream")

    var consumed = 0
    for message in whole.messages {
        let frame: [UInt8]
        do throws(ProtocolError) {
            frame = try Decoder.encode(message)
        } catch {
            violated("a decoded message does not re-encode: \(error)")
        }
        require(stream.count - consumed >= frame.count && stream[consumed..<consumed + frame.count].elementsEqual(frame),
                "a message re-encodes to other bytes than those it was decoded from (at offset \(consumed))")
        consumed += frame.count
        let again = decode(type, frame, chunkScale: 0)
        require(again.error == nil && again.messages == [message], "a re-encoded message does not decode back equal")
    }

    let length = lengthPrefix(stream, at: consumed)
    let rest = stream.count - consumed
    if let error = whole.error {
        // The refused frame starts right after the last message: a bad prefix, or a complete body.
        guard let length else { violated("error \(error) with only \(rest) bytes after the last message") }
        let badPrefix = length == 0 || length > ProtocolLimits.maxFrameSize
        require(badPrefix || rest >= 4 + length, "error \(error) on an incomplete frame")
        require(!badPrefix || [.frameEmpty, .frameOversized].contains(error.code), "a bad length prefix gave \(error)")
    } else if let length {
        require(length >= 1 && length <= ProtocolLimits.maxFrameSize && rest < 4 + length,
                "the decoder waits although a complete or invalid frame is buffered")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = InputCursor(fuzzInput(data, size))
    let mode = input.byte()
    let chunkScale = Int(mode >> 1) % 8 + 1
    if mode & 1 == 0 {
        check(ClientMessageDecoder.self, input.rest, chunkScale: chunkScale)
    } else {
        check(LauncherMessageDecoder.self, input.rest, chunkScale: chunkScale)
    }
    return 0
}
