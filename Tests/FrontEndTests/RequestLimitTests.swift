import FrontEnd
import LauncherProtocol
import Testing

/// Size limits on arguments and environment: refused with a 400 before exec (the original got
/// E2BIG from exec and answered 500), at exact boundaries.
@Suite("Request limits")
struct RequestLimitTests {
    static func body(args: [String] = [], env: [(String, String)] = []) -> [UInt8] {
        let arguments = args.map(jsonString).joined(separator: ",")
        let environment = env.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",")
        return Array(#"{"args":[\#(arguments)],"environment":{\#(environment)}}"#.utf8)
    }

    static func outcome(_ body: [UInt8], limits: RequestLimits = RequestLimits()) -> APIError.Code? {
        do {
            _ = try ExecRequest.decode(path: "/echo", contentType: "application/json", body: body, limits: limits)
            return nil
        } catch {
            #expect(error.status == 400)
            #expect(!looksUnsafe(error.message))
            return error.code
        }
    }

    @Test("argument count: 4096 pass, 4097 refused", arguments: [(4096, nil), (4097, APIError.Code.argumentsTooLarge)])
    func argumentCount(_ row: (count: Int, code: APIError.Code?)) {
        #expect(Self.outcome(Self.body(args: Array(repeating: "a", count: row.count))) == row.code)
    }

    @Test("a configured argument count is honoured, but never above the protocol's", arguments: [
        (10, 10, nil), (10, 11, APIError.Code.argumentsTooLarge), (100_000, 4097, .argumentsTooLarge),
    ])
    func configuredArgumentCount(_ row: (limit: Int, count: Int, code: APIError.Code?)) {
        let limits = RequestLimits(maxArguments: row.limit)
        #expect(Self.outcome(Self.body(args: Array(repeating: "", count: row.count)), limits: limits) == row.code)
    }

    @Test("one argument: 131 071 bytes pass, 131 072 refused (MAX_ARG_STRLEN counts the NUL)", arguments: [
        (131_071, nil), (131_072, APIError.Code.argumentsTooLarge),
    ])
    func argumentLength(_ row: (size: Int, code: APIError.Code?)) {
        #expect(Self.outcome(Self.body(args: [String(repeating: "x", count: row.size)])) == row.code)
    }

    @Test("argument length counts UTF-8 bytes, not characters")
    func argumentLengthInBytes() {
        let twoByte = String(repeating: "ü", count: 65_536)  // 131 072 bytes
        #expect(Self.outcome(Self.body(args: [twoByte])) == .argumentsTooLarge)
    }

    @Test("arguments and environment together: the configured total", arguments: [
        (["aaaa", "bbbbb"], [] as [(String, String)], nil as APIError.Code?),  // "aaaa\0" 5 + "bbbbb\0" 6 = 11
        (["aaaa", "bbbbbb"], [], .argumentsTooLarge),  // 12
        (["aaaa"], [("B", "123")], nil),  // 5 + "B=123\0" 6 = 11
        (["aaaa"], [("B", "1234")], .argumentsTooLarge),  // 5 + 7 = 12
    ])
    func configuredTotal(_ row: (args: [String], env: [(String, String)], code: APIError.Code?)) {
        #expect(Self.outcome(Self.body(args: row.args, env: row.env), limits: RequestLimits(maxArgumentTotalBytes: 11)) == row.code)
    }

    @Test("over 2 MiB of arguments (ARG_MAX) is refused")
    func argMax() {
        let args = Array(repeating: String(repeating: "x", count: 131_071), count: 17)  // 2 228 224 bytes
        #expect(Self.outcome(Self.body(args: args)) == .argumentsTooLarge)
    }

    /// Arguments making the `start` frame body exactly `frameBytes` long (with the longest request id
    /// and client address), for the command `echo`.
    static func argumentsFilling(frameBytes: Int) -> [String] {
        var remaining = frameBytes - ExecRequest(command: "echo").startFrameBytes
        var args: [String] = []
        while remaining > 0 {
            let size = min(remaining - 4, 131_071)
            args.append(String(repeating: "y", count: size))
            remaining -= 4 + size
        }
        return args
    }

    @Test("a request whose start frame is exactly the maximum decodes and encodes")
    func frameExactlyFull() throws {
        let args = Self.argumentsFilling(frameBytes: ProtocolLimits.maxFrameSize)
        let request = try ExecRequest.decode(path: "/echo", contentType: "application/json", body: Self.body(args: args))
        #expect(request.startFrameBytes == ProtocolLimits.maxFrameSize)
        let job = request.startJob(
            requestID: String(repeating: "r", count: ProtocolLimits.maxRequestIDBytes),
            clientAddress: String(repeating: "c", count: ProtocolLimits.maxClientAddressBytes))
        let frame = try FrameEncoder.encode(.start(job))
        #expect(frame.count == 4 + ProtocolLimits.maxFrameSize)
    }

    @Test("one byte more than a full start frame is refused before it reaches the encoder")
    func frameOneOver() {
        let args = Self.argumentsFilling(frameBytes: ProtocolLimits.maxFrameSize + 1)
        #expect(Self.outcome(Self.body(args: args)) == .argumentsTooLarge)
    }

    @Test("environment count: 1024 pass, 1025 refused", arguments: [(1024, nil), (1025, APIError.Code.environmentTooLarge)])
    func environmentCount(_ row: (count: Int, code: APIError.Code?)) {
        let env = (0..<row.count).map { ("V\($0)", "x") }
        #expect(Self.outcome(Self.body(env: env)) == row.code)
    }

    @Test("environment name: 256 bytes pass, 257 refused", arguments: [(256, nil), (257, APIError.Code.environmentTooLarge)])
    func environmentNameLength(_ row: (size: Int, code: APIError.Code?)) {
        #expect(Self.outcome(Self.body(env: [(String(repeating: "N", count: row.size), "x")])) == row.code)
    }

    @Test("NAME=value: 131 071 bytes pass, 131 072 refused", arguments: [(131_071, nil), (131_072, APIError.Code.environmentTooLarge)])
    func environmentEntryLength(_ row: (size: Int, code: APIError.Code?)) {
        let value = String(repeating: "v", count: row.size - 2)  // "A=" + value
        #expect(Self.outcome(Self.body(env: [("A", value)])) == row.code)
    }
}
