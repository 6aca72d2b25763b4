import FrontEnd
import Testing

/// Every bad input gets a 4xx JSON error with a stable code, before anything runs, and its
/// message is safe (no path, no control characters).
@Suite("Request validation: refused forms")
struct RequestValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let path: String
        let contentType: String?
        let body: [UInt8]
        let status: Int
        let code: APIError.Code
        init(
            _ name: String, path: String = "/echo", contentType: String? = "application/json", _ body: String,
            _ status: Int, _ code: APIError.Code
        ) {
            self.init(name, path: path, contentType: contentType, bytes: Array(body.utf8), status, code)
        }
        init(
            _ name: String, path: String = "/echo", contentType: String? = "application/json", bytes: [UInt8],
            _ status: Int, _ code: APIError.Code
        ) {
            self.name = name
            self.path = path
            self.contentType = contentType
            self.body = bytes
            self.status = status
            self.code = code
        }
        var testDescription: String { name }
    }

    static let paths: [Case] = [
        Case("root", path: "/", "{}", 404, .notFound),
        Case("empty", path: "", "{}", 404, .notFound),
        Case("only slashes", path: "///", "{}", 404, .notFound),
        Case("only dots", path: "/./.", "{}", 404, .notFound),
        Case("dot-dot first", path: "/../echo", "{}", 404, .notFound),
        Case("dot-dot escaping far", path: "/../../../../bin/echo", "{}", 404, .notFound),
        Case("dot-dot that stays inside (original allowed it)", path: "/sub/../errexit", "{}", 404, .notFound),
        Case("dot-dot last", path: "/sub/..", "{}", 404, .notFound),
        Case("NUL", path: "/ech\0o", "{}", 404, .notFound),
        Case("newline (log injection)", path: "/x\nINJECTED LINE", "{}", 404, .notFound),
        Case("carriage return", path: "/x\r", "{}", 404, .notFound),
        Case("tab", path: "/x\ty", "{}", 404, .notFound),
        Case("escape", path: "/x\u{1B}[31m", "{}", 404, .notFound),
        Case("DEL", path: "/x\u{7F}", "{}", 404, .notFound),
        Case("C1 next-line", path: "/x\u{85}y", "{}", 404, .notFound),
        Case("longer than 4096 bytes", path: "/" + String(repeating: "a", count: 4097), "{}", 404, .notFound),
        Case("path refused before a bad body is read", path: "/..", "{", 404, .notFound),
    ]

    static let mediaTypes: [Case] = [
        Case("JSON sent as text/plain", contentType: "text/plain", #"{"args":["x"]}"#, 415, .unsupportedMediaType),
        Case("no Content-Type with a body", contentType: nil, #"{"args":["x"]}"#, 415, .unsupportedMediaType),
        Case("form body", contentType: "application/x-www-form-urlencoded", "a=b", 415, .unsupportedMediaType),
        Case("jsonx", contentType: "application/jsonx", "{}", 415, .unsupportedMediaType),
        Case("text/json", contentType: "text/json", "{}", 415, .unsupportedMediaType),
        Case("json-patch without +", contentType: "application/json-patch", "{}", 415, .unsupportedMediaType),
        Case("empty Content-Type with a body", contentType: "", "{}", 415, .unsupportedMediaType),
        Case("whitespace body as text", contentType: "text/plain", " ", 415, .unsupportedMediaType),
    ]

    static let json: [Case] = [
        Case("empty JSON body (400 in the original too)", "", 400, .invalidJSON),
        Case("whitespace only", " \n\t", 400, .invalidJSON),
        Case("truncated", #"{"args":["#, 400, .invalidJSON),
        Case("trailing comma in object", #"{"args":[],}"#, 400, .invalidJSON),
        Case("trailing comma in array", #"{"args":["a",]}"#, 400, .invalidJSON),
        Case("two documents", "{} {}", 400, .invalidJSON),
        Case("single quotes", "{'args':[]}", 400, .invalidJSON),
        Case("unquoted key", "{args:[]}", 400, .invalidJSON),
        Case("comment", "{} // x", 400, .invalidJSON),
        Case("NaN", #"{"x":NaN}"#, 400, .invalidJSON),
        Case("Infinity", #"{"x":Infinity}"#, 400, .invalidJSON),
        Case("-Infinity", #"{"x":-Infinity}"#, 400, .invalidJSON),
        Case("NaN as the body", "NaN", 400, .invalidJSON),
        Case("leading zero", #"{"x":01}"#, 400, .invalidJSON),
        Case("bare fraction", #"{"x":.5}"#, 400, .invalidJSON),
        Case("dot without digits", #"{"x":1.}"#, 400, .invalidJSON),
        Case("plus sign", #"{"x":+1}"#, 400, .invalidJSON),
        Case("exponent without digits", #"{"x":1e}"#, 400, .invalidJSON),
        Case("misspelled literal", #"{"x":tru}"#, 400, .invalidJSON),
        Case("Python literal", #"{"x":None}"#, 400, .invalidJSON),
        Case("raw tab in a string", "{\"args\":[\"a\tb\"]}", 400, .invalidJSON),
        Case("raw newline in a string", "{\"args\":[\"a\nb\"]}", 400, .invalidJSON),
        Case("invalid escape", #"{"args":["\x41"]}"#, 400, .invalidJSON),
        Case("short unicode escape", #"{"args":["\u12"]}"#, 400, .invalidJSON),
        Case("non-hex unicode escape", #"{"args":["\u12G4"]}"#, 400, .invalidJSON),
        Case("lone high surrogate", #"{"args":["\ud800"]}"#, 400, .invalidJSON),
        Case("lone low surrogate", #"{"args":["\udc80"]}"#, 400, .invalidJSON),
        Case("high surrogate then a letter", #"{"args":["\ud800\u0041"]}"#, 400, .invalidJSON),
        Case("unterminated string", #"{"args":["abc"#, 400, .invalidJSON),
        Case("UTF-8 byte order mark", bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8), 400, .invalidJSON),
        Case("invalid UTF-8 in a string", bytes: Array(#"{"args":[""#.utf8) + [0xFF] + Array(#""]}"#.utf8), 400, .invalidJSON),
        Case("overlong UTF-8", bytes: Array(#"{"args":[""#.utf8) + [0xC0, 0xAF] + Array(#""]}"#.utf8), 400, .invalidJSON),
        Case("UTF-8 surrogate", bytes: Array(#"{"args":[""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""]}"#.utf8), 400, .invalidJSON),
        Case("invalid UTF-8 outside strings", bytes: [0x7B, 0xFF, 0x7D], 400, .invalidJSON),
        Case("UTF-16 body", bytes: [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], 400, .invalidJSON),
        Case("33 levels deep", String(repeating: "[", count: 33) + String(repeating: "]", count: 33), 400, .invalidJSON),
        Case("100 000 open brackets (RecursionError → 500 in the original)", String(repeating: "[", count: 100_000), 400, .invalidJSON),
        Case("deep inside an ignored key", #"{"x":"# + String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 41),
             400, .invalidJSON),
    ]

    static let types: [Case] = [
        Case("body false (original: ran as {})", "false", 400, .invalidRequest),
        Case("body 0 (original: ran as {})", "0", 400, .invalidRequest),
        Case("body 0.0", "0.0", 400, .invalidRequest),
        Case("body empty string (original: ran as {})", #""""#, 400, .invalidRequest),
        Case("body empty array (original: ran as {})", "[]", 400, .invalidRequest),
        Case("body array", "[1]", 400, .invalidRequest),
        Case("body string", #""str""#, 400, .invalidRequest),
        Case("body number", "42", 400, .invalidRequest),
        Case("body true", "true", 400, .invalidRequest),
        Case("args string", #"{"args":"-n"}"#, 400, .invalidRequest),
        Case("args object", #"{"args":{}}"#, 400, .invalidRequest),
        Case("args number", #"{"args":1}"#, 400, .invalidRequest),
        Case("args element number", #"{"args":["a",1]}"#, 400, .invalidRequest),
        Case("args element null", #"{"args":[null]}"#, 400, .invalidRequest),
        Case("args element array", #"{"args":[["a"]]}"#, 400, .invalidRequest),
        Case("args element bool", #"{"args":[true]}"#, 400, .invalidRequest),
        Case("stdin string", #"{"stdin":"abc"}"#, 400, .invalidRequest),
        Case("stdin array", #"{"stdin":[]}"#, 400, .invalidRequest),
        Case("stdin false", #"{"stdin":false}"#, 400, .invalidRequest),
        Case("stdin.content number", #"{"stdin":{"content":5}}"#, 400, .invalidRequest),
        Case("stdin.content object", #"{"stdin":{"content":{}}}"#, 400, .invalidRequest),
        Case("stdin.content array", #"{"stdin":{"content":["a"]}}"#, 400, .invalidRequest),
        Case("stdin.encode upper case", #"{"stdin":{"content":"YQ==","encode":"BASE64"}}"#, 400, .invalidRequest),
        Case("stdin.encode unknown", #"{"stdin":{"content":"61","encode":"hex"}}"#, 400, .invalidRequest),
        Case("stdin.encode unknown without content", #"{"stdin":{"encode":"base32"}}"#, 400, .invalidRequest),
        Case("stdin.encode number", #"{"stdin":{"content":"a","encode":1}}"#, 400, .invalidRequest),
        Case("stdout string", #"{"stdout":"yes"}"#, 400, .invalidRequest),
        Case("stdout array", #"{"stdout":[]}"#, 400, .invalidRequest),
        Case("stdout true", #"{"stdout":true}"#, 400, .invalidRequest),
        Case("capture \"false\" (original: captured)", #"{"stdout":{"capture":"false"}}"#, 400, .invalidRequest),
        Case("capture 1 (original: captured)", #"{"stdout":{"capture":1}}"#, 400, .invalidRequest),
        Case("capture [0] (original: captured)", #"{"stdout":{"capture":[0]}}"#, 400, .invalidRequest),
        Case("capture 0", #"{"stderr":{"capture":0}}"#, 400, .invalidRequest),
        Case("capture empty string", #"{"stderr":{"capture":""}}"#, 400, .invalidRequest),
        Case("capture object", #"{"stderr":{"capture":{}}}"#, 400, .invalidRequest),
        Case("stdout.encode unknown with capture (original: 500 after running)", #"{"stdout":{"capture":true,"encode":"hex"}}"#,
             400, .invalidRequest),
        Case("stdout.encode unknown without capture", #"{"stdout":{"capture":false,"encode":"hex"}}"#, 400, .invalidRequest),
        Case("stderr.encode unknown", #"{"stderr":{"capture":true,"encode":"Base85"}}"#, 400, .invalidRequest),
        Case("stderr.encode bool", #"{"stderr":{"capture":true,"encode":true}}"#, 400, .invalidRequest),
        Case("timeout zero", #"{"timeout":0}"#, 400, .invalidRequest),
        Case("timeout negative", #"{"timeout":-1}"#, 400, .invalidRequest),
        Case("timeout string", #"{"timeout":"5"}"#, 400, .invalidRequest),
        Case("timeout bool", #"{"timeout":true}"#, 400, .invalidRequest),
        Case("timeout over the limit", #"{"timeout":86400.001}"#, 400, .invalidRequest),
        Case("timeout overflowing to infinity", #"{"timeout":1e400}"#, 400, .invalidRequest),
        Case("first error wins: args before environment", #"{"environment":[],"args":1}"#, 400, .invalidRequest),
    ]

    static let encodings: [Case] = [
        Case("base64 with a bad character (original: dropped it)", #"{"stdin":{"content":"aGV*sbG8=","encode":"base64"}}"#,
             400, .invalidEncoding),
        Case("base64 of only bad characters", #"{"stdin":{"content":"!!!!","encode":"base64"}}"#, 400, .invalidEncoding),
        Case("base64 bad padding", #"{"stdin":{"content":"abc","encode":"base64"}}"#, 400, .invalidEncoding),
        Case("base64 url-safe alphabet", #"{"stdin":{"content":"-_-_","encode":"base64"}}"#, 400, .invalidEncoding),
        Case("base64 with a line break", #"{"stdin":{"content":"YWJj\nYWJj","encode":"base64"}}"#, 400, .invalidEncoding),
        Case("base64 non-ASCII", #"{"stdin":{"content":"ü===","encode":"base64"}}"#, 400, .invalidEncoding),
        Case("base85 framing", #"{"stdin":{"content":"<~BOu!rDZ~>","encode":"base85"}}"#, 400, .invalidEncoding),
        Case("base85 out of range", #"{"stdin":{"content":"BOu!rDZ{","encode":"base85"}}"#, 400, .invalidEncoding),
        Case("base85 non-ASCII", #"{"stdin":{"content":"BOu!\u00e9","encode":"base85"}}"#, 400, .invalidEncoding),
        Case("base85 z inside a group", #"{"stdin":{"content":"BOzu!","encode":"base85"}}"#, 400, .invalidEncoding),
        Case("base85 overflow", #"{"stdin":{"content":"uuuuu","encode":"base85"}}"#, 400, .invalidEncoding),
    ]

    static let argumentsAndEnvironment: [Case] = [
        Case("NUL in an argument", #"{"args":["a\u0000b"]}"#, 400, .invalidArgument),
        Case("NUL as an argument", #"{"args":["ok","\u0000"]}"#, 400, .invalidArgument),
        Case("environment string", #"{"environment":"A=1"}"#, 400, .invalidRequest),
        Case("environment array", #"{"environment":[["A","1"]]}"#, 400, .invalidRequest),
        Case("environment false", #"{"environment":false}"#, 400, .invalidRequest),
        Case("empty name (original: passed \"=x\")", #"{"environment":{"":"x"}}"#, 400, .invalidEnvironment),
        Case("= in a name", #"{"environment":{"A=B":"x"}}"#, 400, .invalidEnvironment),
        Case("name is just =", #"{"environment":{"=":"x"}}"#, 400, .invalidEnvironment),
        Case("NUL in a name", #"{"environment":{"A\u0000":"x"}}"#, 400, .invalidEnvironment),
        Case("NUL in a value", #"{"environment":{"A":"x\u0000y"}}"#, 400, .invalidEnvironment),
        Case("number value", #"{"environment":{"A":1}}"#, 400, .invalidEnvironment),
        Case("null value", #"{"environment":{"A":null}}"#, 400, .invalidEnvironment),
        Case("bool value", #"{"environment":{"A":true}}"#, 400, .invalidEnvironment),
        Case("array value", #"{"environment":{"A":["x"]}}"#, 400, .invalidEnvironment),
        Case("object value", #"{"environment":{"A":{}}}"#, 400, .invalidEnvironment),
    ]

    @Test("paths", arguments: paths)
    func path(_ row: Case) { check(row) }

    @Test("media types", arguments: mediaTypes)
    func mediaType(_ row: Case) { check(row) }

    @Test("JSON syntax", arguments: json)
    func syntax(_ row: Case) { check(row) }

    @Test("types and values", arguments: types)
    func type(_ row: Case) { check(row) }

    @Test("stdin encodings", arguments: encodings)
    func encoding(_ row: Case) { check(row) }

    @Test("args and environment", arguments: argumentsAndEnvironment)
    func argsAndEnvironment(_ row: Case) { check(row) }

    func check(_ row: Case) {
        guard let error = decodeError(row.body, path: row.path, contentType: row.contentType) else { return }
        #expect(error.status == row.status)
        #expect(error.code == row.code)
        #expect(!looksUnsafe(error.message), "message: \(error.message)")
        #expect(!error.message.isEmpty)
        if row.status == 404 {
            #expect(error.message == "Command could not be found.")
        }
        let body = String(decoding: error.jsonBody, as: UTF8.self)
        #expect(body.hasPrefix(#"{"error":{"code":"\#(row.code.rawValue)","message":""#))
    }

    @Test("invalid_json messages say why and where", arguments: [
        ([0xEF, 0xBB, 0xBF] + Array("{}".utf8), "byte order mark", "byte 0"),
        (Array(#"{"x":NaN}"#.utf8), "NaN and Infinity", "byte 5"),
        (Array(String(repeating: "[", count: 40).utf8), "nested deeper than 32", "byte 32"),
        (Array(#"{"a":""#.utf8) + [0xFF], "not valid UTF-8", "byte 6"),
        (Array(#"["\udc00"]"#.utf8), "lone surrogate", "byte"),
        (Array("".utf8), "empty", "byte 0"),
        (Array("{} x".utf8), "after the JSON value", "byte 3"),
    ] as [([UInt8], String, String)])
    func jsonMessages(_ row: (body: [UInt8], reason: String, location: String)) {
        let error = decodeError(row.body)
        #expect(error?.code == .invalidJSON)
        #expect(error?.message.contains(row.reason) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(row.location) == true, "\(error?.message ?? "")")
    }

    @Test("messages name the field and never echo the offending value")
    func messagesNameTheField() {
        let cases: [(String, String, String)] = [
            (#"{"args":["ok",7]}"#, "args[1]", "7"),
            (#"{"stdout":{"capture":"secret-value"}}"#, "stdout.capture", "secret-value"),
            (#"{"stderr":{"capture":true,"encode":"secret-scheme"}}"#, "stderr.encode", "secret-scheme"),
            (#"{"stdin":{"content":"c2VjcmV0*","encode":"base64"}}"#, "stdin.content", "c2VjcmV0"),
            (#"{"environment":{"HOME":5}}"#, "\"HOME\"", "5"),
            (#"{"environment":{"/etc/passwd":5}}"#, "an environment variable", "/etc"),
            (#"{"environment":{"X\u001b[2J":5}}"#, "an environment variable", "[2J"),
        ]
        for (body, named, hidden) in cases {
            guard let error = decodeError(Array(body.utf8)) else { continue }
            #expect(error.message.contains(named), "\(error.message)")
            #expect(!error.message.contains(hidden), "\(error.message)")
        }
    }

    @Test("the 413 check uses the configured limit", arguments: [(16, false), (17, true), (1000, true)])
    func bodyLimit(_ row: (size: Int, refused: Bool)) {
        let body = "{\"args\":[" + String(repeating: " ", count: row.size - 11) + "]}"
        #expect(body.utf8.count == row.size)
        let limits = RequestLimits(maxBodyBytes: 16)
        do {
            _ = try ExecRequest.decode(path: "/echo", contentType: "application/json", body: Array(body.utf8), limits: limits)
            #expect(!row.refused)
        } catch {
            #expect(row.refused)
            #expect(error.status == 413)
            #expect(error.code == .bodyTooLarge)
        }
    }

    @Test("413 comes before 415: a large non-JSON body")
    func bodyLimitBeforeMediaType() {
        let error = decodeError(Array(repeating: 0x41, count: 100), contentType: "text/plain", limits: RequestLimits(maxBodyBytes: 50))
        #expect(error?.status == 413)
    }

    @Test("the depth limit is a parameter")
    func depthLimit() throws {
        let nested = #"{"x":[[[]]]}"#  // depth 4
        #expect(decodeError(Array(nested.utf8), limits: RequestLimits(maxDepth: 3))?.code == .invalidJSON)
        #expect(try decode(nested, limits: RequestLimits(maxDepth: 4)) == ExecRequest(command: "echo"))
    }
}
