import Logging
import OperationalLog
import Testing

@Suite struct LogLevelSettingTests {
    /// The same table the front-end's `LOGGING_LEVEL` is tested with (SettingsTests).
    @Test("Names in any case and Python numbers", arguments: [
        ("CRITICAL", Logger.Level.critical), ("fatal", .critical), ("ERROR", .error), ("WARN", .warning),
        ("warning", .warning), ("Info", .info), ("INFO", .info), ("DEBUG", .debug), ("NOTSET", .trace),
        ("trace", .trace), ("notice", .notice), ("Notice", .notice),
        ("50", .critical), ("45", .error), ("40", .error), ("35", .warning), ("30", .warning),
        ("20", .info), ("19", .debug), ("10", .debug), ("9", .trace), ("0", .trace), ("0030", .warning),
    ])
    func parses(_ text: String, _ expected: Logger.Level) throws {
        #expect(try LogLevelSetting.parse(text) == expected)
    }

    @Test("What serve passes on: swift-log's own names", arguments: Logger.Level.allCases)
    func swiftLogNamesRoundTrip(_ level: Logger.Level) throws {
        #expect(try LogLevelSetting.parse(String(describing: level)) == level)
    }

    @Test("Refused", arguments: [
        ("VERBOSE", LogLevelError.Code.unknown), ("51", .outOfRange), ("-1", .unknown), ("1e1", .unknown),
        ("warning!", .unknown), ("", .unknown), (" info", .unknown), ("+10", .unknown),
        ("99999999999999999999999", .unknown),
    ])
    func refuses(_ text: String, _ code: LogLevelError.Code) {
        #expect(throws: LogLevelError(code, text: text)) { try LogLevelSetting.parse(text) }
    }

    @Test func pythonNumbersOutsideTheRangeAreRefused() {
        #expect(throws: LogLevelError.self) { try LogLevelSetting.level(pythonNumber: -1) }
        #expect(throws: LogLevelError.self) { try LogLevelSetting.level(pythonNumber: 51) }
    }

    @Test func theFlagWinsThenTheEnvironmentThenTheFallback() throws {
        let environment = ["HTTPEXEC_LOGGING_LEVEL": "ERROR", "LOGGING_LEVEL": "DEBUG"]
        #expect(try LogLevelSetting.resolve(flag: "10", environment: { environment[$0] }, fallback: .info) == .debug)
        #expect(try LogLevelSetting.resolve(flag: nil, environment: { environment[$0] }, fallback: .info) == .error)
        #expect(try LogLevelSetting.resolve(flag: nil, environment: { _ in nil }, fallback: .info) == .info)
        // A bad environment value does not matter when the flag is given.
        #expect(try LogLevelSetting.resolve(flag: "info", environment: { _ in "bogus" }, fallback: .critical) == .info)
    }

    @Test func aBadValueSaysWhereItCameFrom() {
        #expect(throws: LogLevelError(.unknown, text: "loud", source: "--log-level")) {
            try LogLevelSetting.resolve(flag: "loud", environment: { _ in nil }, fallback: .info)
        }
        #expect(throws: LogLevelError(.outOfRange, text: "60", source: "HTTPEXEC_LOGGING_LEVEL")) {
            try LogLevelSetting.resolve(flag: nil, environment: { $0 == "HTTPEXEC_LOGGING_LEVEL" ? "60" : nil }, fallback: .info)
        }
    }

    @Test func messagesAreOneEscapedLine() {
        let error = LogLevelError(.unknown, text: "in\nfo\u{1b}", source: "--log-level")
        #expect(error.description == #"--log-level: "in\nfo\x1b" is not a logging level; use CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET, trace, notice or a number 0…50"#)
        #expect(LogLevelError(.outOfRange, text: "51").description == "51 is out of range 0…50 (Python logging levels)")
    }
}
