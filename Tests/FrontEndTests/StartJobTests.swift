import FrontEnd
import LauncherProtocol
import Testing

/// What the front-end sends the launcher for a decoded request.
@Suite("Start job")
struct StartJobTests {
    @Test("every field is carried over")
    func fields() throws {
        let request = try decode(
            #"{"args":["-e","FOO"],"stdin":{"content":"YWJj","encode":"base64"},"stdout":{"capture":true},"# +
                #""environment":{"FOO":"BAR","X":""},"timeout":2.5}"#,
            path: "/tools//echo/")
        let job = request.startJob(requestID: "req-1", clientAddress: "192.0.2.1:5000")
        #expect(job == StartJob(
            requestID: "req-1", command: "tools/echo", arguments: ["-e", "FOO"],
            environment: [EnvironmentEntry(name: "FOO", value: "BAR"), EnvironmentEntry(name: "X", value: "")],
            stdin: .stream, captureStdout: true, captureStderr: false, timeoutMilliseconds: 2500,
            clientAddress: "192.0.2.1:5000"))
    }

    @Test("no stdin content means stdin none (the original inherited the server's stdin)", arguments: [
        (#"{}"#, StartJob.StdinMode.none), (#"{"stdin":{"content":null}}"#, .none), (#"{"stdin":{"content":""}}"#, .stream),
    ])
    func stdinMode(_ row: (body: String, mode: StartJob.StdinMode)) throws {
        #expect(try decode(row.body).startJob(requestID: "r", clientAddress: "").stdin == row.mode)
    }

    @Test("defaults: nothing captured, policy timeout")
    func defaults() throws {
        let job = try decode("{}").startJob(requestID: "r", clientAddress: "a")
        #expect(!job.captureStdout)
        #expect(!job.captureStderr)
        #expect(job.timeoutMilliseconds == 0)
        #expect(job.arguments.isEmpty)
        #expect(job.environment.isEmpty)
    }

    @Test("long request ids and addresses are cut on a character boundary and still encode", arguments: [
        String(repeating: "r", count: 500), String(repeating: "é", count: 100), "a" + String(repeating: "😀", count: 80),
    ])
    func cutIdentifiers(_ text: String) throws {
        let job = ExecRequest(command: "c").startJob(requestID: text, clientAddress: text + text)
        #expect(job.requestID.utf8.count <= ProtocolLimits.maxRequestIDBytes)
        #expect(job.requestID.utf8.count > ProtocolLimits.maxRequestIDBytes - 4)
        #expect(text.hasPrefix(job.requestID))
        #expect(job.clientAddress.utf8.count <= ProtocolLimits.maxClientAddressBytes)
        #expect((text + text).hasPrefix(job.clientAddress))
        _ = try FrameEncoder.encode(.start(job))
    }

    @Test("startFrameBytes is the real frame size with maximal id and address")
    func frameSizeFormula() throws {
        let request = try decode(#"{"args":["a","bb",""],"environment":{"K":"vv","é":"ü"}}"#, path: "/dir/cmd")
        let job = request.startJob(
            requestID: String(repeating: "r", count: ProtocolLimits.maxRequestIDBytes),
            clientAddress: String(repeating: "c", count: ProtocolLimits.maxClientAddressBytes))
        #expect(try FrameEncoder.encode(.start(job)).count == 4 + request.startFrameBytes)
    }

    @Test("stdin goes in chunks of at most maxChunkBytes, then a close", arguments: [
        (nil, [] as [Int], false), (0, [], true), (1, [1], true), (256 * 1024, [256 * 1024], true),
        (256 * 1024 + 1, [256 * 1024, 1], true), (600_000, [262_144, 262_144, 75_712], true),
    ] as [(Int?, [Int], Bool)])
    func stdinChunks(_ row: (size: Int?, chunks: [Int], closes: Bool)) throws {
        let data = row.size.map { (0..<$0).map { UInt8(truncatingIfNeeded: $0 &* 7) } }
        let messages = ExecRequest(command: "c", stdin: data).stdinMessages()
        var sizes: [Int] = []
        var joined: [UInt8] = []
        for message in messages {
            if case .stdinData(let chunk) = message {
                sizes.append(chunk.count)
                joined += chunk
                _ = try FrameEncoder.encode(message)
            }
        }
        #expect(sizes == row.chunks)
        #expect((messages.last == .stdinClose) == row.closes)
        #expect(messages.count == row.chunks.count + (row.closes ? 1 : 0))
        if let data { #expect(joined == data) }
    }
}
