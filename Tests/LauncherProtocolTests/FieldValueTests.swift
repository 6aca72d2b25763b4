import LauncherProtocol
import Testing

/// Fields whose bytes must form a defined value: UTF-8 text, bools, enumerations, flags.
@Suite("Field values")
struct FieldValueTests {
    static let invalidUTF8: [Named<[UInt8]>] = [
        Named("lone continuation", [0x80]),
        Named("0xff", [0x61, 0xff]),
        Named("invalid second byte", [0xC3, 0x28]),
        Named("overlong slash", [0xC0, 0xAF]),
        Named("UTF-16 surrogate", [0xED, 0xA0, 0x80]),
        Named("cut multi-byte sequence", [0xE2, 0x82]),
        Named("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
    ]

    @Test("invalid UTF-8 in any front-end string field", arguments: invalidUTF8)
    func clientInvalidUTF8(_ bytes: Named<[UInt8]>) {
        let text = blob(bytes.value)
        let bodies = [
            startBody(requestID: text),
            startBody(command: text),
            startBody(arguments: u16(1) + text),
            startBody(environment: u16(1) + text + str("v")),
            startBody(environment: u16(1) + str("N") + text),
            startBody(clientAddress: text),
        ]
        for body in bodies {
            #expect(decodeClient(frame(body)).errorCode == .invalidUTF8)
        }
    }

    @Test("invalid UTF-8 in any launcher string field", arguments: invalidUTF8)
    func launcherInvalidUTF8(_ bytes: Named<[UInt8]>) {
        let text = blob(bytes.value)
        for body in [[0x83] + text + str("m"), [0x83] + str("c") + text, [0x87] + text] {
            #expect(decodeLauncher(frame(body)).errorCode == .invalidUTF8)
        }
    }

    @Test("raw byte fields may hold bytes that are not UTF-8")
    func bytesAreNotText() throws {
        #expect(try decodeClient(frame([0x03] + blob([0xff, 0xC0]))).get() == [.stdinData([0xff, 0xC0])])
    }

    @Test("a bool must be 0 or 1", arguments: [2, 0x7f, 0xff] as [UInt8])
    func invalidBool(value: UInt8) throws {
        #expect(decodeClient(frame(startBody(captureStdout: value))).errorCode == .invalidValue)
        #expect(decodeClient(frame(startBody(captureStderr: value))).errorCode == .invalidValue)
        // Control: the same frame with a valid bool decodes.
        #expect(try decodeClient(frame(startBody(captureStdout: 0, captureStderr: 1))).get().count == 1)
    }

    @Test("an unknown stdin mode", arguments: [2, 0xff] as [UInt8])
    func invalidStdinMode(value: UInt8) throws {
        #expect(decodeClient(frame(startBody(stdin: value))).errorCode == .invalidValue)
        guard case .start(let job) = try decodeClient(frame(startBody(stdin: 1))).get().first else {
            Issue.record("stdin 1 did not decode to a start"); return
        }
        #expect(job.stdin == .stream)
    }

    @Test("an unknown output stream", arguments: [0, 3, 0xff] as [UInt8])
    func invalidStream(value: UInt8) {
        #expect(decodeLauncher(frame([0x85, value] + blob([1]))).errorCode == .invalidValue)
    }

    @Test("an unknown termination kind", arguments: [2, 0xff] as [UInt8])
    func invalidTermination(kind: UInt8) {
        #expect(decodeLauncher(frame(finishedBody(kind: kind))).errorCode == .invalidValue)
    }

    @Test("undefined flag bits", arguments: [0x08, 0x0f, 0x80, 0xff] as [UInt8])
    func invalidFlags(flags: UInt8) {
        #expect(decodeLauncher(frame(finishedBody(flags: flags))).errorCode == .invalidValue)
    }

    @Test("each defined flag bit sets its own field")
    func flagBits() throws {
        let expected: [UInt8: (Bool, Bool, Bool)] = [
            0b001: (true, false, false), 0b010: (false, true, false), 0b100: (false, false, true), 0b111: (true, true, true),
        ]
        for (flags, (timedOut, cancelled, outputLimitExceeded)) in expected {
            guard case .finished(let summary) = try decodeLauncher(frame(finishedBody(kind: 1, value: 9, flags: flags))).get().first
            else { Issue.record("flags \(flags) did not decode"); continue }
            #expect(summary.termination == .signaled(9))
            #expect(summary.timedOut == timedOut)
            #expect(summary.cancelled == cancelled)
            #expect(summary.outputLimitExceeded == outputLimitExceeded)
            #expect(summary.maxRSSKiB == 9 && summary.stdoutBytesSeen == 1)
        }
    }
}
