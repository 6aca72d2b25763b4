import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// The operational logs of `httpexec serve` (its own lines, the launcher's and the front-end's, all
// on one stderr) never carry what a request carries — argument and environment values, stdin,
// output — and stay one well-formed line per entry whatever a client puts in a path. Each request
// hides a distinct marker; after serve stops, no marker may appear anywhere in what it wrote.
// The request ids (`X-Request-ID`, which the logs do record) are the positive control: the same
// search must find them, or it is searching the wrong text.

/// The requests both formats are checked with, and what each must be answered with.
private struct HygieneRun {
    let tag = String(UInt64.random(in: 1..<UInt64.max), radix: 36)
    var markers: [String] { ["arg", "env", "stdin", "env2", "b64stdin", "rejected", "fail", "noexec", "missing", "json"].map(marker) }
    func marker(_ name: String) -> String { "hyg\(name)\(tag)" }
    func requestID(_ n: Int) -> String { "hyg-id-\(n)-\(tag)" }

    /// A file whose name holds U+2028 (allowed in paths, escaped in logs) and one whose name
    /// looks like logfmt (`"`, space, `level=`).
    static let oddFiles: [String: (String, Int)] = [
        "line\u{2028}sep.sh": ("#!/bin/sh\necho separated\n", 0o755),
        "odd \" level=critical.sh": ("#!/bin/sh\necho odd\n", 0o755),
    ]

