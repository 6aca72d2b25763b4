import FrontEnd
import Testing

/// Request targets → command paths (percent-decoding as the original's server did, then
/// normalising as pathlib did, with `..` and control characters refused).
@Suite("Command paths")
struct CommandPathTests {
    @Test("request targets", arguments: [
        ("/echo", "echo"), ("/echo?x=1&y=/..", "echo"), ("/with%20space", "with space"), ("/%C3%BCn%C3%AF", "ünï"),
        ("/sub%2Fhello", "sub/hello"), ("/sub%2fhello", "sub/hello"), ("//bin/echo", "bin/echo"), ("/%2e/errexit", "errexit"),
        ("/100%", "100%"), ("/a%zzb", "a%zzb"), ("/a%2", "a%2"), ("/%25", "%"), ("/%2541", "%41"),
    ])
    func targets(_ row: (target: String, command: String)) throws {
        #expect(try CommandPath.fromRequestTarget(row.target) == row.command)
    }

    @Test("refused request targets", arguments: [
        "/%2e%2e/etc/passwd", "/..%2f..%2fbin/echo", "/%2E%2E", "/x%00y", "/x%0aINJECTED%20LINE", "/x%0d", "/x%7f", "/x%c2%85",
        "/%ff", "/%c3", "/%ed%a0%80", "/", "/?echo", "/%2f", "",
    ])
    func refusedTargets(_ target: String) {
        #expect(throws: APIError.notFound) { _ = try CommandPath.fromRequestTarget(target) }
    }

    @Test("normalise keeps everything but empty and . components", arguments: [
        ("a", "a"), ("/a/", "a"), ("a//b///c", "a/b/c"), ("./a/./b/.", "a/b"), (".a/..b/b..", ".a/..b/b.."), ("a\\..\\b", "a\\..\\b"),
        ("\u{A0}", "\u{A0}"), ("é/ü", "é/ü"),
    ])
    func normalise(_ row: (path: String, command: String)) throws {
        #expect(try CommandPath.normalise(row.path) == row.command)
    }

    @Test("4096 bytes is the longest command", arguments: [(4096, true), (4097, false)])
    func length(_ row: (size: Int, accepted: Bool)) {
        let path = "/" + String(repeating: "ab/", count: row.size / 3) + String(repeating: "c", count: row.size % 3)
        let command = try? CommandPath.normalise(path)
        #expect((command != nil) == row.accepted)
        if let command { #expect(command.utf8.count == row.size) }
    }
}
