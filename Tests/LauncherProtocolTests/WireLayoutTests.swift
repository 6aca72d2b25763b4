import LauncherProtocol
import Testing

/// The exact bytes of every message type, built by hand from the format description: round trips
/// alone would not notice a layout change made to the encoder and decoder alike.
@Suite("Wire layout")
struct WireLayoutTests {
    static let client: [Named<(ClientMessage, [UInt8])>] = [
        Named("hello", (.hello(version: 0x0102), [0, 0, 0, 3, 0x01, 0x01, 0x02])),
        Named("start", (.start(SampleMessages.fullStart), frame(
            [0x02] + str("req-🌍-Ω") + str("tools/échø")
                + u16(5) + str("-n") + str("") + str("héllo wörld") + str("日本語") + [0, 0, 0, 3, 0x61, 0x00, 0x62]
                + u16(2) + str("LANG") + str("C.UTF-8") + str("EMPTY") + str("")
                + [1, 0, 1] + [0xff, 0xff, 0xff, 0xff] + str("[2001:db8::1]:443")))),
        Named("start defaults", (.start(StartJob(requestID: "r", command: "c", timeoutMilliseconds: 0x0A0B0C0D)),
                                 frame(startBody(requestID: str("r"), command: str("c"),
                                                 timeout: [0x0A, 0x0B, 0x0C, 0x0D])))),
        Named("stdinData", (.stdinData([9, 8]), [0, 0, 0, 7, 0x03, 0, 0, 0, 2, 9, 8])),
        Named("stdinClose", (.stdinClose, [0, 0, 0, 1, 0x04])),
        Named("cancel", (.cancel, [0, 0, 0, 1, 0x05])),
        Named("statsRequest", (.statsRequest, [0, 0, 0, 1, 0x06])),
    ]

    static let launcher: [Named<(LauncherMessage, [UInt8])>] = [
        Named("helloAck", (.helloAck(version: 1, maxFrameSize: 0x0010_0000), [0, 0, 0, 7, 0x81, 0, 1, 0, 0x10, 0, 0])),
        Named("accepted", (.accepted, [0, 0, 0, 1, 0x82])),
        Named("rejected", (.rejected(code: "busy", message: "é"), frame([0x83] + str("busy") + [0, 0, 0, 2, 0xC3, 0xA9]))),
        Named("started", (.started(pid: -2), [0, 0, 0, 5, 0x84, 0xff, 0xff, 0xff, 0xfe])),
        Named("output stdout", (.output(stream: .stdout, bytes: [7]), [0, 0, 0, 7, 0x85, 1, 0, 0, 0, 1, 7])),
        Named("output stderr", (.output(stream: .stderr, bytes: []), [0, 0, 0, 6, 0x85, 2, 0, 0, 0, 0])),
        Named("finished exited", (.finished(JobSummary(
            termination: .exited(-1), cancelled: true, stdoutBytesSeen: 1, stdoutBytesKept: 2, stderrBytesSeen: 3,
            stderrBytesKept: 4, stdinBytes: 5, wallMicroseconds: 6, userMicroseconds: 7, systemMicroseconds: 8,
            maxRSSKiB: 9)), frame(finishedBody(kind: 0, value: -1, flags: 0b010)))),
        Named("finished signaled", (.finished(JobSummary(
            termination: .signaled(15), timedOut: true, outputLimitExceeded: true, stdoutBytesSeen: 1,
            stdoutBytesKept: 2, stderrBytesSeen: 3, stderrBytesKept: 4, stdinBytes: 5, wallMicroseconds: 6,
            userMicroseconds: 7, systemMicroseconds: 8, maxRSSKiB: 9)), frame(finishedBody(kind: 1, value: 15, flags: 0b101)))),
        Named("protocolError", (.protocolError(message: "no"), [0, 0, 0, 7, 0x87, 0, 0, 0, 2, 0x6E, 0x6F])),
        Named("stats", (.stats([StatsEntry("a", .gauge, value: 7), StatsEntry("b", .counter, label: .init("r", "x"), value: 1)]),
                        frame([0x88, 0, 2] + str("a") + [1, 0] + [0, 0, 0, 0, 0, 0, 0, 7]
                              + str("b") + [0, 1] + str("r") + str("x") + [0, 0, 0, 0, 0, 0, 0, 1]))),
    ]

    @Test("front-end frames have the documented layout", arguments: client)
    func clientLayout(_ sample: Named<(ClientMessage, [UInt8])>) throws {
        let (message, bytes) = sample.value
        #expect(try FrameEncoder.encode(message) == bytes)
        #expect(try decodeClient(bytes).get() == [message])
    }

    @Test("launcher frames have the documented layout", arguments: launcher)
    func launcherLayout(_ sample: Named<(LauncherMessage, [UInt8])>) throws {
        let (message, bytes) = sample.value
        #expect(try FrameEncoder.encode(message) == bytes)
        #expect(try decodeLauncher(bytes).get() == [message])
    }
}
