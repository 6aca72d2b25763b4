import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Every input httpexec 1.0.4 mishandled (behaviour doc §1–§7 "gives 500" lines, §10), against the
// real `httpexec serve`: our hardened status and JSON error code (docs/api.md), a safe error body,
// and — for every status that promises it — proof that nothing ran: the requests name `marker`,
// a script that creates a file in a world-writable directory, and that directory stays empty.
// The suites are serialized so a test that runs a marker on purpose cannot mask another's run.

/// An error answer as docs/api.md promises it: the status, `application/json`,
/// `{"error":{"code":…,"message":…}}` and nothing else, `X-Request-ID`, and a message with no host
/// path, no control character and none of the request's values (`hunter2` is planted in them).
func expectAPIRejected(
    _ response: HTTPTestResponse, _ status: Int, _ code: String, _ server: APIServer, message: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "\(response)\n--- server log:\n\(server.logTail)", sourceLocation: sourceLocation)
    #expect(response.headers["content-type"] == "application/json", "\(response.headers)", sourceLocation: sourceLocation)
    #expect(response.headers["content-length"] == String(response.body.count), sourceLocation: sourceLocation)
    #expect(response.headers["x-request-id"]?.isEmpty == false, "\(response.headers)", sourceLocation: sourceLocation)
    let object = response.json
    #expect(object.map { Set($0.keys) } == ["error"], "\(response.text)", sourceLocation: sourceLocation)
    let error = object?["error"] as? [String: Any]
    #expect(error.map { Set($0.keys) } == ["code", "message"], "\(response.text)", sourceLocation: sourceLocation)
    #expect(error?["code"] as? String == code, "\(response.text)", sourceLocation: sourceLocation)
    let text = error?["message"] as? String ?? ""
    #expect(!text.isEmpty, sourceLocation: sourceLocation)
    if let message { #expect(text == message, sourceLocation: sourceLocation) }
    for leak in [server.root, server.directory, "/tmp", "hunter2"] {
        #expect(!response.text.contains(leak), "\(response.text) contains \(leak)", sourceLocation: sourceLocation)
    }
    #expect(response.body.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "raw control or non-ASCII byte", sourceLocation: sourceLocation)
    #expect(
        !text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
        "control character in \(text.debugDescription)", sourceLocation: sourceLocation)
}

/// No marker script has run.
func expectNothingRan(_ server: APIServer, sourceLocation: SourceLocation = #_sourceLocation) {
    let files = server.markerFiles()
    #expect(files.isEmpty, "a command ran: \(files)", sourceLocation: sourceLocation)
    if !files.isEmpty { server.clearMarkers() }
}

/// One bad request: a body (raw bytes) and the expected status and code.
struct APIBadRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    let contentType: String?
    let status: Int
    let code: String

    init(_ body: String, _ code: String, status: Int = 400, contentType: String? = "application/json", name: String? = nil) {
        self.init(bytes: Array(body.utf8), code, status: status, contentType: contentType, name: name ?? body)
    }

    init(bytes: [UInt8], _ code: String, status: Int = 400, contentType: String? = "application/json", name: String) {
        self.name = name
        self.body = bytes
        self.contentType = contentType
        self.status = status
        self.code = code
    }

    var testDescription: String {
        let shown = name.count > 120 ? String(name.prefix(100)) + "… (\(body.count) bytes)" : name
        return "\(code): \(shown.debugDescription)"
    }

    static func many(_ code: String, _ bodies: [String]) -> [APIBadRequest] { bodies.map { APIBadRequest($0, code) } }
}

