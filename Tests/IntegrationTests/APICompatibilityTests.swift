import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Correct requests against the real `httpexec serve` (launcher + front-end processes): each must
// be answered exactly as httpexec 1.0.4 answered it — same status, byte-identical JSON body
// (sorted keys, compact, Python's ASCII escaping). The reference is
// /work/shared/reference/httpexec-1.0.4-behaviour.md (§ numbers below); our API is docs/api.md.
// The shared helpers (`APIServer`, `APIServeScope`, `APIJSON`, `APICodec`) live here and are used
// by APIHardeningTests.swift too.

// MARK: - Shared fixture

/// One running `httpexec serve` plus a world-writable directory that "marker" scripts write to, so
/// a test can prove whether a command ran.
final class APIServer: @unchecked Sendable {
    let fixture: ServeFixture
    /// `<fixture directory>/markers`, mode 1777: jobs (user `nobody`) may create files here.
    let markers: String
    private let cleanup: [String]

    var root: String { fixture.root }
    var directory: String { fixture.directory }

    /// Starts the server, then lets `setup` add whatever the suite needs (links, fifos, files that
    /// mention the fixture's paths): the launcher resolves each command on every request.
    init(
        environment: [String: String] = [:], arguments: [String] = [], files: [String: (String, Int)] = [:],
        execRoot: String? = nil, workingDirectory: String? = nil, cleanup: [String] = [],
        setup: (APIServer) throws -> Void = { _ in }
    ) throws {
        fixture = try ServeFixture(
            environment: environment, arguments: arguments, extraFiles: files, execRoot: execRoot,
            workingDirectory: workingDirectory)
        markers = fixture.directory + "/markers"
        self.cleanup = cleanup
        try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
        chmod(markers, 0o1777)
        try setup(self)
    }

    deinit {
        for path in cleanup { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The server of the innermost running suite that has an `APIServeScope` trait.
    static func current() throws -> APIServer {
        try #require(APIServeScope.current, "the suite's APIServeScope trait did not start a server")
    }

    // MARK: Building the exec root

    /// Writes `contents` at `path` (relative to the exec root unless absolute) with `mode`.
    func write(_ path: String, _ contents: String, mode: Int = 0o755) throws {
        let full = path.hasPrefix("/") ? path : root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: false, encoding: .utf8)
        chmod(full, mode_t(mode))
    }

    /// Creates the symlink `path` (relative to the exec root) → `target`.
    func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: target)
    }

    /// A `/bin/sh` script that records that it ran (a new file in `markers`) and prints `ran`.
    var markerScript: String { "#!/bin/sh\n: > '\(markers)/ran.'$$\necho ran\n" }

    /// The files the marker scripts created so far.
    func markerFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: markers)) ?? []).sorted()
    }

    /// Forgets previous runs (after a test that ran a marker on purpose).
    func clearMarkers() {
        for name in markerFiles() { try? FileManager.default.removeItem(atPath: markers + "/" + name) }
    }

    // MARK: Requests

    /// `POST target` on a fresh connection with `body` as UTF-8 (nil: no body, no Content-Length).
    func post(_ target: String, _ body: String?, contentType: String? = "application/json") throws -> HTTPTestResponse {
        try post(target, bytes: body.map { Array($0.utf8) }, contentType: contentType)
    }

    /// `POST target` with a body of raw bytes.
    func post(_ target: String, bytes: [UInt8]?, contentType: String? = "application/json") throws -> HTTPTestResponse {
        try fixture.client().request("POST", target, body: bytes, contentType: contentType)
    }

    /// The end of the server's log, for failure messages.
    var logTail: String { String(fixture.log.suffix(3000)) }
}

/// A suite trait that starts one `APIServer` for the whole suite (not per test) and stops it when
/// the suite is done; tests reach it with `APIServer.current()`.
struct APIServeScope: SuiteTrait, TestScoping {
    @TaskLocal static var current: APIServer?

