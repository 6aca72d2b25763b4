import Foundation
import Testing

/// Property-based conformance to `openapi.yaml`: schemathesis (pinned in
/// `Tests/openapi/schemathesis-requirements.txt`, installed in `.build/schemathesis-venv` by
/// `Tests/openapi/run_schemathesis.py`) generates valid and invalid requests for every documented
/// operation and sends them to a real `httpexec serve` on the demo exec root `examples/`. Its
/// default checks must all pass on every response: no undocumented 5xx, status codes, headers,
/// content types and bodies as documented, invalid input rejected, valid input accepted, 405 with
/// `Allow` for undocumented methods, `Allow` on OPTIONS matching the documented methods.
///
/// A bounded run with a fixed seed, so CI sends the same requests every time; `make conformance`
/// runs many more examples with a fresh seed.
@Suite struct SchemathesisTests {
    static let runner = repositoryRoot + "/Tests/openapi/run_schemathesis.py"
    /// Examples per operation and phase: about 600 requests, under a minute here.
    static let maxExamples = 10

    @Test func generatedRequestsConformToTheSpec() throws {
        let server = try ServeFixture(execRoot: repositoryRoot + "/examples")
        let (status, output) = try runPython([
            Self.runner, "--url", "http://127.0.0.1:\(server.port)", "--max-examples", String(Self.maxExamples),
        ])
        let verdict = output.split(separator: "\n").last { $0.hasPrefix("run_schemathesis: ") && $0.contains(" test cases on ") }
        #expect(status == 0, "\(Self.report(output))\n--- server log (end) ---\n\(server.log.suffix(4000))")
        #expect(verdict?.contains(", 0 failures, 0 errors") == true, "\(Self.report(output))")
        #expect(server.stop() == 0, "\(server.log.suffix(4000))")
    }

    /// schemathesis's failures, errors and summary: its output from the first of those sections on.
    static func report(_ output: String) -> String {
        for marker in ["= FAILURES =", "= ERRORS =", "= WARNINGS =", "= SUMMARY ="] {
            if let range = output.range(of: marker) {
                let lineStart = output[..<range.lowerBound].lastIndex(of: "\n").map { output.index(after: $0) } ?? output.startIndex
                return String(output[lineStart...])
            }
        }
        return output
    }
}