/// The exec root additions both hardening suites use (the paths mention the fixture's directory,
/// so they are made after it exists).
private func addHardeningFiles(_ server: APIServer) throws {
    let record = ": > '\(server.markers)/ran.'$$\n"
    try server.write("marker", server.markerScript)
    try server.write("sub/marker", server.markerScript)
    // Runnable only if something is badly wrong.
    try server.write("noexec-marker", server.markerScript, mode: 0o644)
    try server.write("noshebang-marker", record + "echo ran\n")
    try server.write("badinterp-marker", "#!/nonexistent/interpreter\n" + record)
    try server.write("noshebang", "echo hi\n")
    try server.write("badinterp", "#!/nonexistent/interpreter\necho hi\n")
    // A marker outside the root, reachable only through links or `..`.
    try server.write(server.directory + "/outside/marker", server.markerScript)
    try server.link("link-out-marker", to: server.directory + "/outside/marker")
    try server.link("dirlink-out", to: server.directory + "/outside")
    try server.link("sub/dirlink-out-rel", to: "../../outside")
    // Output that is not UTF-8; records that it ran (502 means the command has run).
    try server.write("bad-utf8", "#!/bin/sh\n" + record + #"""
    case "$1" in
        ff) printf 'ok\377\n' ;;
        surrogate) printf '\355\240\200' ;;
        overlong) printf '\300\257' ;;
        truncated) printf 'ok\342\202' ;;
        stderr) printf 'ok\n'; printf 'err\376' >&2 ;;
    esac
    """# + "\n")
}

@Suite(.serialized, .apiServer { try APIServer(setup: addHardeningFiles) })
struct APIHardeningTests {
    // MARK: §3 The body: 400 invalid_json (the original: 400 HTML, 500, or accepted)

    static let invalidJSON: [APIBadRequest] = APIBadRequest.many("invalid_json", [
        "", " ", "\r\n\t ", "{", "}", "[", "{\"args\":[]", "{\"args\":[\"hunter2\"]", "{\"a\":1,}", "[1,]", "{,}",
        "{\"a\" 1}", "{\"a\":}", "{'args':['hunter2']}", "{args:[]}", "NaN", "Infinity", "-Infinity",
        "{\"timeout\":NaN}", "{\"args\":[Infinity]}", "{\"x\":-Infinity}", "nul", "True", "None", "undefined",
        "{} {}", "{}x", "{\"a\":1}\u{0}", "null null", "01", "1.", ".5", "+1", "0x10", "1e", "-", "\"\\x\"",
        "\"\\u12\"", "\"\\u12G4\"", "\"a\nb\"", "\"tab\there\"", "\"\\ud800\"", "{\"args\":[\"\\udc00\"]}",
        "{\"args\":[\"\\ud83d\"]}", "{\"args\":[\"\\ud83d\\u0041\"]}", "/* comment */ {}", "{} // comment",
        "{\"args\":[\"hunter2\"]} trailing",
    ]) + [
        APIBadRequest(bytes: [0xEF, 0xBB, 0xBF] + Array("{}".utf8), "invalid_json", name: "BOM + {}"),
        APIBadRequest(bytes: [0xEF, 0xBB, 0xBF] + Array("null".utf8), "invalid_json", name: "BOM + null"),
        APIBadRequest(bytes: Array(#"{"args":[""#.utf8) + [0xFF] + Array(#""]}"#.utf8), "invalid_json", name: "0xFF in a string"),
        APIBadRequest(bytes: Array(#"{"args":[""#.utf8) + [0xC3] + Array(#""]}"#.utf8), "invalid_json", name: "truncated UTF-8"),
        APIBadRequest(bytes: Array(#"{"args":[""#.utf8) + [0xC0, 0xAF] + Array(#""]}"#.utf8), "invalid_json", name: "overlong UTF-8"),
        APIBadRequest(bytes: Array(#"{"args":[""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""]}"#.utf8), "invalid_json", name: "encoded surrogate"),
        APIBadRequest(bytes: Array(#"{"args":[""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""]}"#.utf8), "invalid_json", name: "above U+10FFFF"),
        APIBadRequest(bytes: [0xFF, 0xFE] + Array("{}".utf8), "invalid_json", name: "UTF-16 BOM"),
        APIBadRequest(bytes: Array(repeating: UInt8(ascii: "["), count: 100_000), "invalid_json", name: "100k ["),
        APIBadRequest(String(repeating: #"{"a":"#, count: 100_000), "invalid_json", name: #"100k {"a":"#),
        APIBadRequest(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), "invalid_json", name: "100k [] balanced"),
        // 33 levels: the object and 32 arrays (32 levels are fine, see `nestingLimitIsExact`).
        APIBadRequest(#"{"x":"# + String(repeating: "[", count: 32) + String(repeating: "]", count: 32) + "}", "invalid_json", name: "33 levels"),
    ]

    @Test(arguments: invalidJSON)
    func invalidJSONIsRefused(_ request: APIBadRequest) throws {
        try check(request)
    }

    /// 32 levels of nesting (unknown keys) are fine; the 33rd is refused (above).
    @Test func nestingLimitIsExact() throws {
        let server = try APIServer.current()
        defer { server.clearMarkers() }
        let body = #"{"x":"# + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + #","stdout":{"capture":true}}"#
        expectAPIOK(try server.post("/marker", body), APIJSON.ok(0, stdout: APIJSON.text("ran\n")), server)
        #expect(server.markerFiles().count == 1)
    }

    // MARK: §3 The document and its fields: 400 invalid_request

    static let invalidRequest: [APIBadRequest] = APIBadRequest.many("invalid_request", [
        // Not an object (the original ran falsy ones as {} and failed on the rest with 500).
        "[1]", "[]", "[{}]", "[null]", #""s""#, #""""#, #""hunter2""#, "42", "0", "-1", "1.5", "1e3", "false", "true",
        // args
        #"{"args":"hunter2"}"#, #"{"args":{}}"#, #"{"args":{"0":"a"}}"#, #"{"args":1}"#, #"{"args":true}"#,
        #"{"args":[1]}"#, #"{"args":["a",null]}"#, #"{"args":[null]}"#, #"{"args":[["a"]]}"#, #"{"args":[{}]}"#,
        #"{"args":[true]}"#, #"{"args":["hunter2",1.5]}"#,
        // stdin
        #"{"stdin":"hunter2"}"#, #"{"stdin":1}"#, #"{"stdin":true}"#, #"{"stdin":[]}"#, #"{"stdin":[{"content":"x"}]}"#,
        #"{"stdin":{"content":1}}"#, #"{"stdin":{"content":true}}"#, #"{"stdin":{"content":["hunter2"]}}"#,
        #"{"stdin":{"content":{}}}"#, #"{"stdin":{"content":"x","encode":"BASE64"}}"#,
        #"{"stdin":{"content":"x","encode":"Base85"}}"#, #"{"stdin":{"content":"x","encode":"hex"}}"#,
        #"{"stdin":{"content":"x","encode":"utf-8"}}"#, #"{"stdin":{"content":"x","encode":""}}"#,
        #"{"stdin":{"content":"x","encode":"base64 "}}"#, #"{"stdin":{"content":"x","encode":1}}"#,
        #"{"stdin":{"content":"x","encode":true}}"#, #"{"stdin":{"content":"x","encode":["base64"]}}"#,
        // An unknown encode is refused even when unused (the original ignored it without content).
        #"{"stdin":{"encode":"BASE64"}}"#, #"{"stdin":{"content":null,"encode":"hex"}}"#,
        // environment that is not an object
        #"{"environment":[]}"#, #"{"environment":[["A","hunter2"]]}"#, #"{"environment":"A=hunter2"}"#,
        #"{"environment":1}"#, #"{"environment":true}"#,
        // timeout (an addition)
        #"{"timeout":0}"#, #"{"timeout":-1}"#, #"{"timeout":-0.0}"#, #"{"timeout":"1"}"#, #"{"timeout":true}"#,
        #"{"timeout":[]}"#, #"{"timeout":{}}"#, #"{"timeout":86401}"#, #"{"timeout":1e400}"#,
    ] + ["stdout", "stderr"].flatMap { stream in
        [
            // A non-object stream.
            #"{"\#(stream)":"hunter2"}"#, #"{"\#(stream)":true}"#, #"{"\#(stream)":1}"#, #"{"\#(stream)":[]}"#,
            #"{"\#(stream)":[{"capture":true}]}"#,
            // `capture` must be a boolean (the original used truthiness: "false", 1 and [0] captured).
            #"{"\#(stream)":{"capture":"false"}}"#, #"{"\#(stream)":{"capture":"true"}}"#, #"{"\#(stream)":{"capture":1}}"#,
            #"{"\#(stream)":{"capture":0}}"#, #"{"\#(stream)":{"capture":[0]}}"#, #"{"\#(stream)":{"capture":[]}}"#,
            #"{"\#(stream)":{"capture":{}}}"#, #"{"\#(stream)":{"capture":""}}"#, #"{"\#(stream)":{"capture":"hunter2"}}"#,
            // An unknown `encode`, with capture on (the original: 500 after running) and off
            // (the original ignored it).
            #"{"\#(stream)":{"capture":true,"encode":"hex"}}"#, #"{"\#(stream)":{"capture":true,"encode":"BASE64"}}"#,
            #"{"\#(stream)":{"capture":true,"encode":"base32"}}"#, #"{"\#(stream)":{"capture":true,"encode":""}}"#,
            #"{"\#(stream)":{"capture":true,"encode":1}}"#, #"{"\#(stream)":{"capture":false,"encode":"hex"}}"#,
            #"{"\#(stream)":{"capture":false,"encode":"BASE85"}}"#, #"{"\#(stream)":{"encode":"hunter2"}}"#,
        ]
    })

    @Test(arguments: invalidRequest)
    func invalidRequestIsRefused(_ request: APIBadRequest) throws {
        try check(request)
    }

    // MARK: §4 stdin encodings: 400 invalid_encoding

    static let invalidEncoding: [APIBadRequest] = [
        // base64: strict, canonical padded form only.
        "aGV*sbG8=", "!!!!", "aGVsbG8", "aGVsbG8==", "aGVsbA===", "a", "aG", "aGV", "aGVs\nbG8=", "aGVs bG8=",
        " aGVsbG8=", "aGVsbG8=\n", "aGVsbG8=\r\n", "aGV-bG8=", "aGV_bG8=", "=GVsbG8=", "aG=sbG8=", "aGVsbG8=aGVs",
        "aGVsbG8=====", "aGVsb===", "aGVsbG8=hunter2", "aGVsbG8\u{0}", "aGVsbü8=",
    ].map { APIBadRequest(#"{"stdin":{"content":"# + APIJSON.quote($0) + #","encode":"base64"}}"#, "invalid_encoding") }
    + [
        // Ascii85: Python's a85decode defaults; no framing, only ! … u and z.
        "<~BOu!rDZ~>", "BOu!rDZ~>", "<~BOu!rDZ", "BOu!rDZ~", "~", "v", "BOu!rDv", "BOu{rDZ", "BOu|rDZ", "BOu\u{7f}rDZ",
        "BOü!rDZ", "😀", "\u{0}", "Bz", "BOu!z", "s8W-\"", "uuuuu", "y", "BOu!r\u{c}DZ", "hunter2{",
    ].map { APIBadRequest(#"{"stdin":{"content":"# + APIJSON.quote($0) + #","encode":"base85"}}"#, "invalid_encoding") }

    @Test(arguments: invalidEncoding)
    func invalidStdinEncodingIsRefused(_ request: APIBadRequest) throws {
        try check(request)
    }

    // MARK: §3 args / §6 environment: NUL, =, names, values

    static let invalidArgument = APIBadRequest.many("invalid_argument", [
        #"{"args":["a\u0000b"]}"#, #"{"args":["ok","\u0000"]}"#, #"{"args":["hunter2\u0000"]}"#,
    ])

    static let invalidEnvironment = APIBadRequest.many("invalid_environment", [
        #"{"environment":{"":"hunter2"}}"#, #"{"environment":{"A=B":"hunter2"}}"#, #"{"environment":{"=A":"x"}}"#,
        #"{"environment":{"=":"x"}}"#, #"{"environment":{"A\u0000B":"x"}}"#, #"{"environment":{"A":"hunter2\u0000y"}}"#,
        #"{"environment":{"A":1}}"#, #"{"environment":{"A":1.5}}"#, #"{"environment":{"A":null}}"#,
        #"{"environment":{"A":true}}"#, #"{"environment":{"A":["hunter2"]}}"#, #"{"environment":{"A":{}}}"#,
        #"{"environment":{"OK":"fine","BAD":2}}"#,
    ])

    @Test(arguments: invalidArgument + invalidEnvironment)
    func badArgumentsAndVariablesAreRefused(_ request: APIBadRequest) throws {
        try check(request)
    }

    /// Variables the policy denies (the built-in list, `HTTPEXEC_*` under `serve`) and the ones
    /// its base sets (PATH, LANG).
    @Test(arguments: [
        "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "BASH_ENV", "ENV", "SHELLOPTS", "PS4", "IFS", "BASH_FUNC_f%%",
        "GLIBC_TUNABLES", "GCONV_PATH", "MALLOC_CHECK_", "TMPDIR", "LOCPATH", "PYTHONPATH", "PYTHONSTARTUP",
        "PERL5OPT", "RUBYOPT", "NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "GIT_SSH_COMMAND", "SSH_AUTH_SOCK",
        "LISTEN_FDS", "NOTIFY_SOCKET", "HTTPEXEC_X", "HTTPEXEC_EXEC_ROOT", "HTTPEXEC_FOLLOW_LINKS", "PATH", "LANG",
    ])
    func deniedVariablesAreRefused(name: String) throws {
        let server = try APIServer.current()
        let response = try server.post("/marker", #"{"environment":{"OK":"x","# + APIJSON.quote(name) + #":"hunter2"}}"#)
        expectAPIRejected(response, 400, "denied_environment", server)
        if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            let message = (response.json?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(name), "\(message)")
        }
        expectNothingRan(server)
    }

    // MARK: Sizes: 400 arguments_too_large / environment_too_large, 413 body_too_large

    static let tooLarge: [APIBadRequest] = [
        APIBadRequest(
            #"{"args":[""# + String(repeating: "a", count: 131_072) + #""]}"#, "arguments_too_large",
            name: "one argument of 131072 bytes"),
        APIBadRequest(
            #"{"args":["x",""# + String(repeating: "a", count: 1_000_000) + #""]}"#, "arguments_too_large",
            name: "one argument of 1 MB"),
        APIBadRequest(
            #"{"args":"# + APIJSON.array(Array(repeating: "a", count: 4097)) + "}", "arguments_too_large",
            name: "4097 arguments"),
        APIBadRequest(
            #"{"args":"# + APIJSON.array(Array(repeating: String(repeating: "b", count: 125_000), count: 17)) + "}",
            "arguments_too_large", name: "17 × 125000 bytes (> ARG_MAX)"),
        APIBadRequest(
            #"{"args":"# + APIJSON.array(Array(repeating: String(repeating: "c", count: 125_000), count: 9)) + "}",
            "arguments_too_large", name: "9 × 125000 bytes (> one launcher frame)"),
        APIBadRequest(
            #"{"environment":{"# + (0..<9).map { #""V\#($0)":""# + String(repeating: "d", count: 120_000) + #"""# }.joined(separator: ",") + "}}",
            "arguments_too_large", name: "9 variables × 120000 bytes (> one launcher frame)"),
        APIBadRequest(
            #"{"environment":{"# + (0..<1025).map { #""V\#($0)":"x""# }.joined(separator: ",") + "}}",
            "environment_too_large", name: "1025 variables"),
        APIBadRequest(
            #"{"environment":{""# + String(repeating: "N", count: 257) + #"":"x"}}"#, "environment_too_large",
            name: "a 257-byte name"),
        APIBadRequest(
            #"{"environment":{"A":""# + String(repeating: "v", count: 131_070) + #""}}"#, "environment_too_large",
            name: "A=value of 131072 bytes"),
    ]

    @Test(arguments: tooLarge)
    func oversizedRequestsAreRefused(_ request: APIBadRequest) throws {
        try check(request)
    }

    /// The boundaries of the limits above are accepted.
    @Test func sizeLimitsAreExact() throws {
        let server = try APIServer.current()
        defer { server.clearMarkers() }
        let bodies = [
            #"{"environment":{"# + (0..<1024).map { #""V\#($0)":"x""# }.joined(separator: ",") + "}}",
            #"{"environment":{""# + String(repeating: "N", count: 256) + #"":"x"}}"#,
            #"{"environment":{"A":""# + String(repeating: "v", count: 131_069) + #""}}"#,
        ]
        for body in bodies {
            expectAPIOK(try server.post("/marker", body), APIJSON.ok(0), server)
        }
        #expect(server.markerFiles().count == bodies.count)
    }

    /// 17 MiB announced with Content-Length: 413 before the body is read, and the connection is
    /// closed.
    @Test(arguments: [17 << 20, (16 << 20) + 1])
    func oversizedBodyIsRefused(length: Int) throws {
        let server = try APIServer.current()
        let client = try server.fixture.client()
        let head = "POST /marker HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
        // The start of the body; the server may answer before reading any of it.
        try client.send(Array(head.utf8) + Array(#"{"args":[""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 32_768))
        let response = try client.readResponse()
        expectAPIRejected(response, 413, "body_too_large", server)
        #expect(response.headers["connection"]?.lowercased() == "close", "\(response.headers)")
        #expect(client.waitForClose())
        expectNothingRan(server)
    }

    // MARK: §3 Content-Type: 415 for a non-empty body that is not declared as JSON

    @Test(arguments: [
        "text/plain", "text/json", "text/x-json", "application/jsonx", "application/json-seq", "application/x-json",
        "application/javascript", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/octet-stream", "json", "application", "", "application/json+x", "application/+jsonp",
        "image/svg+json", "*/*",
    ])
    func nonJSONBodyIsRefused(contentType: String) throws {
        let server = try APIServer.current()
        // The original ignored such a body silently and ran the command with defaults.
        let response = try server.post("/marker", #"{"args":["hunter2"]}"#, contentType: contentType)
        expectAPIRejected(response, 415, "unsupported_media_type", server)
        expectNothingRan(server)
    }

    @Test func bodyWithoutContentTypeIsRefused() throws {
        let server = try APIServer.current()
        let response = try server.post("/marker", #"{"args":["hunter2"]}"#, contentType: nil)
        expectAPIRejected(response, 415, "unsupported_media_type", server)
        expectNothingRan(server)
    }

    // MARK: §1 Methods: 405 with Allow

    @Test(arguments: ["GET", "PUT", "DELETE", "PATCH"], ["/marker", "/missing", "/../marker"])
    func otherMethodsAre405(method: String, target: String) throws {
        let server = try APIServer.current()
        let response = try server.fixture.client().request(method, target, body: Array("{}".utf8))
        expectAPIRejected(response, 405, "method_not_allowed", server)
        let allow = response.headers["allow"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(allow.map(Set.init) == ["OPTIONS", "POST"], "\(response.headers)")
        expectNothingRan(server)
    }

    /// HEAD: 405 with `Allow` and no body.
    @Test(arguments: ["/marker", "/missing"])
    func headIs405WithoutABody(target: String) throws {
        let server = try APIServer.current()
        let client = try server.fixture.client()
        try client.send(Array("HEAD \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(client.fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2, "\(text.debugDescription)")
        #expect(parts.first?.hasPrefix("HTTP/1.1 405 ") == true, "\(text)")
        #expect(parts.last == "", "HEAD response has a body: \(text.debugDescription)")
        let headers = parts.first?.lowercased().components(separatedBy: "\r\n") ?? []
        #expect(headers.contains { $0.hasPrefix("allow:") && $0.contains("options") && $0.contains("post") })
        #expect(headers.contains { $0.hasPrefix("x-request-id:") })
        expectNothingRan(server)
    }

    // MARK: §1–§2 Paths: 404 not_found with the fixed message, before anything runs

    /// `{ROOT}` stands for the exec root's absolute path (without its leading slash).
    @Test(arguments: [
        "/", "//", "/./", "/.", "/%2e", "/%2E/", "/..", "/../", "/../marker", "/../root/marker", "/%2e%2e/root/marker",
        "/%2E%2E/root/marker", "/.%2e/root/marker", "/%2e./root/marker", "/sub/../marker", "/sub/..", "/marker/..",
        "/sub/%2e%2e/marker", "/sub%2f..%2fmarker", "/..%2froot%2fmarker", "/%2f..%2froot%2fmarker",
        "/%2f..%2fetc%2fpasswd", "/./sub/../marker", "/sub/./../marker", "/..%5cmarker/..",
        "/marker%00", "/marker%00.sh", "/mar%00ker", "/marker%0a", "/marker%0d%0aX-Injected:%201", "/marker%0d",
        "/marker%09", "/marker%7f", "/marker%c2%85", "/marker%c2%9b", "/marker%1b[31m", "/%ff", "/marker%ff", "/%c3",
        "/%ed%a0%80", "/%c0%ae%c0%ae/root/marker", "/%f4%90%80%80",
        "/missing", "/dir", "/dir/", "/sub", "/sub/", "/dirlink/true", "/dirlink-out/marker", "/sub/dirlink-out-rel/marker",
        "/link-out-marker", "/link-outside", "/dangling", "/loop1", "/loop2", "/marker/x",
        "//bin/true", "//{ROOT}/marker", "/{ROOT}/marker",
    ])
    func pathsThatNameNoCommandAre404(target: String) throws {
        let server = try APIServer.current()
        let resolved = target.replacingOccurrences(of: "{ROOT}", with: String(server.root.dropFirst()))
        let response = try server.post(resolved, #"{"args":["hunter2"],"stdout":{"capture":true}}"#)
        expectAPIRejected(response, 404, "not_found", server, message: "Command could not be found.")
        expectNothingRan(server)
    }

    /// A path over 4096 bytes is 404 before the launcher is asked.
    @Test(arguments: [4097, 8000])
    func overlongPathIs404(length: Int) throws {
        let server = try APIServer.current()
        let response = try server.post("/" + String(repeating: "m", count: length), "{}")
        expectAPIRejected(response, 404, "not_found", server, message: "Command could not be found.")
        expectNothingRan(server)
    }

    /// The control: the same requests without the escape do run the marker (so the 404s above
    /// are the path rules at work, not a broken marker).
    @Test func markerRunsWhenNamedDirectly() throws {
        let server = try APIServer.current()
        defer { server.clearMarkers() }
        for target in ["/marker", "/sub/marker", "/marker/"] {
            expectAPIOK(
                try server.post(target, #"{"stdout":{"capture":true}}"#), APIJSON.ok(0, stdout: APIJSON.text("ran\n")), server)
        }
        #expect(server.markerFiles().count == 3)
    }

    // MARK: §2 Files that exist but cannot run: 500, nothing ran

    struct ExecFailure: Sendable, CustomTestStringConvertible {
        let target: String
        let code: String
        var testDescription: String { "\(target) → \(code)" }
    }

    @Test(arguments: [
        ExecFailure(target: "/noexec", code: "not_executable"),
        ExecFailure(target: "/noexec-marker", code: "not_executable"),
        ExecFailure(target: "/noshebang", code: "exec_failed"),
        ExecFailure(target: "/noshebang-marker", code: "exec_failed"),
        ExecFailure(target: "/badinterp", code: "exec_failed"),
        ExecFailure(target: "/badinterp-marker", code: "exec_failed"),
        // The behaviour doc's original answered 404 for a FIFO (not a regular file). The launcher
        // deliberately answers `not_executable` for anything that exists and is neither a regular
        // file nor a directory (Sandbox/ExecRoot.swift); docs/api.md does not say which.
        ExecFailure(target: "/fifo", code: "not_executable"),
    ])
    func existingButUnrunnableIs500(_ failure: ExecFailure) throws {
        let server = try APIServer.current()
        let response = try server.post(failure.target, #"{"args":["hunter2"],"stdout":{"capture":true}}"#)
        expectAPIRejected(response, 500, failure.code, server, message: "Command could not be executed.")
        expectNothingRan(server)
    }

    // MARK: §4 Captured output that is not UTF-8: 502 output_not_utf8, the command has run

    @Test(arguments: ["ff", "surrogate", "overlong", "truncated", "stderr"])
    func nonUTF8OutputIs502(variant: String) throws {
        let server = try APIServer.current()
        defer { server.clearMarkers() }
        let stream = variant == "stderr" ? "stderr" : "stdout"
        let response = try server.post("/bad-utf8", #"{"args":["\#(variant)"],"\#(stream)":{"capture":true}}"#)
        expectAPIRejected(response, 502, "output_not_utf8", server)
        let message = (response.json?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains(stream), "\(message)")
        #expect(server.markerFiles().count == 1, "502 means the command ran")
        // The same output with an encoding is a 200.
        let encoded = try server.post("/bad-utf8", #"{"args":["\#(variant)"],"\#(stream)":{"capture":true,"encode":"base64"}}"#)
        #expect(encoded.status == 200, "\(encoded)")
        #expect(encoded.text.contains(#""encode":"base64""#))
    }

    /// Invalid output on a stream that is not captured does not matter.
    @Test func nonUTF8OutputNotCapturedIsFine() throws {
        let server = try APIServer.current()
        defer { server.clearMarkers() }
        let response = try server.post("/bad-utf8", #"{"args":["stderr"],"stdout":{"capture":true}}"#)
        expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text("ok\n")), server)
    }

    // MARK: Order: a bad request is refused before the command is looked up (#29)

    @Test(arguments: [
        APIBadRequest(#"{"args":"hunter2"}"#, "invalid_request"),
        APIBadRequest("{", "invalid_json"),
        APIBadRequest(#"{"args":[]}"#, "unsupported_media_type", status: 415, contentType: "text/plain"),
    ])
    func badRequestForAMissingCommandIsNot404(_ request: APIBadRequest) throws {
        let server = try APIServer.current()
        let response = try server.post("/missing", bytes: request.body, contentType: request.contentType)
        expectAPIRejected(response, request.status, request.code, server)
    }

    /// The deny list is the launcher's policy, which the front-end does not know: the launcher
    /// resolves the command first, so a denied variable for a missing command is a 404 (nothing
    /// runs either way). docs/api.md #29 reads as if every 400 came first; it holds for the
    /// front-end's own checks only.
    @Test func deniedVariableForAMissingCommandIs404() throws {
        let server = try APIServer.current()
        let body = #"{"environment":{"LD_PRELOAD":"hunter2"}}"#
        expectAPIRejected(try server.post("/missing", body), 404, "not_found", server)
        expectAPIRejected(try server.post("/marker", body), 400, "denied_environment", server)
        expectNothingRan(server)
    }

    // MARK: Error bodies in general

    /// The client's X-Request-ID is echoed on errors; a hostile one is replaced.
    @Test func requestIDOnErrors() throws {
        let server = try APIServer.current()
        let mine = try server.fixture.client().request("POST", "/missing", headers: [("X-Request-ID", "client-id-123")])
        expectAPIRejected(mine, 404, "not_found", server)
        #expect(mine.headers["x-request-id"] == "client-id-123")
        let hostile = try server.fixture.client().request("POST", "/missing", headers: [("X-Request-ID", "has space")])
        expectAPIRejected(hostile, 404, "not_found", server)
        #expect(hostile.headers["x-request-id"]?.count == 32)
    }

    // MARK: Helpers

    private func check(_ request: APIBadRequest, target: String = "/marker", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let server = try APIServer.current()
        let response = try server.post(target, bytes: request.body, contentType: request.contentType)
        expectAPIRejected(response, request.status, request.code, server, sourceLocation: sourceLocation)
        expectNothingRan(server, sourceLocation: sourceLocation)
    }
}

// MARK: - FOLLOW_LINKS true (§2, §10.1–2: the original let `..` and directory links escape)

extension APIHardeningTests {
    @Suite(.serialized, .apiServer { try APIServer(arguments: ["--follow-links"], setup: addHardeningFiles) })
    struct FollowLinks {
        /// In follow-links mode the original ran every one of these (`..` compared lexically, any
        /// directory link followed). Here: 404, and the marker outside the root never runs.
        @Test(arguments: [
            "/../outside/marker", "/%2e%2e/outside/marker", "/..%2foutside%2fmarker", "/sub/../../outside/marker",
            "/sub/%2e%2e/%2e%2e/outside/marker", "/dirlink-out/marker", "/sub/dirlink-out-rel/marker",
            "/../../../../bin/true", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/bin/true", "/dirlink/true", "/dirlink/sh",
            "/dangling", "/loop1", "/dir", "/sub/../marker", "/../root/marker",
        ])
        func escapesAre404(target: String) throws {
            let server = try APIServer.current()
            let response = try server.post(target, #"{"stdout":{"capture":true}}"#)
            expectAPIRejected(response, 404, "not_found", server, message: "Command could not be found.")
            expectNothingRan(server)
        }

        /// No existence oracle: an existing host file and a missing one outside the root get the
        /// same answer (the original: 500 for /etc/passwd, 404 for a missing file).
        @Test func noExistenceOracle() throws {
            let server = try APIServer.current()
            let existing = try server.post("/../../../../etc/passwd", "{}")
            let missing = try server.post("/../../../../etc/does-not-exist-\(getpid())", "{}")
            expectAPIRejected(existing, 404, "not_found", server)
            expectAPIRejected(missing, 404, "not_found", server)
            #expect(existing.text == missing.text)
        }

        /// The control: the final-component link to the outside marker is the one thing follow-links
        /// allows.
        @Test func finalComponentLinkRuns() throws {
            let server = try APIServer.current()
            defer { server.clearMarkers() }
            expectAPIOK(
                try server.post("/link-out-marker", #"{"stdout":{"capture":true}}"#),
                APIJSON.ok(0, stdout: APIJSON.text("ran\n")), server)
            #expect(server.markerFiles().count == 1)
        }
    }
}
