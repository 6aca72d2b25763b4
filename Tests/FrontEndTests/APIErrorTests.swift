import FrontEnd
import Testing

/// The error body and the message invariant.
@Suite("API errors")
struct APIErrorTests {
    @Test("the body is compact, sorted and ASCII-escaped like every other body")
    func body() {
        let error = APIError(status: 400, code: .invalidRequest, message: #"é "q" \ ✓ 😀"#)
        #expect(String(decoding: error.jsonBody, as: UTF8.self)
            == #"{"error":{"code":"invalid_request","message":"\u00e9 \"q\" \\ \u2713 \ud83d\ude00"}}"#)
    }

    @Test("control characters never survive in a message", arguments: [
        "a\nb", "\u{0}", "x\r\ny", "\u{1B}[31mred", "\u{7F}", "\u{85}next", "\u{9F}", "tab\there",
    ])
    func sanitized(_ message: String) {
        let error = APIError(status: 400, code: .invalidRequest, message: message)
        #expect(!error.message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(error.message.contains("\\u{"))
        #expect(String(decoding: error.jsonBody, as: UTF8.self).contains("\\\\u{"))
    }

    @Test("long messages are capped")
    func capped() {
        let error = APIError(status: 400, code: .invalidRequest, message: String(repeating: "m", count: 5000))
        #expect(error.message.count == APIError.maxMessageLength + 1)
        #expect(error.message.hasSuffix("…"))
    }

    @Test("fixed errors for the server", arguments: [
        (APIError.notFound, 404, "not_found"), (APIError.methodNotAllowed, 405, "method_not_allowed"),
        (APIError.bodyTooLarge(limit: 10), 413, "body_too_large"), (APIError.launcherUnavailable, 503, "launcher_unavailable"),
    ])
    func fixedErrors(_ row: (error: APIError, status: Int, code: String)) {
        #expect(row.error.status == row.status)
        #expect(row.error.code.rawValue == row.code)
        #expect(!looksUnsafe(row.error.message))
    }

    @Test("405 says which methods are allowed")
    func allow() {
        #expect(APIError.methodNotAllowed.headers == [APIError.Header(name: "Allow", value: "OPTIONS, POST")])
    }
}