    let make: @Sendable () throws -> APIServer

    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try make()
        defer { server.fixture.stop() }
        try await Self.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == APIServeScope {
    /// One shared `httpexec serve` for the suite.
    static func apiServer(_ make: @escaping @Sendable () throws -> APIServer) -> Self { APIServeScope(make: make) }
}

// MARK: - Expected bodies

/// The original's JSON: Python's `json.dumps(…, sort_keys=True, separators=(",", ":"))` with
/// `ensure_ascii`, as Quart's `jsonify` produced it.
enum APIJSON {
    /// A JSON string literal exactly as Python writes it: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`
    /// in short form; every other character outside space…`~` as `\u` + 4 lowercase hex digits,
    /// UTF-16 surrogate pairs above U+FFFF.
    static func quote(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// A captured text stream: `{"content":"…","encode":null}`.
    static func text(_ content: String) -> String { #"{"content":"# + quote(content) + #","encode":null}"# }

    /// A captured stream written with `encode: base64`.
    static func base64(_ bytes: [UInt8]) -> String {
        #"{"content":"# + quote(APICodec.base64(bytes)) + #","encode":"base64"}"#
    }

    /// A captured stream written with `encode: base85`.
    static func base85(_ bytes: [UInt8]) -> String {
        #"{"content":"# + quote(APICodec.ascii85(bytes)) + #","encode":"base85"}"#
    }

    /// A captured stream in `encoding` (nil: text).
    static func stream(_ bytes: [UInt8], _ encoding: String?) -> String {
        switch encoding {
        case "base64": base64(bytes)
        case "base85": base85(bytes)
        default: text(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The 200 body: `{"return":N,"stderr":S,"stdout":S}` (+ `"timed_out":true` when it is).
    static func ok(_ status: Int, stdout: String? = nil, stderr: String? = nil, timedOut: Bool = false) -> String {
        #"{"return":\#(status),"stderr":\#(stderr ?? "null"),"stdout":\#(stdout ?? "null")"#
            + (timedOut ? #","timed_out":true"# : "") + "}"
    }

    /// A JSON array of strings.
    static func array(_ strings: [String]) -> String { "[" + strings.map(quote).joined(separator: ",") + "]" }
}

/// Reference encoders for expected values (anchored by literal values from CPython below).
enum APICodec {
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Python's `base64.a85encode` with default arguments: `z` for an all-zero 4-byte group, a
    /// final partial group written without its padding, no framing, no wrapping.
    static func ascii85(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let group = bytes[start..<min(start + 4, bytes.count)]
            var value: UInt32 = 0
            for offset in 0..<4 {
                value = value << 8 | UInt32(offset < group.count ? group[group.startIndex + offset] : 0)
            }
            if group.count == 4 && value == 0 {
                out.append(UInt8(ascii: "z"))
            } else {
                var digits = [UInt8](repeating: 0, count: 5)
                for index in (0..<5).reversed() {
                    digits[index] = UInt8(value % 85) + 33
                    value /= 85
                }
                out += digits.prefix(group.count + 1)
            }
            start += 4
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The probe's `spew` pattern: byte i is `'a' + i % 26`.
    static func spewPattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(97 + $0 % 26) } }
}

// MARK: - Assertions

/// A 200 whose body is exactly `expected`, sent as `application/json` with a `Content-Length`.
func expectAPIOK(
    _ response: HTTPTestResponse, _ expected: String, _ server: APIServer,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == 200, "\(response)\n--- server log:\n\(server.logTail)", sourceLocation: sourceLocation)
    #expect(
        response.text == expected, "body:\n\(response.text.prefix(2000))\nexpected:\n\(expected.prefix(2000))",
        sourceLocation: sourceLocation)
    #expect(response.headers["content-type"] == "application/json", sourceLocation: sourceLocation)
    #expect(response.headers["content-length"] == String(response.body.count), sourceLocation: sourceLocation)
}

/// The `content` of a captured stream in a 200 body.
func apiStreamContent(_ response: HTTPTestResponse, _ stream: String) -> String? {
    (response.json?[stream] as? [String: Any])?["content"] as? String
}

// MARK: - Scripts used by the suites

enum APIScripts {
    /// Prints each argument as `[arg]` on its own line.
    static let args = #"""
    #!/bin/sh
    for a in "$@"; do printf '[%s]\n' "$a"; done
    """# + "\n"

    /// The upstream test suite's `tests/assets/echo` (a Python helper) in /bin/sh: for each
    /// `-e VAR` it writes `VAR=<value>` to stderr, then copies stdin to stdout.
    static let upstreamEcho = #"""
    #!/bin/sh
    while [ $# -gt 0 ]; do
        if [ "$1" = -e ]; then
            shift
            printf '%s=%s\n' "$1" "$(printenv "$1")" >&2
        fi
        shift
    done
    exec cat
    """# + "\n"

    /// What fd 0 is (`/dev/null`, `pipe:[…]`).
    static let stdinTarget = "#!/bin/sh\nexec readlink /proc/self/fd/0\n"

    /// Kills itself with SIGTERM.
    static let killSelf = "#!/bin/sh\nkill -TERM $$\necho not-reached\n"

    /// Prints `bytes` (no newline) with printf octal escapes.
    static func emit(_ bytes: [UInt8]) -> String {
        "#!/bin/sh\nprintf '" + bytes.map { "\\" + String($0, radix: 8).leftPadded(to: 3) }.joined() + "'\n"
    }

    /// Prints its own name.
    static func says(_ text: String) -> String { "#!/bin/sh\necho '\(text)'\n" }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// Every correct request, answered as httpexec 1.0.4 answered it.
@Suite(
    .apiServer {
        try APIServer(
            // The server's own environment, HTTPEXEC_* included, must never reach a job (§6, §10.3).
            environment: [
                "HTTPEXEC_LOGGING_LEVEL": "INFO", "HTTPEXEC_JOB_TIMEOUT": "10m",
                "SERVER_ONLY_VARIABLE": "must-not-leak",
            ],
            files: [
                "x": (APIScripts.says("x"), 0o755),
                "with space": (APIScripts.says("with space"), 0o755),
                "ünï": (APIScripts.says("ünï"), 0o755),
                "pct%zz": (APIScripts.says("pct%zz"), 0o755),
                "sub/name": (APIScripts.says("sub/name"), 0o755),
                "args": (APIScripts.args, 0o755),
                "echo": (APIScripts.upstreamEcho, 0o755),
                "stdin-target": (APIScripts.stdinTarget, 0o755),
                "kill-self": (APIScripts.killSelf, 0o755),
                "emit-hello": (APIScripts.emit(Array("hello".utf8)), 0o755),
                "emit-zeros": (APIScripts.emit([UInt8](repeating: 0, count: 8) + Array("abc".utf8)), 0o755),
                "emit-all": (APIScripts.emit((0...255).map { UInt8($0) }), 0o755),
            ]
        ) { server in
            // Upstream's test_symlinks: a link in the root to the echo helper outside it.
            try server.write(server.directory + "/assets/echo", APIScripts.upstreamEcho)
            try server.link("upstream-link", to: server.directory + "/assets/echo")
        }
    })
struct APICompatibilityTests {
    // MARK: §1 Endpoint and methods

    @Test(arguments: ["/probe", "/missing", "/sub/name?x=1", "/a/b/c"])
    func optionsAnswers200WithAllowAndNoBody(target: String) throws {
        let server = try APIServer.current()
        let response = try server.fixture.client().request("OPTIONS", target)
        #expect(response.status == 200, "\(response)")
        #expect(response.body.isEmpty)
        let allow = response.headers["allow"]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(allow.map(Set.init) == ["OPTIONS", "POST"], "\(response.headers)")
        #expect(allow?.count == 2)
    }

    struct PathCase: Sendable, CustomTestStringConvertible {
        let target: String
        let prints: String
        var testDescription: String { target }
    }

    /// Request paths are percent-decoded, the query is ignored, and the path is normalised like
    /// Python's `pathlib` join (leading, doubled and trailing slashes and `.` segments vanish).
    @Test(arguments: [
        PathCase(target: "/x", prints: "x"),
        PathCase(target: "/x?a=b&c", prints: "x"),
        PathCase(target: "/x?../../etc/passwd%00", prints: "x"),
        PathCase(target: "//x", prints: "x"),
        PathCase(target: "///x", prints: "x"),
        PathCase(target: "/x/", prints: "x"),
        PathCase(target: "/./x", prints: "x"),
        PathCase(target: "/./x/.", prints: "x"),
        PathCase(target: "/%78", prints: "x"),
        PathCase(target: "/with%20space", prints: "with space"),
        PathCase(target: "/%C3%BCn%C3%AF", prints: "ünï"),
        PathCase(target: "/%c3%bcn%c3%af", prints: "ünï"),
        PathCase(target: "/pct%zz", prints: "pct%zz"),
        PathCase(target: "/sub/name", prints: "sub/name"),
        PathCase(target: "/sub//name", prints: "sub/name"),
        PathCase(target: "/sub/./name", prints: "sub/name"),
        PathCase(target: "/sub%2Fname", prints: "sub/name"),
        PathCase(target: "/sub%2fname", prints: "sub/name"),
        PathCase(target: "//sub///name//", prints: "sub/name"),
    ])
    func pathRunsTheNormalisedFile(_ path: PathCase) throws {
        let server = try APIServer.current()
        let response = try server.post(path.target, #"{"stdout":{"capture":true}}"#)
        expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text(path.prints + "\n")), server)
    }

    /// `/sub//inner` (a copy of the probe) and symlinks that stay inside the root run.
    @Test(arguments: ["/sub//inner", "/sub/inner", "/link-inside", "/sub/link-up"])
    func nestedAndInsideLinksRun(target: String) throws {
        let server = try APIServer.current()
        let response = try server.post(target, #"{"args":["exit","7"]}"#)
        expectAPIOK(response, APIJSON.ok(7), server)
    }

    // MARK: §3 Request body

    /// `application/json` and `application/…+json`, any case, with parameters (charset ignored).
    @Test(arguments: [
        "application/json", "APPLICATION/JSON", "Application/Json", "application/json; charset=utf-8",
        "application/json;charset=latin-1", "application/json ; foo=bar", "application/vnd.api+json",
        "application/problem+json; charset=UTF-8", "Application/Merge-Patch+JSON", " application/json ",
    ])
    func jsonMediaTypesAreParsed(contentType: String) throws {
        let server = try APIServer.current()
        let response = try server.post(
            "/args", #"{"args":["ü"],"stdout":{"capture":true}}"#, contentType: contentType)
        expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text("[ü]\n")), server)
    }

    struct DefaultsCase: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String?
        let contentType: String?
        var testDescription: String { name }
    }

    /// An empty body (any or no Content-Type), `null` and `{}` all run with defaults: no args,
    /// stdin /dev/null, nothing captured.
    @Test(arguments: [
        DefaultsCase(name: "no body, no Content-Type", body: nil, contentType: nil),
        DefaultsCase(name: "Content-Length: 0, no Content-Type", body: "", contentType: nil),
        DefaultsCase(name: "empty text/plain", body: "", contentType: "text/plain"),
        DefaultsCase(name: "empty octet-stream", body: "", contentType: "application/octet-stream"),
        DefaultsCase(name: "null", body: "null", contentType: "application/json"),
        DefaultsCase(name: "null with whitespace", body: " \r\n\tnull\n", contentType: "application/json"),
        DefaultsCase(name: "{}", body: "{}", contentType: "application/json"),
        // Documented difference #8: the original answered 500 to `null` fields (its OpenAPI
        // document said they were nullable).
        DefaultsCase(name: "every field null", body: #"{"args":null,"stdin":null,"stdout":null,"stderr":null,"environment":null,"timeout":null}"#, contentType: "application/json"),
    ])
    func defaultsRun(_ request: DefaultsCase) throws {
        let server = try APIServer.current()
        // The args script exits 0 and nothing is captured.
        let response = try server.post("/args", request.body, contentType: request.contentType)
        expectAPIOK(response, APIJSON.ok(0), server)
        // Proof that no argument or stdin arrived: a probe with no arguments exits 64 (usage).
        let probe = try server.post("/probe", request.body, contentType: request.contentType)
        expectAPIOK(probe, APIJSON.ok(64), server)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        let server = try APIServer.current()
        let body = #"{"args":["first"],"stdout":{"capture":false},"args":["second"],"stdout":{"capture":true,"capture":false,"capture":true},"stderr":{"capture":true},"stderr":{"capture":false}}"#
        let response = try server.post("/args", body)
        expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text("[second]\n")), server)
    }

    @Test func unknownKeysAreIgnoredAtEveryLevel() throws {
        let server = try APIServer.current()
        let body = #"""
        {"zzz":1,"Args":["ignored"],"args":["a","b"],"nested":{"deep":[1,{"x":null}]},
         "stdin":{"content":"in\n","extra":[true],"Encode":"hex"},
         "stdout":{"capture":true,"foo":"bar","CAPTURE":false},"stderr":{"unknown":{}},
         "environment":null,"return":5}
        """#
        let argsResponse = try server.post("/args", body)
        expectAPIOK(argsResponse, APIJSON.ok(0, stdout: APIJSON.text("[a]\n[b]\n")), server)
        let catBody = body.replacingOccurrences(of: #""args":["a","b"]"#, with: #""args":["cat"]"#)
        let catResponse = try server.post("/probe", catBody)
        expectAPIOK(catResponse, APIJSON.ok(0, stdout: APIJSON.text("in\n")), server)
    }

    struct NullCase: Sendable, CustomTestStringConvertible {
        let target: String
        let body: String
        let expected: String
        var testDescription: String { body }
    }

    /// `null` anywhere means the same as leaving the field out. (The original agreed for
    /// `stdin.content`, `*.capture`, `*.encode` and `environment`; for `args`, `stdin`, `stdout`
    /// and `stderr` it answered 500 — documented difference #8.)
    @Test(arguments: [
        NullCase(target: "/args", body: #"{"args":null,"stdout":{"capture":true}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text(""))),
        NullCase(target: "/stdin-target", body: #"{"stdin":null,"stdout":{"capture":true}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("/dev/null\n"))),
        NullCase(target: "/stdin-target", body: #"{"stdin":{"content":null},"stdout":{"capture":true}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("/dev/null\n"))),
        NullCase(target: "/stdin-target", body: #"{"stdin":{"content":null,"encode":null},"stdout":{"capture":true}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("/dev/null\n"))),
        NullCase(target: "/stdin-target", body: #"{"stdin":{"content":null,"encode":"base64"},"stdout":{"capture":true}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("/dev/null\n"))),
        NullCase(target: "/stdin-target", body: #"{"stdin":{},"stdout":{"capture":true}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("/dev/null\n"))),
        NullCase(target: "/x", body: #"{"stdout":{"capture":null}}"#, expected: APIJSON.ok(0)),
        NullCase(target: "/x", body: #"{"stdout":{"capture":null,"encode":"base64"}}"#, expected: APIJSON.ok(0)),
        NullCase(target: "/x", body: #"{"stdout":{}}"#, expected: APIJSON.ok(0)),
        NullCase(target: "/x", body: #"{"stdout":{"capture":true,"encode":null},"stderr":null}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("x\n"))),
        NullCase(target: "/x", body: #"{"stdout":{"capture":true},"stderr":{"capture":null,"encode":null}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("x\n"))),
        NullCase(target: "/probe", body: #"{"args":["environ"],"stdout":{"capture":true},"environment":null}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("PATH=/usr/local/bin:/usr/bin:/bin\nLANG=C.UTF-8\n"))),
        NullCase(target: "/probe", body: #"{"args":["environ"],"stdout":{"capture":true},"environment":{}}"#, expected: APIJSON.ok(0, stdout: APIJSON.text("PATH=/usr/local/bin:/usr/bin:/bin\nLANG=C.UTF-8\n"))),
        NullCase(target: "/probe", body: #"{"args":["exit","3"],"timeout":null}"#, expected: APIJSON.ok(3)),
    ])
    func nullMeansAbsent(_ request: NullCase) throws {
        let server = try APIServer.current()
        expectAPIOK(try server.post(request.target, request.body), request.expected, server)
    }

    /// Chunked request bodies work (§3).
    @Test func chunkedRequestBody() throws {
        let server = try APIServer.current()
        let client = try server.fixture.client()
        let json = Array(#"{"args":["chunked","body"],"stdout":{"capture":true}}"#.utf8)
        var raw = Array("POST /args HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for piece in [json[..<10], json[10..<11], json[11...]] {
            raw += Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
        }
        raw += Array("0\r\n\r\n".utf8)
        try client.send(raw)
        expectAPIOK(try client.readResponse(), APIJSON.ok(0, stdout: APIJSON.text("[chunked]\n[body]\n")), server)
    }

    /// A body of exactly the limit (16 MiB) is accepted.
    @Test func bodyOfExactly16MiBRuns() throws {
        let server = try APIServer.current()
        let prefix = #"{"args":["big"],"stdout":{"capture":true},"padding":""#
        let suffix = #""}"#
        let padding = String(repeating: "p", count: (16 << 20) - prefix.utf8.count - suffix.utf8.count)
        let body = prefix + padding + suffix
        #expect(body.utf8.count == 16 << 20)
        expectAPIOK(try server.post("/args", body), APIJSON.ok(0, stdout: APIJSON.text("[big]\n")), server)
    }

    // MARK: §3 Fields: args

    /// Arguments reach argv verbatim: options, shell metacharacters, quotes, whitespace, empty
    /// strings, control characters, non-ASCII (no shell anywhere).
    @Test(arguments: [
        ["-n"],
        ["-n", "-e", "--", "-"],
        ["$HOME", "`id`", "$(id)", "a;b", "a && b", "a | b", "*", "?", "[a-z]", ">out", "<in", "~", "#c", "!"],
        ["'single'", "\"double\"", "back\\slash", " spaced  out ", "", "\t"],
        ["line\nbreak", "cr\r", "bell\u{7}", "del\u{7f}", "c1\u{85}"],
        ["ü", "日本語", "😀", "\u{2028}", "\u{fffd}"],
    ])
    func argumentsArePassedVerbatim(arguments: [String]) throws {
        let server = try APIServer.current()
        let body = #"{"args":"# + APIJSON.array(arguments) + #","stdout":{"capture":true}}"#
        let expected = arguments.map { "[\($0)]\n" }.joined()
        expectAPIOK(try server.post("/args", body), APIJSON.ok(0, stdout: APIJSON.text(expected)), server)
    }

    /// Many small arguments (the original ran 20 000; the documented limit is 4096).
    @Test(arguments: [2000, 4096])
    func manySmallArguments(count: Int) throws {
        let server = try APIServer.current()
        let arguments = (0..<count).map { "a\($0)" }
        let body = #"{"args":"# + APIJSON.array(arguments) + #","stdout":{"capture":true}}"#
        let expected = arguments.map { "[\($0)]\n" }.joined()
        expectAPIOK(try server.post("/args", body), APIJSON.ok(0, stdout: APIJSON.text(expected)), server)
    }

    /// The longest single argument execve accepts (131 071 bytes + NUL = MAX_ARG_STRLEN).
    @Test func longestArgument() throws {
        let server = try APIServer.current()
        let argument = String(repeating: "y", count: 131_071)
        let body = #"{"args":[""# + argument + #""],"stdout":{"capture":true}}"#
        expectAPIOK(try server.post("/args", body), APIJSON.ok(0, stdout: APIJSON.text("[\(argument)]\n")), server)
    }

    // MARK: §3 Fields: stdin

    struct StdinCase: Sendable, CustomTestStringConvertible {
        let name: String
        let stdin: String
        let bytes: [UInt8]
        var testDescription: String { name }
    }

    /// `stdin.content` goes through a pipe, decoded per `stdin.encode`; the probe copies it to
    /// stdout, which comes back base64 so every byte is visible.
    @Test(arguments: [
        StdinCase(name: "text", stdin: #"{"content":"hello\nw\u00f6rld \ud83d\ude00\u0000end"}"#, bytes: Array("hello\nwörld 😀\u{0}end".utf8)),
        StdinCase(name: "text, encode null", stdin: #"{"content":"abc","encode":null}"#, bytes: Array("abc".utf8)),
        StdinCase(name: "empty text", stdin: #"{"content":""}"#, bytes: []),
        StdinCase(name: "base64", stdin: #"{"content":"aGVsbG8=","encode":"base64"}"#, bytes: Array("hello".utf8)),
        StdinCase(name: "base64 one pad", stdin: #"{"content":"aGVsbG8h","encode":"base64"}"#, bytes: Array("hello!".utf8)),
        StdinCase(name: "base64 two pads", stdin: #"{"content":"aGk=","encode":"base64"}"#, bytes: Array("hi".utf8)),
        StdinCase(name: "base64 non-zero unused bits (accepted, as Python)", stdin: #"{"content":"aGVsbG9=","encode":"base64"}"#, bytes: Array("hello".utf8)),
        StdinCase(name: "base64 empty", stdin: #"{"content":"","encode":"base64"}"#, bytes: []),
        StdinCase(name: "base64 +/", stdin: #"{"content":"+/+/","encode":"base64"}"#, bytes: [0xFB, 0xFF, 0xBF]),
        StdinCase(name: "base85 hello", stdin: #"{"content":"BOu!rDZ","encode":"base85"}"#, bytes: Array("hello".utf8)),
        StdinCase(name: "base85 z groups", stdin: #"{"content":"zz@:E^","encode":"base85"}"#, bytes: [UInt8](repeating: 0, count: 8) + Array("abc".utf8)),
        StdinCase(name: "base85 whitespace ignored", stdin: #"{"content":" BOu!r\tDZ\r\n\u000b","encode":"base85"}"#, bytes: Array("hello".utf8)),
        StdinCase(name: "base85 max group", stdin: #"{"content":"s8W-!","encode":"base85"}"#, bytes: [0xFF, 0xFF, 0xFF, 0xFF]),
        StdinCase(name: "base85 single trailing digit is dropped (as Python)", stdin: #"{"content":"BOu!rD","encode":"base85"}"#, bytes: Array("hell".utf8)),
        StdinCase(name: "base85 empty", stdin: #"{"content":"","encode":"base85"}"#, bytes: []),
    ])
    func stdinContentIsDecoded(_ request: StdinCase) throws {
        let server = try APIServer.current()
        let body = #"{"args":["cat"],"stdin":"# + request.stdin + #","stdout":{"capture":true,"encode":"base64"}}"#
        expectAPIOK(try server.post("/probe", body), APIJSON.ok(0, stdout: APIJSON.base64(request.bytes)), server)
    }

    /// Without `stdin.content` the command's stdin is /dev/null (the original leaked the server's
    /// own stdin, and `cat` could hang): `cat` sees EOF at once, fd 0 is /dev/null.
    @Test func noStdinMeansDevNull() throws {
        let server = try APIServer.current()
        expectAPIOK(
            try server.post("/probe", #"{"args":["cat"],"stdout":{"capture":true}}"#),
            APIJSON.ok(0, stdout: APIJSON.text("")), server)
        expectAPIOK(
            try server.post("/stdin-target", #"{"stdout":{"capture":true}}"#),
            APIJSON.ok(0, stdout: APIJSON.text("/dev/null\n")), server)
        expectAPIOK(
            try server.post("/probe", #"{"args":["fds"],"stdout":{"capture":true}}"#),
            APIJSON.ok(0, stdout: APIJSON.text("0\n1\n2\n")), server)
    }

    /// With content (even empty) stdin is a pipe.
    @Test(arguments: [#"{"content":""}"#, #"{"content":"x"}"#, #"{"content":"","encode":"base64"}"#])
    func stdinContentIsAPipe(stdin: String) throws {
        let server = try APIServer.current()
        let response = try server.post("/stdin-target", #"{"stdin":"# + stdin + #","stdout":{"capture":true}}"#)
        #expect(response.status == 200, "\(response)")
        let target = apiStreamContent(response, "stdout") ?? ""
        #expect(target.hasPrefix("pipe:[") && target.hasSuffix("]\n"), "\(response)")
    }

    // MARK: §3 Fields: stdout / stderr

    struct CaptureCase: Sendable, CustomTestStringConvertible {
        let stdout: Bool
        let stderr: Bool
        let encoding: String?
        var testDescription: String { "stdout \(stdout) stderr \(stderr) encode \(encoding ?? "null")" }
    }

    /// Each stream is captured or not on its own; `encode` applies only when capturing (an
    /// `encode` on a stream that is not captured is ignored, and the field is `null`).
    @Test(arguments: [true, false].flatMap { out in
        [true, false].flatMap { err in [nil, "base64", "base85"].map { CaptureCase(stdout: out, stderr: err, encoding: $0) } }
    })
    func captureMatrix(_ request: CaptureCase) throws {
        let server = try APIServer.current()
        let encode = request.encoding.map { #""\#($0)""# } ?? "null"
        let body = #"{"args":["echo-both"],"stdin":{"content":"out&err \u00e9\n"},"#
            + #""stdout":{"capture":\#(request.stdout),"encode":\#(encode)},"#
            + #""stderr":{"capture":\#(request.stderr),"encode":\#(encode)}}"#
        let bytes = Array("out&err é\n".utf8)
        let stream = APIJSON.stream(bytes, request.encoding)
        expectAPIOK(
            try server.post("/probe", body),
            APIJSON.ok(0, stdout: request.stdout ? stream : nil, stderr: request.stderr ? stream : nil), server)
    }

    /// Captured but empty output is `{"content":"","encode":…}`.
    @Test(arguments: [nil, "base64", "base85"] as [String?])
    func emptyCapturedOutput(encoding: String?) throws {
        let server = try APIServer.current()
        let encode = encoding.map { #""\#($0)""# } ?? "null"
        let body = #"{"args":["exit","0"],"stdout":{"capture":true,"encode":\#(encode)},"stderr":{"capture":true,"encode":\#(encode)}}"#
        let empty = #"{"content":"","encode":\#(encode)}"#
        expectAPIOK(try server.post("/probe", body), APIJSON.ok(0, stdout: empty, stderr: empty), server)
    }

    // MARK: §4 Encodings

    struct EmitCase: Sendable, CustomTestStringConvertible {
        let target: String
        let encoding: String?
        /// The content as CPython computed it (base64.b64encode / a85encode / str).
        let content: String
        var testDescription: String { "\(target) \(encoding ?? "null")" }
    }

    /// Output encodings, against literal values CPython produced.
    @Test(arguments: [
        EmitCase(target: "/emit-hello", encoding: nil, content: "hello"),
        EmitCase(target: "/emit-hello", encoding: "base64", content: "aGVsbG8="),
        EmitCase(target: "/emit-hello", encoding: "base85", content: "BOu!rDZ"),
        EmitCase(target: "/emit-zeros", encoding: nil, content: "\0\0\0\0\0\0\0\0abc"),
        EmitCase(target: "/emit-zeros", encoding: "base64", content: "AAAAAAAAAABhYmM="),
        EmitCase(target: "/emit-zeros", encoding: "base85", content: "zz@:E^"),
        EmitCase(
            target: "/emit-all", encoding: "base64",
            content: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w=="),
        EmitCase(
            target: "/emit-all", encoding: "base85",
            content: #"!!*-'"9eu7#RLhG$k3[W&.oNg'GVB"(`=52*$$(B+<_pR,UFcb-n-Vr/1iJ-0JP==1c70M3&s#]4?Ykm5X@_(6q'R884cEH9MJ8X:f1+h<)lt#=BSg3>[:ZC?t!MSA7]@cBPD3sCi+'.E,fo>FEMbNG^4U^I!pHnJ:W<)KS>/9Ll%"IN/`jYOHG]iPa.Q$R$jD4S=Q7DTV8*TUnsrdW2ZetXKAY/Yd(L?['d?O\@K2_]Y2%o^qmn*`5Ta:aN;TJbg"GZd*^:jeCE.%f\,!5gtgiEi8N\UjQ5OekiqBum-X60nF?)@o_%qPq"ad`r;HWp"#),
    ])
    func outputEncodingsMatchCPython(_ request: EmitCase) throws {
        let server = try APIServer.current()
        let encode = request.encoding.map { #""\#($0)""# } ?? "null"
        let response = try server.post(request.target, #"{"stdout":{"capture":true,"encode":\#(encode)}}"#)
        let stream = #"{"content":"# + APIJSON.quote(request.content) + #","encode":\#(encode)}"#
        expectAPIOK(response, APIJSON.ok(0, stdout: stream), server)
        if request.encoding == "base64" { #expect(!response.text.contains("\\n")) }
    }

    /// The test encoders agree with CPython's literal values (so the generated expectations below
    /// are anchored).
    @Test func referenceEncodersMatchCPython() {
        #expect(APICodec.ascii85(Array("hello".utf8)) == "BOu!rDZ")
        #expect(APICodec.ascii85([0, 0, 0, 0, 0, 0, 0, 0] + Array("abc".utf8)) == "zz@:E^")
        #expect(APICodec.ascii85([0]) == "!!")
        #expect(APICodec.ascii85([0, 0, 0, 0, 0]) == "z!!")
        #expect(APICodec.ascii85(Array("abc".utf8)) == "@:E^")
        #expect(APIJSON.quote("ü😀\u{1}\u{7f}\u{2028}/") == #""\u00fc\ud83d\ude00\u0001\u007f\u2028/""#)
    }

    /// Arbitrary binary data round-trips: base64 stdin → probe cat → stdout in each encoding.
    @Test(arguments: ["base64", "base85"])
    func binaryRoundTrip(encoding: String) throws {
        let server = try APIServer.current()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<100_003).map { index -> UInt8 in index % 7 == 0 ? 0 : UInt8.random(in: 0...255, using: &generator) }
            + [UInt8](repeating: 0, count: 12) + (0...255).map { UInt8($0) }
        let stdin = encoding == "base64" ? APICodec.base64(bytes) : APICodec.ascii85(bytes)
        let body = #"{"args":["cat"],"stdin":{"content":"# + APIJSON.quote(stdin) + #","encode":"\#(encoding)"},"#
            + #""stdout":{"capture":true,"encode":"\#(encoding)"}}"#
        expectAPIOK(try server.post("/probe", body), APIJSON.ok(0, stdout: APIJSON.stream(bytes, encoding)), server)
    }

    /// Text output is escaped exactly like Python's `ensure_ascii` JSON.
    @Test func textOutputIsEscapedLikePython() throws {
        let server = try APIServer.current()
        let text = "quote\" back\\ slash/ \u{1}\u{8}\u{c}\t\r\n del\u{7f} é 日 😀 \u{2028}\u{fffd}"
        let body = #"{"args":["cat"],"stdin":{"content":"# + APIJSON.quote(text) + #"},"stdout":{"capture":true}}"#
        let response = try server.post("/probe", body)
        expectAPIOK(
            response,
            #"{"return":0,"stderr":null,"stdout":{"content":"quote\" back\\ slash/ \u0001\b\f\t\r\n del\u007f \u00e9 \u65e5 \ud83d\ude00 \u2028\ufffd","encode":null}}"#,
            server)
    }

    // MARK: §5 Execution

    /// `return` is the exit status, 255 included.
    @Test(arguments: [0, 1, 2, 3, 42, 64, 127, 128, 200, 254, 255])
    func exitStatus(status: Int) throws {
        let server = try APIServer.current()
        expectAPIOK(try server.post("/probe", #"{"args":["exit","\#(status)"]}"#), APIJSON.ok(status), server)
    }

    /// Death by signal N gives `return` -N.
    @Test(arguments: [1, 2, 3, 6, 9, 11, 15])
    func deathBySignal(signal: Int) throws {
        let server = try APIServer.current()
        expectAPIOK(try server.post("/probe", #"{"args":["signal","\#(signal)"]}"#), APIJSON.ok(-signal), server)
    }

    @Test func scriptThatKillsItselfWithSIGTERM() throws {
        let server = try APIServer.current()
        expectAPIOK(
            try server.post("/kill-self", #"{"stdout":{"capture":true}}"#),
            APIJSON.ok(-15, stdout: APIJSON.text("")), server)
    }

    /// 300 KB on stdout and stderr at once: both pipes are read concurrently, no deadlock.
    @Test func largeOutputOnBothStreams() throws {
        let server = try APIServer.current()
        let count = 300_000
        let response = try server.post(
            "/probe", #"{"args":["spew","\#(count)"],"stdout":{"capture":true},"stderr":{"capture":true}}"#)
        let pattern = APIJSON.text(String(decoding: APICodec.spewPattern(count), as: UTF8.self))
        expectAPIOK(response, APIJSON.ok(0, stdout: pattern, stderr: pattern), server)
    }

    /// A command that never reads its 1 MB stdin still gives 200.
    @Test func unreadStdinIsNotAnError() throws {
        let server = try APIServer.current()
        let stdin = String(repeating: "0123456789abcdef", count: 65_536)
        let response = try server.post(
            "/probe", #"{"args":["exit","5"],"stdin":{"content":"\#(stdin)"},"stderr":{"capture":true}}"#)
        expectAPIOK(response, APIJSON.ok(5, stderr: APIJSON.text("")), server)
    }

    /// 1 MB of stdin comes back intact through `cat`.
    @Test func largeStdinIsCopied() throws {
        let server = try APIServer.current()
        let stdin = String(repeating: "0123456789abcdef", count: 65_536)
        let response = try server.post(
            "/probe", #"{"args":["cat"],"stdin":{"content":"\#(stdin)"},"stdout":{"capture":true}}"#)
        expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text(stdin)), server)
    }

    /// The job's working directory is the directory `serve` was started in (§5; upstream's
    /// integration test relies on it).
    @Test func workingDirectoryIsTheServersOwn() throws {
        let server = try APIServer.current()
        expectAPIOK(
            try server.post("/probe", #"{"args":["cwd"],"stdout":{"capture":true}}"#),
            APIJSON.ok(0, stdout: APIJSON.text(server.directory + "\n")), server)
    }

    // MARK: §6 Environment

    /// The job's environment is the policy's base (PATH, LANG) plus the request's variables:
    /// never the server's own (which here holds HTTPEXEC_LOGGING_LEVEL, HTTPEXEC_JOB_TIMEOUT and
    /// SERVER_ONLY_VARIABLE, plus everything the test runner had).
    @Test func environmentIsBasePlusRequest() throws {
        let server = try APIServer.current()
        let variables: KeyValuePairs<String, String> = [
            "FOO": "BAR", "WITH_EQUALS": "a=b==c=", "EMPTY": "", "UNICODE": "ü 😀 \u{2028}",
            "SPACES": "  two  words ", "NEWLINE": "a\nb", "lower_case": "ok", "X": "$(id)`id`",
        ]
        let object = "{" + variables.map { APIJSON.quote($0.key) + ":" + APIJSON.quote($0.value) }.joined(separator: ",") + "}"
        let response = try server.post(
            "/probe", #"{"args":["environ"],"stdout":{"capture":true},"environment":"# + object + "}")
        #expect(response.status == 200, "\(response)\n\(server.logTail)")
        let environ = apiStreamContent(response, "stdout") ?? ""
        let expected = ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"] + variables.map { "\($0.key)=\($0.value)" }
        // The probe prints each entry followed by "\n"; NEWLINE's value contains one, so compare
        // the whole text as a multiset of entries.
        let expectedText = expected.map { $0 + "\n" }.sorted().joined()
        let entries = environ.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(entries.last == "")
        #expect(environ.utf8.count == expectedText.utf8.count, "\(environ)")
        for entry in expected { #expect(environ.contains(entry + "\n"), "missing \(entry) in \(environ)") }
        #expect(!environ.contains("HTTPEXEC_"))
        #expect(!environ.contains("SERVER_ONLY_VARIABLE"))
        #expect(!environ.contains("HOME="))
        // The exact 200 body: base first, then the request's variables in body order.
        let body = APIJSON.ok(0, stdout: APIJSON.text(expected.map { $0 + "\n" }.joined()))
        #expect(response.text == body)
    }

    @Test func serverEnvironmentDoesNotLeak() throws {
        let server = try APIServer.current()
        let response = try server.post("/probe", #"{"args":["environ"],"stdout":{"capture":true}}"#)
        expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text("PATH=/usr/local/bin:/usr/bin:/bin\nLANG=C.UTF-8\n")), server)
        // The server really had those variables (so the assertion above can fail).
        #expect(server.fixture.process.environment?["HTTPEXEC_LOGGING_LEVEL"] == "INFO")
        #expect(server.fixture.process.environment?["SERVER_ONLY_VARIABLE"] == "must-not-leak")
    }

    // MARK: §7 Responses

    @Test func okResponseHeaders() throws {
        let server = try APIServer.current()
        let response = try server.post("/x", #"{"stdout":{"capture":true}}"#)
        expectAPIOK(response, #"{"return":0,"stderr":null,"stdout":{"content":"x\n","encode":null}}"#, server)
        #expect(response.headers["transfer-encoding"] == nil)
        #expect(response.headers["x-request-id"]?.isEmpty == false)
    }

    /// `timed_out` appears only when the launcher stopped the command: `return` is then -15.
    @Test(arguments: [false, true])
    func timeoutAddsTimedOut(capture: Bool) throws {
        let server = try APIServer.current()
        let streams = #""stdout":{"capture":\#(capture)},"stderr":{"capture":\#(capture)}"#
        let response = try server.post("/probe", #"{"args":["sleep"],"timeout":0.5,\#(streams)}"#)
        let empty = capture ? APIJSON.text("") : nil
        expectAPIOK(response, APIJSON.ok(-15, stdout: empty, stderr: empty, timedOut: true), server)
        // A command that finishes within its timeout has no `timed_out` key at all.
        let quick = try server.post("/probe", #"{"args":["exit","0"],"timeout":30,\#(streams)}"#)
        expectAPIOK(quick, APIJSON.ok(0, stdout: empty, stderr: empty), server)
    }

    /// `truncated` appears only when a stream exceeded the output cap (16 MiB under `serve`).
    @Test func truncatedAppearsOnlyWhenTrue() throws {
        let server = try APIServer.current()
        let cap = 16 << 20
        let response = try server.post("/probe", #"{"args":["spew-stdout","\#(cap + 1000)"],"stdout":{"capture":true},"stderr":{"capture":true}}"#)
        let expected = Array(#"{"return":0,"stderr":{"content":"","encode":null},"stdout":{"content":""#.utf8)
            + APICodec.spewPattern(cap) + Array(#"","encode":null},"truncated":{"stderr":false,"stdout":true}}"#.utf8)
        #expect(response.status == 200, "\(response)")
        #expect(response.body.count == expected.count)
        let identical = response.body == expected
        #expect(identical, "\(response.text.prefix(100))…\(response.text.suffix(100))")
        // Exactly at the cap: no `truncated` key.
        let atCap = try server.post("/probe", #"{"args":["spew-stdout","\#(cap)"],"stdout":{"capture":true,"encode":"base64"}}"#)
        #expect(atCap.status == 200)
        #expect(atCap.text.hasSuffix(#"","encode":"base64"}}"#), "\(atCap.text.suffix(200))")
        #expect(!atCap.text.contains("truncated"))
    }

    // MARK: §11 The upstream test suite

    struct EndpointCase: Sendable, CustomTestStringConvertible {
        let target: String
        let status: Int
        var testDescription: String { "\(target) \(status)" }
    }

    /// test_endpoint: `echo`, `/echo` (our raw client always sends an origin-form path, so
    /// upstream's `echo` is `/echo` and its `/echo` is `//echo`), `../echo`, a missing command.
    @Test(arguments: [
        EndpointCase(target: "/echo", status: 200),
        EndpointCase(target: "//echo", status: 200),
        EndpointCase(target: "/../echo", status: 404),
        EndpointCase(target: "/none", status: 404),
    ])
    func upstreamEndpoint(_ request: EndpointCase) throws {
        let server = try APIServer.current()
        let response = try server.post(request.target, nil, contentType: nil)
        #expect(response.status == request.status, "\(response)")
        if request.status == 200 { expectAPIOK(response, APIJSON.ok(0), server) }
    }

    struct ParamsCase: Sendable, CustomTestStringConvertible {
        let encoding: String?
        let capture: Bool
        var testDescription: String { "\(encoding ?? "None")-\(capture)" }
    }

    /// test_params: `-e PATH`, stdin "abc" in the scheme, the same scheme on both streams,
    /// `environment: null`.
    @Test(arguments: [nil, "base64", "base85"].flatMap { encoding in [true, false].map { ParamsCase(encoding: encoding, capture: $0) } })
    func upstreamParams(_ request: ParamsCase) throws {
        let server = try APIServer.current()
        let abc = Array("abc".utf8)
        let content = switch request.encoding {
        case "base64": "YWJj"
        case "base85": "@:E^"
        default: "abc"
        }
        let encode = request.encoding.map { #""\#($0)""# } ?? "null"
        let body = #"{"args":["-e","PATH"],"stdin":{"content":"\#(content)","encode":\#(encode)},"#
            + #""stdout":{"capture":\#(request.capture),"encode":\#(encode)},"#
            + #""stderr":{"capture":\#(request.capture),"encode":\#(encode)},"environment":null}"#
        let response = try server.post("/echo", body)
        guard request.capture else {
            expectAPIOK(response, APIJSON.ok(0), server)
            return
        }
        let path = Array("PATH=/usr/local/bin:/usr/bin:/bin\n".utf8)
        // CPython: b64encode(path) and a85encode(path).
        let stderr = switch request.encoding {
        case "base64": #"{"content":"UEFUSD0vdXNyL2xvY2FsL2JpbjovdXNyL2JpbjovYmluCg==","encode":"base64"}"#
        case "base85": #"{"content":":dJ&O4YLr!E\\D6I@ps1,@VK^@06M>V04JX53\\OrVD@-","encode":"base85"}"#
        default: APIJSON.text("PATH=/usr/local/bin:/usr/bin:/bin\n")
        }
        #expect(stderr == APIJSON.stream(path, request.encoding))
        let stdout = #"{"content":"\#(content)","encode":\#(encode)}"#
        #expect(stdout == APIJSON.stream(abc, request.encoding))
        expectAPIOK(response, APIJSON.ok(0, stdout: stdout, stderr: stderr), server)
    }

    /// test_environment: `environment {"FOO":"BAR"}` and `-e FOO` give stderr `FOO=BAR`.
    @Test func upstreamEnvironment() throws {
        let server = try APIServer.current()
        let response = try server.post(
            "/echo", #"{"args":["-e","FOO"],"stderr":{"capture":true},"environment":{"FOO":"BAR"}}"#)
        expectAPIOK(response, APIJSON.ok(0, stderr: APIJSON.text("FOO=BAR\n")), server)
    }

    /// test_symlinks[False-404]: without FOLLOW_LINKS a link to a file outside the root is 404.
    @Test func upstreamSymlinkWithoutFollowLinks() throws {
        let server = try APIServer.current()
        let response = try server.post("/upstream-link", #"{"stdout":{"capture":true}}"#)
        #expect(response.status == 404, "\(response)")
        #expect(response.errorCode == "not_found")
        // The same file through a path inside the root runs.
        expectAPIOK(try server.post("/echo", #"{"stdout":{"capture":true}}"#), APIJSON.ok(0, stdout: APIJSON.text("")), server)
    }
}

// MARK: - FOLLOW_LINKS true

extension APICompatibilityTests {
    /// test_symlinks[True-200] with `HTTPEXEC_FOLLOW_LINKS=1`: a final-component link to a file
    /// outside the root runs (docs/policy.md `follow_links`).
    @Suite(
        .apiServer {
            try APIServer(environment: ["HTTPEXEC_FOLLOW_LINKS": "1"]) { server in
                try server.write(server.directory + "/assets/echo", APIScripts.upstreamEcho)
                try server.link("upstream-link", to: server.directory + "/assets/echo")
            }
        })
    struct FollowLinks {
        @Test func upstreamSymlinkWithFollowLinks() throws {
            let server = try APIServer.current()
            let response = try server.post(
                "/upstream-link",
                #"{"args":["-e","FOO"],"stdin":{"content":"abc"},"stdout":{"capture":true},"stderr":{"capture":true},"environment":{"FOO":"BAR"}}"#)
            expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text("abc"), stderr: APIJSON.text("FOO=BAR\n")), server)
        }

        /// `link-outside -> /bin/true` (populate) runs too; links inside the root still work.
        @Test(arguments: ["/link-outside", "/link-inside", "/sub/link-up"])
        func finalComponentLinksRun(target: String) throws {
            let server = try APIServer.current()
            let arguments = target == "/link-outside" ? "[]" : #"["exit","9"]"#
            let response = try server.post(target, #"{"args":\#(arguments)}"#)
            expectAPIOK(response, APIJSON.ok(target == "/link-outside" ? 0 : 9), server)
        }
    }

    /// Upstream's integration `test_run`: EXEC_ROOT is `/bin`, POST `/ls` with stdout captured and
    /// `environment: null`; the listing is the server's working directory.
    @Suite(
        .apiServer {
            var template = Array("/tmp/httpexec-api-cwd-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
            let cwd = String(cString: made)
            chmod(cwd, 0o755)
            try FileManager.default.createDirectory(atPath: cwd + "/tests", withIntermediateDirectories: true)
            try "readme\n".write(toFile: cwd + "/README.md", atomically: false, encoding: .utf8)
            chmod(cwd + "/README.md", 0o644)
            // As upstream: EXEC_ROOT comes from a TOML file named by HTTPEXEC_CONFIG_PATH (the
            // fixture also passes the same root as a flag).
            let config = cwd + ".toml"
            try "EXEC_ROOT = \"/bin\"\n".write(toFile: config, atomically: false, encoding: .utf8)
            return try APIServer(
                environment: ["HTTPEXEC_CONFIG_PATH": config], execRoot: "/bin", workingDirectory: cwd,
                cleanup: [cwd, config])
        })
    struct UpstreamRun {
        @Test func lsListsTheServersWorkingDirectory() throws {
            let server = try APIServer.current()
            let response = try server.post("/ls", #"{"stdout":{"capture":true},"environment":null}"#)
            expectAPIOK(response, APIJSON.ok(0, stdout: APIJSON.text("README.md\ntests\n")), server)
        }
    }
}