    /// Sends every request and checks each answer, so the markers demonstrably went through the
    /// job (and back out in its output) or were refused.
    func send(to server: ServeFixture) throws {
        let b64 = Data(marker("b64stdin").utf8).base64EncodedString()
        let cases: [(target: String, body: String, status: Int, check: (HTTPTestResponse) -> Bool)] = [
            ("/echo.sh", #"{"args":["\#(marker("arg"))"],"environment":{"HYG_VALUE":"\#(marker("env"))"},"stdin":{"content":"\#(marker("stdin"))"},"stdout":{"capture":true}}"#,
             200, { $0.text.contains("script \(marker("arg"))") }),
            ("/probe", #"{"args":["environ"],"environment":{"HYG_OTHER":"\#(marker("env2"))"},"stdout":{"capture":true}}"#,
             200, { $0.text.contains("HYG_OTHER=\(marker("env2"))") }),
            ("/probe", #"{"args":["cat"],"stdin":{"content":"\#(b64)","encode":"base64"},"stdout":{"capture":true}}"#,
             200, { $0.text.contains(marker("b64stdin")) }),
            ("/probe", #"{"args":["exit","0"],"environment":{"LD_PRELOAD":"\#(marker("rejected"))"}}"#,
             400, { $0.errorCode == "denied_environment" }),
            ("/probe", #"{"args":["\#(marker("fail"))"],"stderr":{"capture":true}}"#,
             200, { ($0.json?["return"] as? Int ?? 0) != 0 }),
            ("/noexec", #"{"args":["\#(marker("noexec"))"]}"#, 500, { _ in true }),
            ("/missing-command", #"{"args":["\#(marker("missing"))"]}"#, 404, { _ in true }),
            ("/probe", #"{"args":["\#(marker("json"))""#, 400, { $0.errorCode == "invalid_json" }),
            // A newline that would start a forged entry, an escape sequence, a C1 control: 404.
            ("/probe%0atime=2026-01-01T00:00:00.000Z%20level=critical%20logger=forged%20msg=injected", "{}", 404, { _ in true }),
            ("/probe%0d%0a%3c2%3eforged", "{}", 404, { _ in true }),
            ("/probe%1b%5b2J%1b%5b31m", "{}", 404, { _ in true }),
            ("/probe%c2%85forged", "{}", 404, { _ in true }),
            // Allowed, run, and logged by both processes: escaped there.
            ("/line%E2%80%A8sep.sh", "{}", 200, { $0.text.hasPrefix(#"{"return":0,"#) }),
            ("/odd%20%22%20level=critical.sh", "{}", 200, { $0.text.hasPrefix(#"{"return":0,"#) }),
        ]
        for (index, item) in cases.enumerated() {
            let response = try server.request(
                "POST", item.target, body: item.body, headers: [("X-Request-ID", requestID(index))])
            #expect(response.status == item.status && item.check(response), "\(item.target): \(response)\n\(server.log.suffix(2000))")
        }
    }

    /// What is wrong with `log`: a marker that leaked, a line that is not a well-formed entry, a
    /// raw control character. Empty when all is well.
    func problems(in log: String, format: LogShape) -> [String] {
        var found: [String] = []
        for marker in markers where log.localizedCaseInsensitiveContains(marker) { found.append("leaked \(marker)") }
        for scalar in log.unicodeScalars where scalar != "\n" && LogShape.isControl(scalar) {
            found.append("raw control character U+\(String(scalar.value, radix: 16))")
        }
        for line in log.utf8.split(separator: UInt8(ascii: "\n")).map({ String(decoding: $0, as: UTF8.self) }) {
            if let problem = format.problem(line) { found.append("\(problem): \(line.prefix(300))") }
        }
        return found
    }
}

/// The two line formats, checked from the outside.
enum LogShape {
    case logfmt, journal

    static let labels: Set<String> = ["httpexec-serve", "httpexec-server", "httpexec-launcher"]
    static let levels: Set<String> = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// C0, DEL, C1, U+2028, U+2029: never raw in a log.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// Why `line` is not an entry of this format (nil when it is).
    func problem(_ line: String) -> String? {
        switch self {
        case .logfmt:
            guard let fields = Self.logfmtFields(line) else { return "not logfmt" }
            let keys = fields.map(\.key)
            guard Array(keys.prefix(4)) == ["time", "level", "logger", "msg"], Set(keys).count == keys.count else {
                return "unexpected keys \(keys)"
            }
            guard fields[0].value.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil else { return "bad time" }
            guard Self.levels.contains(fields[1].value) else { return "bad level" }
            guard Self.labels.contains(fields[2].value) else { return "unknown logger" }
            return nil
        case .journal:
            guard let match = line.prefixMatch(of: /<([2-7])>/) else { return "no <N> prefix" }
            guard !line[match.range.upperBound...].hasPrefix("time=") else { return "a timestamp in a journal line" }
            guard let label = line.firstMatch(of: /\ logger=([a-z-]+)(?:\ |$)/), Self.labels.contains(String(label.1)) else {
                return "unknown logger"
            }
            return nil
        }
    }

    /// `key=value` fields separated by single spaces; bare values without space, `=`, `"`, `\`;
    /// quoted values with only `\\ \" \n \r \t \xHH \uHHHH` escapes. Values come back still
    /// escaped. Nil for anything else.
    static func logfmtFields(_ line: String) -> [(key: String, value: String)]? {
        var rest = Substring(line)
        var fields: [(key: String, value: String)] = []
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "="), equals != rest.startIndex else { return nil }
            let key = rest[..<equals]
            guard !key.contains(where: { $0 == " " || $0 == "\"" || $0 == "\\" }) else { return nil }
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var closed = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if c == "\"" { closed = true; break }
                    if c == "\\" {
                        guard let e = rest.first else { return nil }
                        let length = ["\\": 1, "\"": 1, "n": 1, "r": 1, "t": 1, "x": 3, "u": 5][e]
                        guard let length, rest.count >= length else { return nil }
                        value += "\\" + rest.prefix(length)
                        rest = rest.dropFirst(length)
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { return nil }
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                value = String(rest[..<end])
                guard !value.isEmpty, !value.contains(where: { $0 == "\"" || $0 == "=" || $0 == "\\" }) else { return nil }
                rest = rest[end...]
            }
            fields.append((String(key), value))
            if rest.isEmpty { break }
            guard rest.first == " ", rest.count > 1 else { return nil }
            rest = rest.dropFirst()
        }
        return fields
    }
}

@Suite(.serialized) struct LogHygieneTests {
    @Test func logfmtLogsCarryNoRequestContentAndOneLinePerEntry() throws {
        let run = HygieneRun()
        // The variable alone must not switch formats: it names some other stream here.
        let server = try ServeFixture(environment: ["JOURNAL_STREAM": "1:1"], extraFiles: HygieneRun.oddFiles)
        try run.send(to: server)
        #expect(server.stop() == 0, "\(server.log.suffix(3000))")
        let log = server.log

        expectNoProblems(run.problems(in: log, format: .logfmt), log)
        // Positive controls: the search that finds no marker finds each request id, in the
        // front-end's entry and in the launcher's.
        for index in [0, 1, 2, 4, 12, 13] {
            let id = run.requestID(index)
            #expect(log.contains("request_id=\(id)"), "front-end entry for \(id)\n\(log.suffix(4000))")
            #expect(log.localizedCaseInsensitiveContains("request \(id): "), "launcher entry for \(id)")
        }
        // Paths that reached the logs did so escaped, in both processes.
        #expect(log.contains(#"command="line\u2028sep.sh""#), "\(log.suffix(4000))")
        #expect(log.contains(#"started line\u2028sep.sh""#), "\(log.suffix(4000))")
        #expect(log.contains(#"command="odd \" level=critical.sh""#), "\(log.suffix(4000))")
        // The forged entry of the newline path exists nowhere, not even as text.
        #expect(!log.contains("logger=forged") && !log.contains("injected"))
        // Every process wrote in this format, serve's own start-up line included.
        for label in LogShape.labels { #expect(log.contains(" logger=\(label) "), "\(label)") }
        #expect(log.contains("msg=\"serving on 127.0.0.1:"))
    }

    @Test func journalLogsUnderAMatchingJournalStream() throws {
        let run = HygieneRun()
        // systemd's contract, reproduced: JOURNAL_STREAM names stderr's own device and inode
        // (computed by the wrapper from its stderr, the fixture's pipe, inherited by serve).
        let server = try ServeFixture(
            extraFiles: HygieneRun.oddFiles,
            wrapper: ["/bin/sh", "-c", #"JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$0" "$@""#])
        try run.send(to: server)
        #expect(server.stop() == 0, "\(server.log.suffix(3000))")
        let log = server.log

        expectNoProblems(run.problems(in: log, format: .journal), log)
        for index in [0, 12] {
            #expect(log.contains("request_id=\(run.requestID(index))"), "\(log.suffix(4000))")
            #expect(log.contains("request \(run.requestID(index)): "), "\(log.suffix(4000))")
        }
        #expect(log.contains(#"<6>request hyg-id-12-\#(run.tag): started line\u2028sep.sh logger=httpexec-launcher"#), "\(log.suffix(4000))")
        // Priorities: serve's start-up line is a notice, the launcher's job lines are info.
        #expect(log.contains("<5>serving on 127.0.0.1:"), "\(log.suffix(4000))")
        for label in LogShape.labels { #expect(log.contains(" logger=\(label)"), "\(label)") }
    }

    /// SwiftNIO writes this line to stderr itself (no logger, no format) when something schedules
    /// work on an event loop the front-end already shut down — a shutdown race in the front-end,
    /// seen in 2 of 10 runs alone and more often under load. Recorded as a known issue until it is fixed; any other
    /// problem fails the test.
    static let nioShutdownLine = "ERROR: Cannot schedule tasks on an EventLoop that has already shut down."

    private func expectNoProblems(_ problems: [String], _ log: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let nio = problems.filter { $0.contains(Self.nioShutdownLine) }
        #expect(problems.filter { !$0.contains(Self.nioShutdownLine) } == [], "\(log.suffix(6000))", sourceLocation: sourceLocation)
        withKnownIssue("the front-end's event loops are shut down while something still schedules on them", isIntermittent: true) {
            #expect(nio == [], sourceLocation: sourceLocation)
        }
    }

    /// The checks above are not vacuous: fed a log with a leak, a forged line or a raw control
    /// character, they complain.
    @Test func theChecksCatchWhatTheyLookFor() {
        let run = HygieneRun()
        let good = #"time=2026-11-27T19:04:05.123Z level=info logger=httpexec-launcher msg="request x: started a\nb""#
        #expect(run.problems(in: good + "\n", format: .logfmt) == [])
        let leaked = good + " arg=\(run.marker("arg"))\n"
        #expect(run.problems(in: leaked, format: .logfmt).contains("leaked \(run.marker("arg"))"))
        let forged = good.replacingOccurrences(of: #"a\nb""#, with: "a\"\ntime=2026-01-01T00:00:00.000Z level=critical logger=forged msg=injected\n")
        #expect(run.problems(in: forged, format: .logfmt).contains { $0.hasPrefix("unknown logger") })
        #expect(!run.problems(in: good + "\u{1b}[31m\n", format: .logfmt).isEmpty)
        #expect(!run.problems(in: "<6>ok logger=httpexec-launcher\nstray line\n", format: .journal).isEmpty)
        #expect(run.problems(in: "<6>ok logger=httpexec-launcher\n", format: .journal) == [])
        #expect(!run.problems(in: #"time=x level=info logger=httpexec-serve msg=a msg=b"# + "\n", format: .logfmt).isEmpty)
    }
}

/// `httpexec-launcher --log-level` takes what `LOGGING_LEVEL` takes; without the flag,
/// `HTTPEXEC_LOGGING_LEVEL` decides; with neither, info.
@Suite struct LauncherLogLevelTests {
    static let ranks = ["trace": 0, "debug": 1, "info": 2, "notice": 3, "warning": 4, "error": 5, "critical": 6]

    @Test("Flag, then environment, then info", arguments: [
        (["--log-level", "WARNING"], [String: String](), "warning"),
        (["--log-level", "warning"], [:], "warning"),
        (["--log-level", "20"], ["HTTPEXEC_LOGGING_LEVEL": "ERROR"], "info"),
        (["--log-level", "info"], ["HTTPEXEC_LOGGING_LEVEL": "bogus"], "info"),
        ([], ["HTTPEXEC_LOGGING_LEVEL": "40"], "error"),
        ([], ["HTTPEXEC_LOGGING_LEVEL": "Notice"], "notice"),
        ([], ["HTTPEXEC_LOGGING_LEVEL": "NOTSET"], "trace"),
        ([], [:], "info"),
    ])
    func levelTakesEffect(_ flag: [String], _ environment: [String: String], _ threshold: String) throws {
        let fixture = try LauncherFixture(start: false)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HTTPEXEC_") }
        env.merge(environment) { $1 }
        try fixture.start(arguments: ["--policy", fixture.policyPath] + flag, environment: env)
        // `ready` is info: it must appear exactly when the level lets info through.
        let showsInfo = Self.ranks[threshold]! <= Self.ranks["info"]!
        if showsInfo {
            #expect(waitFor(within: .seconds(20)) { fixture.log.contains(" msg=ready\n") }, "\(fixture.log)")
        }
        #expect(Self.stop(fixture), "\(fixture.log)")
        let lines = fixture.log.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasSuffix(" msg=ready") } == showsInfo, "\(fixture.log)")
        for line in lines {
            let level = try #require(LogShape.logfmtFields(line)?.first { $0.key == "level" }?.value, "\(line)")
            #expect(Self.ranks[level]! >= Self.ranks[threshold]!, "\(line)")
        }
    }

    /// SIGTERM until the launcher is gone (bounded); whether it exits 0 or dies of the signal is
    /// not what these tests are about. Its socket answers a few milliseconds before it watches
    /// for SIGTERM: a SIGTERM before that kills it, and one in between is ignored
    /// (Sources/Launcher/ShutdownSignal.swift sets SIG_IGN before its Dispatch source exists).
    /// These tests stop right after start-up, where `LauncherFixture.stop`'s single SIGTERM can
    /// be lost.
    static func stop(_ fixture: LauncherFixture) -> Bool {
        guard let process = fixture.process else { return false }
        let end = ContinuousClock.now + .seconds(20)
        while process.isRunning && ContinuousClock.now < end {
            kill(process.processIdentifier, SIGTERM)
            _ = waitFor(within: .milliseconds(200)) { !process.isRunning }
        }
        return !process.isRunning
    }

    @Test("A bad level stops start-up and says where it came from", arguments: [
        (["--log-level", "loud"], [String: String](), #"msg="--log-level: \"loud\" is not a logging level"#),
        (["--log-level", "51"], [:], #"msg="--log-level: 51 is out of range 0…50"#),
        ([], ["HTTPEXEC_LOGGING_LEVEL": "in\nfo"], #"msg="HTTPEXEC_LOGGING_LEVEL: \"in\\nfo\" is not a logging level"#),
    ])
    func badLevel(_ flag: [String], _ environment: [String: String], _ expected: String) throws {
        let fixture = try LauncherFixture(start: false)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HTTPEXEC_") }
        env.merge(environment) { $1 }
        let (status, output) = try runTool("httpexec-launcher", ["--policy", fixture.policyPath] + flag, environment: env)
        #expect(status == 78)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1 && lines[0].contains(" level=critical logger=httpexec-launcher ") && lines[0].contains(expected), "\(output)")
    }
}
