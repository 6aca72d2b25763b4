import Logging
import OperationalLog
import Testing

/// Hostile strings a client could get into a logged value: each would forge, split or colour a
/// line if written raw.
let hostileStrings = [
    "ok\ntime=2026-01-01T00:00:00.000Z level=critical logger=httpexec-launcher msg=forged",
    "ok\r\n<2>forged entry in the journal",
    "\u{1b}[2J\u{1b}[31mred\u{1b}[0m",
    "nul\u{0}byte",
    "c1\u{85}next\u{9b}31m",
    "para\u{2028}graph\u{2029}end",
    #"quote" level=error msg="forged"#,
    #"back\slash\n not a newline"#,
    "",
    " ",
    "=",
]

@Suite struct LogLineTests {
    private func line(_ message: String, _ metadata: Logger.Metadata = [:], level: Logger.Level = .info) -> LogLine {
        LogLine(time: "2026-11-27T19:04:05.123Z", level: level, label: "httpexec-server", message: message, metadata: metadata)
    }

    @Test func logfmtLayout() {
        #expect(line("listening", ["on": "127.0.0.1:8000"]).rendered(.logfmt)
            == "time=2026-11-27T19:04:05.123Z level=info logger=httpexec-server msg=listening on=127.0.0.1:8000\n")
        #expect(line("serving metrics", ["on": "fd:3 (http)", "a": "1"], level: .notice).rendered(.logfmt)
            == #"time=2026-11-27T19:04:05.123Z level=notice logger=httpexec-server msg="serving metrics" a=1 on="fd:3 (http)""# + "\n")
    }

    @Test func journalLayout() {
        #expect(line("listening", ["on": "127.0.0.1:8000"]).rendered(.journal)
            == "<6>listening logger=httpexec-server on=127.0.0.1:8000\n")
        #expect(line(#"say "hi" a=b"#, level: .error).rendered(.journal) == #"<3>say "hi" a=b logger=httpexec-server"# + "\n")
    }

    @Test("syslog priorities", arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priorities(_ level: Logger.Level, _ priority: Int) {
        #expect(level.syslogPriority == priority)
        #expect(line("m", level: level).rendered(.journal).hasPrefix("<\(priority)>m "))
        #expect(line("m", level: level).rendered(.logfmt).contains(" level=\(level.rawValue) "))
    }

    @Test("logfmt values: bare or quoted", arguments: [
        ("plain", "plain"), ("", #""""#), ("a b", #""a b""#), ("a=b", #""a=b""#), (#"a"b"#, #""a\"b""#),
        (#"a\b"#, #""a\\b""#), ("a\nb", #""a\nb""#), ("ü:/.-_", "ü:/.-_"),
    ])
    func values(_ text: String, _ expected: String) {
        #expect(LogLine.value(text) == expected)
    }

    @Test("Hostile messages and values stay one parseable line", arguments: hostileStrings)
    func hostileLogfmt(_ hostile: String) throws {
        let rendered = line(hostile, ["path": .string(hostile), "n": .stringConvertible(hostile.count)]).rendered(.logfmt)
        #expect(rendered.filter { $0 == "\n" }.count == 1 && rendered.hasSuffix("\n"))
        let fields = try #require(LogfmtReader.fields(rendered.dropLast()), "\(rendered)")
        #expect(fields.map(\.key) == ["time", "level", "logger", "msg", "n", "path"])
        #expect(fields[1].value == "info")
        #expect(fields[3].value == hostile)
        #expect(fields[5].value == hostile)
    }

    @Test("Hostile messages stay one journal line at their own priority", arguments: hostileStrings)
    func hostileJournal(_ hostile: String) throws {
        let rendered = line(hostile, ["path": .string(hostile)], level: .warning).rendered(.journal)
        #expect(rendered.filter { $0 == "\n" }.count == 1 && rendered.hasSuffix("\n"))
        let parsed = try #require(LogfmtReader.journal(rendered.dropLast()), "\(rendered)")
        #expect(parsed.priority == 4)
        #expect(parsed.text.hasPrefix(hostile + " logger=httpexec-server path="))
        // The value, as logfmt quotes it, follows intact.
        #expect(rendered.dropLast().hasSuffix(" path=" + LogLine.value(hostile)))
    }

    @Test func metadataCannotPoseAsTheHeader() throws {
        let rendered = line("real", ["level": "debug", "msg": "fake", "time": "0", "logger": "x", "truncated": "no"], level: .error)
            .rendered(.logfmt)
        let fields = try #require(LogfmtReader.fields(rendered.dropLast()))
        #expect(fields.map(\.key) == ["time", "level", "logger", "msg", "_level", "_logger", "_msg", "_time", "_truncated"])
        #expect(fields[1].value == "error" && fields[3].value == "real")
    }

    @Test func keysAreSanitised() throws {
        let rendered = line("m", ["a key=\"x\"\n": "1", "": "2", "hb.request-id/x": "3"]).rendered(.logfmt)
        let fields = try #require(LogfmtReader.fields(rendered.dropLast()), "\(rendered)")
        #expect(fields.dropFirst(4).map(\.key) == ["_", "a_key__x__", "hb.request-id/x"])
    }

    @Test func longEntriesAreCutToOneAtomicWrite() throws {
        let huge = String(repeating: "\u{1b}", count: 10_000)
        let long = line(huge, ["v": .string(huge)]).rendered(.logfmt)
        #expect(long.utf8.count <= LogLine.maxBytes)
        let fields = try #require(LogfmtReader.fields(long.dropLast()), "\(long)")
        #expect(fields[3].value.hasSuffix("…"))

        var many: Logger.Metadata = [:]
        for i in 0..<100 { many["key\(i)"] = .string(String(repeating: "v", count: 100)) }
        for format in [LogFormat.logfmt, .journal] {
            let rendered = line("m", many).rendered(format)
            #expect(rendered.utf8.count <= LogLine.maxBytes)
            #expect(rendered.hasSuffix(" truncated=true\n"))
        }
    }
}
