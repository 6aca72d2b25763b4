import FrontEnd
import Testing

/// Inputs the fuzzers found (docs/fuzzing.md), kept as tests. Each one is also under
/// `Fuzz/regressions/<target>/`, which every fuzz run replays.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// fuzz-request, `Fuzz/regressions/request/combining-mark-after-slash` (bytes `2f d6 ba`):
    /// selector 0x2f sends the request target `\u{5BA}` (a combining Hebrew point) as the path
    /// `/\u{5BA}`. `CommandPath` split the path into Characters, and a combining mark after `/`
    /// is one Character with it, so the leading `/` stayed: the command `/\u{5BA}` was absolute.
    @Test("the fuzzer's input: a combining mark after the leading /")
    func fuzzerInput() throws {
        let request = try ExecRequest.decode(path: "/\u{5BA}", contentType: "application/jsonx", body: [])
        #expect(Array(request.command.utf8) == [0xD6, 0xBA])
    }

    /// Compared as bytes, as the launcher opens them (String `==` is canonical equivalence).
    @Test("a combining mark after / does not keep the / in a component", arguments: [
        ("/\u{301}x", "\u{301}x"), ("a//\u{301}b", "a/\u{301}b"), ("a/./\u{301}b", "a/\u{301}b"),
        ("./\u{20DD}/x/", "\u{20DD}/x"),
    ])
    func combiningMarkAfterSlash(_ row: (path: String, command: String)) throws {
        #expect(Array(try CommandPath.normalise(row.path).utf8) == Array(row.command.utf8))
    }

    /// The same through the router's percent-decoding: `POST /%CC%81x` is `\u{301}x`, not `/\u{301}x`.
    @Test("a percent-encoded combining mark after /")
    func percentEncoded() throws {
        #expect(Array(try CommandPath.fromRequestTarget("/%CC%81x").utf8) == Array("\u{301}x".utf8))
    }

    /// `Fuzz/regressions/request/combining-mark-hides-dotdot`: `a/../\u{301}b` has a `..`
    /// component in its bytes (what the kernel resolves) that a Character split did not see.
    @Test("a combining mark after / does not hide a .. component", arguments: [
        "a/../\u{301}b", "../\u{301}etc/passwd", "/a/b/../\u{20DD}c",
    ])
    func hiddenDotDot(_ path: String) {
        #expect(throws: APIError.notFound) { _ = try CommandPath.normalise(path) }
    }

    @Test("a percent-encoded .. before a combining mark")
    func percentEncodedDotDot() {
        #expect(throws: APIError.notFound) { _ = try CommandPath.fromRequestTarget("/%2e%2e/%CC%81x") }
    }
}
