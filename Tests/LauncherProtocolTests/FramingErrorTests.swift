import LauncherProtocol
import Testing

@Suite("Framing errors")
struct FramingErrorTests {
    @Test("length prefix 0 fails once its fourth byte arrives")
    func emptyFrame() throws {
        var decoder = ClientMessageDecoder()
        decoder.append([0, 0, 0])
        #expect(try decoder.next() == nil)
        decoder.append([0])
        let error = #expect(throws: ProtocolError.self) { try decoder.next() }
        #expect(error?.code == .frameEmpty)
    }

    @Test("a length above maxFrameSize fails on the prefix alone, without waiting for the body",
          arguments: [UInt32(ProtocolLimits.maxFrameSize + 1), 0x8000_0000, .max])
    func oversizedFrame(length: UInt32) throws {
        var decoder = LauncherMessageDecoder()
        decoder.append(u32(length).prefix(3))
        #expect(try decoder.next() == nil)
        decoder.append(u32(length).suffix(1))
        let error = #expect(throws: ProtocolError.self) { try decoder.next() }
        #expect(error?.code == .frameOversized)
    }

    @Test("a length of exactly maxFrameSize is accepted and waited for")
    func maximalLengthWaits() throws {
        var decoder = ClientMessageDecoder()
        decoder.append(u32(UInt32(ProtocolLimits.maxFrameSize)) + [0x03])
        #expect(try decoder.next() == nil)
    }

    @Test("type bytes the front-end does not send are unknown to the launcher's decoder",
          arguments: [0x00, 0x07, 0x7f, 0x80, 0x81, 0x87, 0x88, 0x89, 0xff] as [UInt8])
    func unknownClientType(type: UInt8) {
        #expect(decodeClient(frame([type])).errorCode == .unknownType)
    }

    @Test("type bytes the launcher does not send are unknown to the front-end's decoder",
          arguments: [0x00, 0x01, 0x02, 0x05, 0x06, 0x80, 0x89, 0xff] as [UInt8])
    func unknownLauncherType(type: UInt8) {
        #expect(decodeLauncher(frame([type, 0, 0, 0, 0])).errorCode == .unknownType)
    }

    static let clientTrailing: [Named<[UInt8]>] = [
        Named("hello", [0x01] + u16(1) + [0]),
        Named("start", startBody() + [0]),
        Named("stdinData", [0x03] + blob([1]) + [1]),
        Named("stdinClose", [0x04, 0]),
        Named("cancel", [0x05, 0, 0]),
    ]

    @Test("bytes after a front-end message's last field are an error", arguments: clientTrailing)
    func clientTrailingBytes(_ body: Named<[UInt8]>) {
        #expect(decodeClient(frame(body.value)).errorCode == .trailingBytes)
    }

    static let launcherTrailing: [Named<[UInt8]>] = [
        Named("helloAck", [0x81] + u16(1) + u32(1) + [0]),
        Named("accepted", [0x82, 0]),
        Named("rejected", [0x83] + str("c") + str("m") + [0]),
        Named("started", [0x84] + i32(1) + [0]),
        Named("output", [0x85, 1] + blob([]) + [0]),
        Named("finished", finishedBody() + [0]),
        Named("protocolError", [0x87] + str("m") + [0]),
    ]

    @Test("bytes after a launcher message's last field are an error", arguments: launcherTrailing)
    func launcherTrailingBytes(_ body: Named<[UInt8]>) {
        #expect(decodeLauncher(frame(body.value)).errorCode == .trailingBytes)
    }

    static let clientTruncated: [Named<[UInt8]>] = [
        Named("hello without version", [0x01]),
        Named("hello with half a version", [0x01, 0]),
        Named("start without clientAddress", Array(startBody().dropLast(4))),
        Named("start with a short string", [0x02] + u32(10) + Array("abc".utf8)),
        Named("start with fewer arguments than counted", [0x02] + str("r") + str("c") + u16(2) + str("a")),
        Named("stdinData with fewer bytes than its length", [0x03] + u32(5) + [1, 2]),
    ]

    @Test("a frame that ends inside a field is an error (not a wait)", arguments: clientTruncated)
    func truncatedPayload(_ body: Named<[UInt8]>) {
        #expect(decodeClient(frame(body.value)).errorCode == .frameTruncated)
    }

    @Test("a finished frame that ends inside its counters is an error")
    func truncatedSummary() {
        #expect(decodeLauncher(frame(Array(finishedBody().dropLast()))).errorCode == .frameTruncated)
    }

    @Test("messages before a bad frame are delivered; the bad frame fails")
    func goodThenBad() throws {
        var decoder = ClientMessageDecoder()
        decoder.append(frame([0x01] + u16(1)) + frame([0x42]))
        #expect(try decoder.next() == .hello(version: 1))
        #expect(throws: ProtocolError.self) { try decoder.next() }
    }

    @Test("after an error the decoder stays failed with the same error, whatever arrives")
    func stickyFailure() throws {
        var decoder = ClientMessageDecoder()
        decoder.append(frame([0x42]))
        let first = #expect(throws: ProtocolError.self) { try decoder.next() }
        #expect(first?.code == .unknownType)
        decoder.append(frame([0x05]))
        let second = #expect(throws: ProtocolError.self) { try decoder.next() }
        #expect(second == first)

        var launcherDecoder = LauncherMessageDecoder()
        launcherDecoder.append([0, 0, 0, 0] + frame([0x82]))
        let launcherFirst = #expect(throws: ProtocolError.self) { try launcherDecoder.next() }
        #expect(launcherFirst?.code == .frameEmpty)
        let launcherSecond = #expect(throws: ProtocolError.self) { try launcherDecoder.next() }
        #expect(launcherSecond == launcherFirst)
    }
}
