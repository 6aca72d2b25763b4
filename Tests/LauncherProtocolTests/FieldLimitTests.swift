import LauncherProtocol
import Testing

/// Every length-limited field, one over its limit, in a frame built by hand (the encoder refuses
/// to produce them). Each limit is also checked from the length alone: a frame that claims a huge
/// field but does not carry it fails `field.too_long`, not `frame.truncated`, which shows the limit
/// is checked before anything is read or allocated.
@Suite("Field limits")
struct FieldLimitTests {
    typealias Limits = ProtocolLimits

    /// A string field of `limit + 1` bytes, and one that only claims that length.
    static func overLimit(_ limit: Int) -> (full: [UInt8], claimed: [UInt8]) {
        (str(ascii(limit + 1)), u32(UInt32(limit + 1)))
    }

    static let clientCases: [Named<(full: [UInt8], claimed: [UInt8])>] = {
        let requestID = overLimit(Limits.maxRequestIDBytes)
        let command = overLimit(Limits.maxCommandBytes)
        let argument = overLimit(Limits.maxValueBytes)
        let name = overLimit(Limits.maxEnvironmentNameBytes)
        let value = overLimit(Limits.maxValueBytes)
        let address = overLimit(Limits.maxClientAddressBytes)
        let chunk = (blob(pattern(Limits.maxChunkBytes + 1)), u32(UInt32(Limits.maxChunkBytes + 1)))
        let argumentCount = u16(UInt16(Limits.maxArguments + 1))
        let environmentCount = u16(UInt16(Limits.maxEnvironmentEntries + 1))
        return [
            Named("start.requestID", (startBody(requestID: requestID.full), startBody(requestID: requestID.claimed))),
            Named("start.command", (startBody(command: command.full), startBody(command: command.claimed))),
            Named("start.arguments count", (
                startBody(arguments: argumentCount + Array(repeating: str(""), count: Limits.maxArguments + 1).flatMap { $0 }),
                [0x02] + str("r") + str("c") + argumentCount)),
            Named("start.arguments[]", (startBody(arguments: u16(2) + str("ok") + argument.full),
                                        [0x02] + str("r") + str("c") + u16(2) + str("ok") + argument.claimed)),
            Named("start.environment count", (
                startBody(environment: environmentCount
                    + Array(repeating: str("N") + str("v"), count: Limits.maxEnvironmentEntries + 1).flatMap { $0 }),
                [0x02] + str("r") + str("c") + u16(0) + environmentCount)),
            Named("start.environment[].name", (startBody(environment: u16(1) + name.full + str("v")),
                                               [0x02] + str("r") + str("c") + u16(0) + u16(1) + name.claimed)),
            Named("start.environment[].value", (startBody(environment: u16(1) + str("N") + value.full),
                                                [0x02] + str("r") + str("c") + u16(0) + u16(1) + str("N") + value.claimed)),
            Named("start.clientAddress", (startBody(clientAddress: address.full), startBody(clientAddress: address.claimed))),
            Named("stdinData", ([0x03] + chunk.0, [0x03] + chunk.1)),
        ]
    }()

    @Test("a front-end field over its limit is field.too_long", arguments: clientCases)
    func clientFieldTooLong(_ sample: Named<(full: [UInt8], claimed: [UInt8])>) {
        #expect(decodeClient(frame(sample.value.full)).errorCode == .fieldTooLong)
        #expect(decodeClient(frame(sample.value.claimed)).errorCode == .fieldTooLong)
    }

    static let launcherCases: [Named<(full: [UInt8], claimed: [UInt8])>] = {
        let code = overLimit(Limits.maxErrorCodeBytes)
        let message = overLimit(Limits.maxMessageBytes)
        return [
            Named("rejected.code", ([0x83] + code.full + str("m"), [0x83] + code.claimed)),
            Named("rejected.message", ([0x83] + str("c") + message.full, [0x83] + str("c") + message.claimed)),
            Named("output.bytes", ([0x85, 1] + blob(pattern(Limits.maxChunkBytes + 1)),
                                   [0x85, 2] + u32(UInt32(Limits.maxChunkBytes + 1)))),
            Named("protocolError.message", ([0x87] + message.full, [0x87] + message.claimed)),
            Named("a length of u32.max", ([0x87] + u32(.max), [0x83] + u32(.max))),
        ]
    }()

    @Test("a launcher field over its limit is field.too_long", arguments: launcherCases)
    func launcherFieldTooLong(_ sample: Named<(full: [UInt8], claimed: [UInt8])>) {
        #expect(decodeLauncher(frame(sample.value.full)).errorCode == .fieldTooLong)
        #expect(decodeLauncher(frame(sample.value.claimed)).errorCode == .fieldTooLong)
    }

    @Test("the same fields at exactly their limit decode")
    func atLimit() throws {
        let body = startBody(
            requestID: str(ascii(Limits.maxRequestIDBytes)), command: str(ascii(Limits.maxCommandBytes)),
            environment: u16(1) + str(ascii(Limits.maxEnvironmentNameBytes)) + str(ascii(Limits.maxValueBytes)),
            clientAddress: str(ascii(Limits.maxClientAddressBytes)))
        let messages = try decodeClient(frame(body)).get()
        guard case .start(let job) = try #require(messages.first) else { Issue.record("not a start"); return }
        #expect(job.requestID.utf8.count == Limits.maxRequestIDBytes)
        #expect(job.environment.first?.value.utf8.count == Limits.maxValueBytes)
        #expect(try decodeLauncher(frame([0x83] + str(ascii(Limits.maxErrorCodeBytes)) + str(ascii(Limits.maxMessageBytes))))
            .get().count == 1)
    }

    @Test("error text names the field but never echoes its bytes")
    func errorsDoNotEchoPayload() {
        let secret = "SECRET-TOKEN-"
        let oversized = String(repeating: secret, count: 20)
        let tooLong = decodeClient(frame(startBody(requestID: str(oversized))))
        let badUTF8 = decodeClient(frame(startBody(command: blob(Array(secret.utf8) + [0xff]))))
        for result in [tooLong, badUTF8] {
            guard case .failure(let error) = result else { Issue.record("expected a failure"); continue }
            #expect(!error.description.contains("SECRET"))
            #expect(error.description.hasPrefix("\(error.code): start."))
        }
    }
}
