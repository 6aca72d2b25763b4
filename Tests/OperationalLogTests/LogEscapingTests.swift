import OperationalLog
import Testing

@Suite struct LogEscapingTests {
    @Test("Control characters become visible escapes", arguments: [
        ("plain text", "plain text"),
        ("a\nb", #"a\nb"#), ("a\rb", #"a\rb"#), ("a\tb", #"a\tb"#),
        ("\u{0}", #"\x00"#), ("\u{1b}[31m", #"\x1b[31m"#), ("\u{7f}", #"\x7f"#), ("\u{1f}", #"\x1f"#),
        ("\u{80}", #"\u0080"#), ("\u{85}", #"\u0085"#), ("\u{9f}", #"\u009f"#),
        ("\u{2028}", #"\u2028"#), ("\u{2029}", #"\u2029"#),
        (#"back\slash"#, #"back\\slash"#), (#"say "hi""#, #"say "hi""#),
        ("ünï ✓ 😀", "ünï ✓ 😀"), ("\u{a0}\u{2027}\u{202a}", "\u{a0}\u{2027}\u{202a}"),
    ])
    func escapes(_ input: String, _ expected: String) {
        #expect(LogEscaping.escaped(input) == expected)
    }

    @Test func quotesAreEscapedOnlyWhenAsked() {
        #expect(LogEscaping.escaped(#"a"b"#, quote: true) == #"a\"b"#)
        #expect(LogEscaping.escaped(#"a"b"#) == #"a"b"#)
    }

    @Test func everyControlScalarIsEscaped() {
        let controls = (0..<0x20).map { Unicode.Scalar($0)! } + (0x7F...0x9F).map { Unicode.Scalar($0)! }
            + [Unicode.Scalar(0x2028)!, Unicode.Scalar(0x2029)!]
        for scalar in controls {
            let out = LogEscaping.escaped("x" + String(Character(scalar)) + "y")
            #expect(!out.unicodeScalars.contains(where: LogEscaping.isEscaped), "U+\(String(scalar.value, radix: 16))")
            #expect(out.hasPrefix("x\\") && out.hasSuffix("y"))
        }
    }

    @Test func aLimitCutsAtACharacterNeverInsideAnEscape() {
        let cut = LogEscaping.escaped(String(repeating: "\n", count: 100), limit: 20)
        #expect(cut.utf8.count <= 20)
        #expect(cut.hasSuffix("…"))
        // Whole `\n` pairs only: the part before the ellipsis is an even number of bytes.
        #expect(cut.dropLast().utf8.count % 2 == 0)
        #expect(LogEscaping.escaped("short", limit: 20) == "short")
        let exact = String(repeating: "a", count: 20)
        #expect(LogEscaping.escaped(exact, limit: 20) == exact)
        #expect(LogEscaping.escaped(exact + "b", limit: 20) == String(repeating: "a", count: 17) + "…")
    }
}
