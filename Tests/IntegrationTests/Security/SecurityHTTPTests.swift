// Adversarial tests of issue #7: HTTP abuse against the real `httpexec serve`. docs/security.md
// lists them with the defence each one proves. Attacks that other suites already cover exactly
// are not repeated here: a 17 MiB Content-Length (APIHardeningTests.oversizedBodyIsRefused),
// 100,000 nested `[` and invalid UTF-8 in argument strings (APIHardeningTests.invalidJSONIsRefused),
// a stalled request head (FrontEndProcessTests.incompleteHeadersAreCutOff).
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(
    "security: HTTP abuse", .serialized,
    .enabled(if: runningAsRoot, "needs root: serve switches jobs to their own uid"),
    .securityServer {
        try SecurityFixture(policy: .generated(), environment: ["HTTPEXEC_HEADER_TIMEOUT": "1s"]) { fixture in
            try fixture.write("marker", fixture.markerScript)
        }
    })
struct SecurityHTTPTests {
    /// The JSON for the marker, small and valid: if a request carrying it is refused, the marker
    /// proves it (a run leaves a file).
    private static let markerBody = Array(#"{"args":["x"],"stdout":{"capture":true}}"#.utf8)

    /// Slowloris that keeps trickling: one byte of the head every 20 ms. The header deadline
    /// counts from the connection's start, not from the last byte, so the trickle is cut at the
    /// configured 1 s — long before the head is complete — and nothing runs. (An idle-style
    /// timeout, reset by every byte, would let it through.)
    @Test func tricklingHeadIsCutAtTheHeaderDeadline() throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            let client = try fixture.serve.client()
            let head = rawRequest("/marker", headers: [
                ("Host", "x"), ("Content-Type", "application/json"), ("X-Pad", String(repeating: "p", count: 400)),
                ("Content-Length", String(Self.markerBody.count)),
            ], body: Self.markerBody)
            let started = ContinuousClock.now
            var sent = 0
            var closed: Bool?
            while sent < head.count {
                if (try? client.send([head[sent]])) == nil {
                    closed = true
                    break
                }
                sent += 1
                // The pause between bytes is spent watching for the server's move.
                if let acted = client.serverActed(within: 20) {
                    closed = acted
                    break
                }
            }
            let waited = ContinuousClock.now - started
            #expect(closed == true, "the server answered or never closed (sent \(sent) of \(head.count) bytes)")
            #expect(sent < head.count, "the whole trickled request got through")
            #expect(waited >= .milliseconds(900), "closed after \(waited), before the 1 s header timeout")
            #expect(fixture.markerFiles().isEmpty)
        }
    }

    /// Bodies the size limit must stop although no Content-Length announces them: 17 MiB in
    /// chunks. The body is read only up to 16 MiB; the answer is 413 `body_too_large` with
    /// `Connection: close`, then the close, and nothing runs.
    @Test func chunkedBodyOverTheLimitIs413() throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            let client = try fixture.serve.client()
            let head = rawRequest("/marker", headers: [
                ("Host", "x"), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
            ])
            let opening = Array(#"{"args":[""#.utf8)
            let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 16)
            let chunk = Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + [13, 10]
            let chunks = (17 << 20) / piece.count
            var step = 0
            let outcome = client.stream {
                defer { step += 1 }
                switch step {
                case 0: return head + Array("\(String(opening.count, radix: 16))\r\n".utf8) + opening + [13, 10]
                case 1...chunks: return chunk
                case chunks + 1: return Array("0\r\n\r\n".utf8)
                default: return nil
                }
            }
            #expect(outcome.error != ETIMEDOUT, "\(outcome)")
            let response = try client.readResponse()
            #expect(response.status == 413, "\(response)\n\(outcome)")
            #expect(response.errorCode == "body_too_large", "\(response)")
            #expect(response.headers["connection"]?.lowercased() == "close", "\(response.headers)")
            #expect(client.waitForClose())
            #expect(fixture.markerFiles().isEmpty)
        }
    }

    static let invalidUTF8: [(String, [UInt8])] = [
        ("key", Array(#"{""#.utf8) + [0xFF] + Array(#"":1}"#.utf8)),
        ("variable name", Array(#"{"environment":{"A"#.utf8) + [0xC3] + Array(#"":"x"}}"#.utf8)),
        ("variable value", Array(#"{"environment":{"A":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}}"#.utf8)),
        ("stdin content", Array(#"{"stdin":{"content":""#.utf8) + [0xF8, 0x88, 0x80, 0x80, 0x80] + Array(#""}}"#.utf8)),
    ]

    /// Invalid UTF-8 where the argument-string cases (APIHardeningTests) do not put it: in an
    /// object key, a variable's name and value, stdin content. 400 `invalid_json`, nothing runs.
    @Test(arguments: invalidUTF8)
    func invalidUTF8IsRefused(position: String, body: [UInt8]) throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            let response = try fixture.serve.client().request("POST", "/marker", body: body)
            #expect(response.status == 400, "\(position): \(response)")
            #expect(response.errorCode == "invalid_json", "\(position): \(response)")
            #expect(fixture.markerFiles().isEmpty)
        }
    }

    /// Three requests in one write — invalid JSON, the marker, a probe with `Connection: close`:
    /// three answers in request order (told apart by the client's `X-Request-ID` and content), an
    /// error on the first does not swallow the others, and the connection closes after the last.
    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            defer { fixture.clearMarkers() }
            let client = try fixture.serve.client()
            func request(_ id: String, _ target: String, _ body: String, close: Bool = false) -> [UInt8] {
                var headers = [("Host", "x"), ("X-Request-ID", id), ("Content-Type", "application/json"), ("Content-Length", String(body.utf8.count))]
                if close { headers.append(("Connection", "close")) }
                return rawRequest(target, headers: headers, body: Array(body.utf8))
            }
            try client.send(
                request("pipe-1", "/marker", #"{"args":["#)
                    + request("pipe-2", "/marker", #"{"args":["two"],"stdout":{"capture":true}}"#)
                    + request("pipe-3", "/probe", #"{"args":["exit","3"]}"#, close: true))
            let first = try client.readResponse()
            #expect(first.headers["x-request-id"] == "pipe-1" && first.status == 400 && first.errorCode == "invalid_json", "\(first)")
            let second = try client.readResponse()
            #expect(second.headers["x-request-id"] == "pipe-2" && second.status == 200, "\(second)")
            #expect(SecurityFixture.stdout(second) == "ran\n", "\(second)")
            let third = try client.readResponse()
            #expect(third.headers["x-request-id"] == "pipe-3" && SecurityFixture.returnValue(third) == 3, "\(third)")
            #expect(client.waitForClose())
            #expect(fixture.markerFiles().count == 1, "\(fixture.markerFiles())")
        }
    }

    static let ambiguousFraming: [(String, [(String, String)])] = [
        ("Content-Length before chunked", [("Content-Length", "{n}"), ("Transfer-Encoding", "chunked")]),
        ("chunked before Content-Length", [("Transfer-Encoding", "chunked"), ("Content-Length", "4")]),
        ("two different Content-Lengths", [("Content-Length", "{n}"), ("Content-Length", "4")]),
        ("a Content-Length list", [("Content-Length", "{n}, 4")]),
        ("chunked not last", [("Transfer-Encoding", "chunked, identity"), ("Content-Length", "{n}")]),
        ("an unknown coding beside Content-Length", [("Transfer-Encoding", "xchunked"), ("Content-Length", "{n}")]),
        ("a space before the colon", [("Transfer-Encoding ", "chunked"), ("Content-Length", "{n}")]),
    ]

    /// Framing that two parsers could read differently (request smuggling): the HTTP parser
    /// refuses every such request with 400 and closes the connection, so neither the request nor
    /// the valid request pipelined behind it runs.
    @Test(arguments: ambiguousFraming)
    func ambiguousFramingIsRefused(_ name: String, framing: [(String, String)]) throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            let client = try fixture.serve.client()
            let body = framing.contains { $0.0.hasPrefix("Transfer-Encoding") && $0.1.contains("chunked") } ? chunked(Self.markerBody) : Self.markerBody
            let headers = [("Host", "x"), ("Content-Type", "application/json")]
                + framing.map { ($0.0, $0.1.replacingOccurrences(of: "{n}", with: String(body.count))) }
            let behind = rawRequest("/marker", headers: [
                ("Host", "x"), ("Content-Type", "application/json"), ("Content-Length", String(Self.markerBody.count)),
            ], body: Self.markerBody)
            try client.send(rawRequest("/marker", headers: headers, body: body) + behind)
            let response = try client.readResponse()
            #expect(response.status == 400, "\(name): \(response)")
            #expect(response.headers["connection"]?.lowercased() == "close", "\(name): \(response.headers)")
            #expect(client.waitForClose(), "\(name): the connection stayed open")
            #expect(fixture.markerFiles().isEmpty, "\(name): a marker ran")
        }
    }

    /// Header floods: too many fields, one huge field, a huge total, a header line that never
    /// ends. The parser's limits (1,000 fields; 80 KiB per field and in total) answer 400 and
    /// close while the flood is still being sent — the rest is never read — and nothing runs.
    @Test(arguments: HeaderFlood.allCases)
    func headerFloodsAreRefused(_ flood: HeaderFlood) throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            let client = try fixture.serve.client()
            let bytes = flood.request(body: Self.markerBody)
            let outcome = client.stream(bytes)
            #expect(outcome.error != ETIMEDOUT, "\(outcome)")
            let response = try client.readResponse()
            #expect(response.status == 400, "\(response)")
            #expect(response.headers["connection"]?.lowercased() == "close", "\(response.headers)")
            #expect(client.waitForClose())
            // 64 MiB is far more than loopback's socket buffers can hold (tcp_wmem + tcp_rmem, a
            // few MiB each): unless the server kept reading, the send is cut off.
            if bytes.count > 1 << 20 {
                #expect(outcome.interrupted && outcome.sent < bytes.count, "the server read the whole flood (\(outcome))")
            }
            #expect(fixture.markerFiles().isEmpty, "a marker ran")
            // The unsent rest of the flood would hold our FIN back (see `parserErrorReleasesTheConnection`).
            client.resetOnClose()
        }
    }

    /// After the parser's 400 (here for Content-Length beside chunked) the front-end half-closes
    /// and waits for the client's FIN. A client that never sends it — or whose FIN is stuck
    /// behind a flood the server stopped reading — keeps the connection, one of the
    /// MAX_CONNECTIONS slots, until IDLE_TIMEOUT (60 s): `RequestTimeoutHandler` arms the idle
    /// deadline when the 400 ends, although no request can follow `Connection: close`. It should
    /// be gone within the header deadline (1 s here) like a slowloris connection.
    @Test func parserErrorReleasesTheConnection() throws {
        let fixture = try SecurityFixture.current()
        try fixture.checked { fixture in
            let client = try fixture.serve.client()
            try client.send(rawRequest("/marker", headers: [
                ("Host", "x"), ("Content-Type", "application/json"), ("Content-Length", "2"), ("Transfer-Encoding", "chunked"),
            ]))
            let response = try client.readResponse()
            #expect(response.status == 400 && response.headers["connection"]?.lowercased() == "close", "\(response)")
            #expect(client.waitForClose(), "no FIN from the server")
            // The server's end (nil: the kernel has already dropped it, so it is released).
            let socket = client.serverSideSocket(serverPort: fixture.serve.port)
            func held() -> Bool { socket.map { SecurityFixture.openFDs(fixture.frontEndPID).values.contains($0) } ?? false }
            #expect(waitFor(within: .seconds(4)) { !held() }, "the front-end still holds \(socket ?? "-")")
        } // the client closes here, which releases the connection
    }

    enum HeaderFlood: String, CaseIterable, Sendable {
        case thousandAndOneFields
        case oneField81KiB
        case hundredFields1KiB
        case endlessField64MiB

        /// A request for the marker carrying the flood.
        func request(body: [UInt8]) -> [UInt8] {
            let fields: [(String, String)]
            switch self {
            case .thousandAndOneFields: fields = (0..<1001).map { ("X-F\($0)", "v") }
            case .oneField81KiB: fields = [("X-Big", String(repeating: "b", count: 81 << 10))]
            case .hundredFields1KiB: fields = (0..<100).map { ("X-K\($0)", String(repeating: "k", count: 1 << 10)) }
            case .endlessField64MiB:
                // No CRLF ever: the head cannot end.
                return Array("POST /marker HTTP/1.1\r\nHost: x\r\nX-Endless: ".utf8) + [UInt8](repeating: UInt8(ascii: "e"), count: 64 << 20)
            }
            return rawRequest("/marker", headers: [("Host", "x"), ("Content-Type", "application/json")] + fields + [
                ("Content-Length", String(body.count)),
            ], body: body)
        }
    }
}
