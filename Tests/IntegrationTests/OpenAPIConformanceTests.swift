import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `openapi.yaml` is valid OpenAPI 3.1, and what the real server sends — every status it can
/// answer, from a running front-end and launcher — matches it (status documented, headers,
/// media type, body schema), checked by `Tests/openapi/check_responses.py`.
@Suite(.serialized) struct OpenAPIConformanceTests {
    static let checker = repositoryRoot + "/Tests/openapi/check_responses.py"
    static let spec = repositoryRoot + "/openapi.yaml"

    @Test func specIsValidOpenAPI31() throws {
        let (status, output) = try runPython([Self.checker, "validate-spec", Self.spec])
        #expect(status == 0, "\(output)")
    }

    /// The checker's own tests (its regex rule, the encoding patterns against Python's decoders).
    @Test func checkerSelfTestsPass() throws {
        let (status, output) = try runPython(["-m", "unittest", "-q", repositoryRoot + "/Tests/openapi/test_check_responses.py"])
        #expect(status == 0, "\(output)")
    }

    @Test func responsesOfEveryStatusMatchTheSpec() throws {
        let launcher = try LauncherFixture.forFrontEnd(extraPolicy: "")
        try "#!/bin/sh\nprintf '\\377\\376'\n".write(toFile: launcher.root + "/binary", atomically: false, encoding: .utf8)
        chmod(launcher.root + "/binary", 0o755)
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath, arguments: ["--max-content-length", "1KiB"])
        var samples: [[String: Any]] = []
        func record(_ method: String, _ path: String, _ response: HTTPTestResponse) {
            samples.append([
                "method": method, "path": path, "status": response.status, "headers": response.headers,
                "body": response.text,
            ])
        }
        func send(_ path: String, _ body: String? = nil, method: String = "POST", contentType: String = "application/json") throws -> HTTPTestResponse {
            let response = try HTTPTestClient(port: server.port).request(
                method, path, body: body.map { Array($0.utf8) }, contentType: contentType)
            record(method, path, response)
            return response
        }

        // 200 in its shapes: nothing captured, captured text, encoded, timed out.
        #expect(try send("/probe", #"{"args":["exit","3"]}"#).status == 200)
        #expect(try send("/echo.sh", #"{"args":["a"],"stdout":{"capture":true},"stderr":{"capture":true}}"#).status == 200)
        #expect(try send("/binary", #"{"stdout":{"capture":true,"encode":"base64"},"stderr":{"capture":true,"encode":"base85"}}"#).status == 200)
        #expect(try send("/probe", #"{"args":["sleep"],"timeout":0.2}"#).text.contains(#""timed_out":true"#))
        #expect(try send("/probe", method: "OPTIONS").status == 200)
        // The probe and metrics endpoints (GET only on these three paths).
        #expect(try send("/healthz", method: "GET").status == 200)
        #expect(try send("/readyz", method: "GET").status == 200)
        #expect(try send("/metrics", method: "GET").status == 200)
        #expect(try send("/healthz", method: "OPTIONS").status == 200)
        #expect(try send("/healthz", method: "PUT").status == 405)
        // Client errors.
        #expect(try send("/probe", "{").status == 400)
        #expect(try send("/probe", #"{"args":"x"}"#).status == 400)
        #expect(try send("/probe", #"{"stdin":{"content":"!!","encode":"base64"}}"#).status == 400)
        #expect(try send("/probe", #"{"environment":{"LD_PRELOAD":"x"}}"#).status == 400)
        #expect(try send("/missing").status == 404)
        #expect(try send("/../etc/passwd").status == 404)
        #expect(try send("/probe", method: "GET").status == 405)
        #expect(try send("/probe", String(repeating: " ", count: 2048)).status == 413)
        #expect(try send("/probe", "args=1", contentType: "application/x-www-form-urlencoded").status == 415)
        // Server-side outcomes.
        #expect(try send("/noexec").status == 500)
        #expect(try send("/binary", #"{"stdout":{"capture":true}}"#).status == 502)
        // 429: the fixture allows 2 jobs per command; hold both with sleeping probes.
        var holders: [HTTPTestClient] = []
        for index in 0..<2 {
            let client = try HTTPTestClient(port: server.port)
            let body = #"{"args":["sleep"]}"#
            try client.send(Array("POST /probe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Request-ID: hold-\(index)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
            holders.append(client)
            #expect(waitFor(within: .seconds(20)) { launcher.log.contains("request hold-\(index): started") }, "\(launcher.log)")
        }
        #expect(try send("/probe", #"{"args":["exit","0"]}"#).status == 429)
        holders.removeAll()
        // 503: no launcher.
        #expect(launcher.stop() == 0)
        #expect(try send("/probe", #"{"args":["exit","0"]}"#).status == 503)
        #expect(try send("/readyz", method: "GET").status == 503)

        let file = launcher.directory + "/samples.jsonl"
        let lines = try samples.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let (status, output) = try runPython([Self.checker, "check-responses", Self.spec, file])
        #expect(status == 0, "\(output)")
        #expect(output.contains("checked \(samples.count) responses, 0 failures"), "\(output)")
    }
}

/// Runs `python3 ARGS…`; (exit status, stdout+stderr). The packages it needs are installed by
/// `make test` (see the Makefile's `python-deps`).
func runPython(_ arguments: [String]) throws -> (Int32, String) {
    try runProgram("/usr/bin/env", ["python3"] + arguments)
}
