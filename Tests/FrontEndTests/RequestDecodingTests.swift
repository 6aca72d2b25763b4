import FrontEnd
import LauncherProtocol
import Testing

/// Every request form the original ran successfully decodes to the request it meant.
@Suite("Request decoding: accepted forms")
struct RequestDecodingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let path: String
        let contentType: String?
        let body: String
        let expected: ExecRequest
        init(_ name: String, path: String = "/echo", contentType: String? = "application/json", _ body: String, _ expected: ExecRequest) {
            self.name = name
            self.path = path
            self.contentType = contentType
            self.body = body
            self.expected = expected
        }
        var testDescription: String { name }
    }

    static let echo = ExecRequest(command: "echo")
    static func echo(
        args: [String] = [], stdin: [UInt8]? = nil, stdout: ExecRequest.OutputOptions = .discard,
        stderr: ExecRequest.OutputOptions = .discard, env: [(String, String)] = [], timeout: UInt32? = nil
    ) -> ExecRequest {
        ExecRequest(
            command: "echo", arguments: args, stdin: stdin, stdout: stdout, stderr: stderr,
            environment: env.map { EnvironmentEntry(name: $0.0, value: $0.1) }, timeoutMilliseconds: timeout)
    }
    static let text = ExecRequest.OutputOptions(capture: true)
    static let base64 = ExecRequest.OutputOptions(capture: true, encoding: .base64)
    static let base85 = ExecRequest.OutputOptions(capture: true, encoding: .base85)

    static let paths: [Case] = [
        Case("upstream: POST echo", path: "echo", contentType: nil, "", echo),
        Case("upstream: leading slash", path: "/echo", contentType: nil, "", echo),
        Case("double leading slash stays beneath the root", path: "//bin/echo", "{}", ExecRequest(command: "bin/echo")),
        Case("trailing slash", path: "/errexit/", "{}", ExecRequest(command: "errexit")),
        Case("double slash inside", path: "/sub//hello", "{}", ExecRequest(command: "sub/hello")),
        Case("dot segment first", path: "/./errexit", "{}", ExecRequest(command: "errexit")),
        Case("dot segments anywhere", path: "/a/./b/.", "{}", ExecRequest(command: "a/b")),
        Case("space", path: "/with space", "{}", ExecRequest(command: "with space")),
        Case("non-ASCII", path: "/ünï", "{}", ExecRequest(command: "ünï")),
        Case("three dots is a name", path: "/.../x", "{}", ExecRequest(command: ".../x")),
        Case("dotted names", path: "/.hidden/a..b", "{}", ExecRequest(command: ".hidden/a..b")),
    ]

    static let bodies: [Case] = [
        Case("empty object", "{}", echo),
        Case("null body means defaults", "null", echo),
        Case("whitespace around", " \t\r\n{}\n ", echo),
        Case("empty body without Content-Type runs with defaults", contentType: nil, "", echo),
        Case("empty body with a non-JSON type runs with defaults", contentType: "text/plain", "", echo),
        Case("empty form post runs with defaults", contentType: "application/x-www-form-urlencoded", "", echo),
        Case("charset parameter", contentType: "application/json; charset=utf-8", #"{"args":["a"]}"#, echo(args: ["a"])),
        Case("media type case-insensitive", contentType: "Application/JSON", #"{"args":["a"]}"#, echo(args: ["a"])),
        Case("+json suffix", contentType: "application/vnd.api+json", #"{"args":["a"]}"#, echo(args: ["a"])),
        Case("bare +json (Werkzeug accepts it too)", contentType: "application/+json", #"{"args":["a"]}"#, echo(args: ["a"])),
        Case("whitespace in Content-Type", contentType: " application/json ;charset=latin-1", #"{"args":["a"]}"#, echo(args: ["a"])),
        Case("unknown keys ignored at every level",
             #"{"streams":{"x":1},"stdin":{"x":[1,{}],"content":"a"},"stdout":{"y":null,"capture":true},"z":1e400}"#,
             echo(stdin: Array("a".utf8), stdout: text)),
        Case("numbers in unknown keys", #"{"a":-0,"b":1.5e-3,"c":12E+2,"d":[0,-1.0]}"#, echo),
        Case("unknown key nested 31 deep", #"{"x":"# + String(repeating: "[", count: 31) + String(repeating: "]", count: 31) + "}", echo),
    ]

    static let arguments: [Case] = [
        Case("args verbatim, no shell", #"{"args":["-n","a b","$HOME;rm -rf *","","'\"","--"]}"#,
             echo(args: ["-n", "a b", "$HOME;rm -rf *", "", "'\"", "--"])),
        Case("args null means none", #"{"args":null}"#, echo),
        Case("args empty", #"{"args":[]}"#, echo),
        Case("escapes in args", #"{"args":["\u00fc","\ud83d\ude00","a\/b","t\tn\nq\"b\\","\u0001"]}"#,
             echo(args: ["ü", "😀", "a/b", "t\tn\nq\"b\\", "\u{1}"])),
        Case("raw UTF-8 in args", #"{"args":["ü😀 ✓"]}"#, echo(args: ["ü😀 ✓"])),
        Case("duplicate key: last wins", #"{"args":["first"],"args":["last"]}"#, echo(args: ["last"])),
    ]

    static let streams: [Case] = [
        Case("stdin text", #"{"stdin":{"content":"abc"}}"#, echo(stdin: Array("abc".utf8))),
        Case("stdin text is UTF-8", #"{"stdin":{"content":"ü\n"}}"#, echo(stdin: [0xC3, 0xBC, 0x0A])),
        Case("stdin may hold NUL", #"{"stdin":{"content":"a\u0000b"}}"#, echo(stdin: [0x61, 0, 0x62])),
        Case("stdin base64", #"{"stdin":{"content":"YWJj","encode":"base64"}}"#, echo(stdin: Array("abc".utf8))),
        Case("stdin base85", #"{"stdin":{"content":"@:E_","encode":"base85"}}"#, echo(stdin: Array("abc".utf8))),
        Case("stdin base85 with z and whitespace", #"{"stdin":{"content":" z\n@:E_ ","encode":"base85"}}"#,
             echo(stdin: [0, 0, 0, 0] + Array("abc".utf8))),
        Case("stdin base64 binary", #"{"stdin":{"content":"//4A","encode":"base64"}}"#, echo(stdin: [0xFF, 0xFE, 0x00])),
        Case("empty stdin is a stdin", #"{"stdin":{"content":""}}"#, echo(stdin: [])),
        Case("empty base64 stdin", #"{"stdin":{"content":"","encode":"base64"}}"#, echo(stdin: [])),
        Case("stdin content null: no stdin", #"{"stdin":{"content":null,"encode":null}}"#, echo),
        Case("stdin null", #"{"stdin":null}"#, echo),
        Case("stdin empty object", #"{"stdin":{}}"#, echo),
        Case("stdin encode without content", #"{"stdin":{"encode":"base64"}}"#, echo),
        Case("stdout captured as text", #"{"stdout":{"capture":true}}"#, echo(stdout: text)),
        Case("stdout captured, encode null", #"{"stdout":{"capture":true,"encode":null}}"#, echo(stdout: text)),
        Case("stdout base64", #"{"stdout":{"capture":true,"encode":"base64"}}"#, echo(stdout: base64)),
        Case("stderr base85", #"{"stderr":{"capture":true,"encode":"base85"}}"#, echo(stderr: base85)),
        Case("capture false ignores a valid encode", #"{"stdout":{"capture":false,"encode":"base85"}}"#, echo),
        Case("capture null means false", #"{"stderr":{"capture":null}}"#, echo),
        Case("stdout null", #"{"stdout":null,"stderr":null}"#, echo),
        Case("stdout empty object", #"{"stdout":{},"stderr":{}}"#, echo),
        Case("both captured differently", #"{"stdout":{"capture":true,"encode":"base85"},"stderr":{"capture":true}}"#,
             echo(stdout: base85, stderr: text)),
    ]

    static let environment: [Case] = [
        Case("upstream test_environment", #"{"args":["-e","FOO"],"environment":{"FOO":"BAR"}}"#,
             echo(args: ["-e", "FOO"], env: [("FOO", "BAR")])),
        Case("environment null", #"{"environment":null}"#, echo),
        Case("environment empty", #"{"environment":{}}"#, echo),
        Case("values may hold = and be empty", #"{"environment":{"A":"x=y","B":""}}"#, echo(env: [("A", "x=y"), ("B", "")])),
        Case("non-ASCII names and values", #"{"environment":{"ü":"ß","lower_case":"\u00e9"}}"#, echo(env: [("ü", "ß"), ("lower_case", "é")])),
        Case("duplicate names: last value, first position", #"{"environment":{"A":"1","B":"2","A":"3"}}"#,
             echo(env: [("A", "3"), ("B", "2")])),
        Case("order kept", #"{"environment":{"Z":"1","A":"2","M":"3"}}"#, echo(env: [("Z", "1"), ("A", "2"), ("M", "3")])),
    ]

    static let upstreamParams: [Case] = [nil, "base64", "base85"].flatMap { (scheme: String?) -> [Case] in
        [true, false].map { capture in
            let encoding = scheme.flatMap(StreamEncoding.init(rawValue:))
            let content = encoding.map { String(decoding: $0.encode(Array("abc".utf8)), as: UTF8.self) } ?? "abc"
            let encode = scheme.map { "\"\($0)\"" } ?? "null"
            let options = capture ? ExecRequest.OutputOptions(capture: true, encoding: encoding) : .discard
            return Case(
                "upstream test_params[\(scheme ?? "None")-\(capture)]",
                #"{"args":["-e","PATH"],"stdin":{"content":\#(jsonString(content)),"encode":\#(encode)},"# +
                    #""stdout":{"capture":\#(capture),"encode":\#(encode)},"stderr":{"capture":\#(capture),"encode":\#(encode)},"# +
                    #""environment":null}"#,
                echo(args: ["-e", "PATH"], stdin: Array("abc".utf8), stdout: options, stderr: options))
        }
    }

    static let timeouts: [Case] = [
        Case("timeout in seconds", #"{"timeout":1.5}"#, echo(timeout: 1500)),
        Case("timeout integer", #"{"timeout":30}"#, echo(timeout: 30_000)),
        Case("timeout rounds up to a millisecond", #"{"timeout":0.0001}"#, echo(timeout: 1)),
        Case("timeout at the limit", #"{"timeout":86400}"#, echo(timeout: 86_400_000)),
        Case("timeout exponent", #"{"timeout":2e1}"#, echo(timeout: 20_000)),
        Case("timeout null", #"{"timeout":null}"#, echo),
    ]

    @Test("paths", arguments: paths)
    func path(_ row: Case) throws { try check(row) }

    @Test("bodies and media types", arguments: bodies)
    func body(_ row: Case) throws { try check(row) }

    @Test("args", arguments: arguments)
    func args(_ row: Case) throws { try check(row) }

    @Test("stdin, stdout, stderr", arguments: streams)
    func stream(_ row: Case) throws { try check(row) }

    @Test("environment", arguments: environment)
    func env(_ row: Case) throws { try check(row) }

    @Test("the upstream suite's parameter matrix", arguments: upstreamParams)
    func upstream(_ row: Case) throws { try check(row) }

    @Test("timeout (added)", arguments: timeouts)
    func timeout(_ row: Case) throws { try check(row) }

    func check(_ row: Case) throws {
        let request = try ExecRequest.decode(path: row.path, contentType: row.contentType, body: Array(row.body.utf8))
        #expect(request == row.expected)
    }

    @Test("a 15 MiB body is fine under the default 16 MiB limit")
    func largeBody() throws {
        let content = String(repeating: "A", count: 15 << 20)
        let request = try decode(#"{"stdin":{"content":"\#(content)","encode":"base64"}}"#)
        #expect(request.stdin?.count == (15 << 20) / 4 * 3)
    }
}
