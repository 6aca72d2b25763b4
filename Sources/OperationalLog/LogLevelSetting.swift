import Logging

/// `LOGGING_LEVEL` and `--log-level`: Python's level names and numbers (what httpexec 1.0.4
/// took) and swift-log's names, mapped onto swift-log. The one parser behind the front-end's
/// setting, `httpexec serve` and the launcher.
public enum LogLevelSetting {
    /// Python names (`CRITICAL` … `NOTSET`) and swift-log names (`trace`, `notice`, …), matched in
    /// any case. `NOTSET` logs everything, so it is `trace`.
    public static let names: [String: Logger.Level] = [
        "CRITICAL": .critical, "FATAL": .critical, "ERROR": .error, "WARN": .warning,
        "WARNING": .warning, "INFO": .info, "DEBUG": .debug, "NOTSET": .trace,
        "TRACE": .trace, "NOTICE": .notice,
    ]

    /// The variable the launcher reads when `--log-level` is not given (the front-end reads it
    /// through its settings).
    public static let environmentVariable = "HTTPEXEC_LOGGING_LEVEL"

    /// A level name in any case, or a Python level number 0…50 written in decimal digits.
    /// - Throws: `LogLevelError` (`.unknown` or `.outOfRange`).
    public static func parse(_ text: String) throws(LogLevelError) -> Logger.Level {
        if let level = names[text.uppercased()] { return level }
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let number = Int(text) {
            return try level(pythonNumber: number)
        }
        throw LogLevelError(.unknown, text: text)
    }

    /// A Python level number 0…50. Python compares `record.levelno >= logger.level`, so a number
    /// between two named levels behaves like the named level below it (35 is WARNING).
    /// - Throws: `LogLevelError.Code.outOfRange` outside 0…50.
    public static func level(pythonNumber n: Int) throws(LogLevelError) -> Logger.Level {
        switch n {
        case 50: .critical
        case 40..<50: .error
        case 30..<40: .warning
        case 20..<30: .info
        case 10..<20: .debug
        case 0..<10: .trace
        default: throw LogLevelError(.outOfRange, text: String(n))
        }
    }

    /// The launcher's level: `flag` (`--log-level`) when given, else `HTTPEXEC_LOGGING_LEVEL`
    /// from `environment`, else `fallback`. A value that is given but invalid is an error, never
    /// silently the fallback.
    /// - Throws: `LogLevelError`, naming where the bad value came from.
    public static func resolve(
        flag: String?, environment: (String) -> String?, fallback: Logger.Level
    ) throws(LogLevelError) -> Logger.Level {
        if let flag {
            do { return try parse(flag) } catch { throw error.from("--log-level") }
        }
        if let value = environment(environmentVariable) {
            do { return try parse(value) } catch { throw error.from(environmentVariable) }
        }
        return fallback
    }
}

/// A log level that is neither a known name nor a number 0…50.
public struct LogLevelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable, Hashable {
        /// Not a level name and not a decimal number.
        case unknown = "log_level.unknown"
        /// A number outside Python's 0…50.
        case outOfRange = "log_level.out_of_range"
    }

    public let code: Code
    /// The text that was refused.
    public let text: String
    /// Where it came from (`--log-level`, `HTTPEXEC_LOGGING_LEVEL`), when known.
    public var source: String?

    public init(_ code: Code, text: String, source: String? = nil) {
        self.code = code
        self.text = text
        self.source = source
    }

    func from(_ source: String) -> LogLevelError {
        var copy = self
        copy.source = source
        return copy
    }

    /// One line; the refused text is quoted and escaped.
    public var description: String {
        let what = source.map { "\($0): " } ?? ""
        let quoted = "\"\(LogEscaping.escaped(text, quote: true, limit: 64))\""
        switch code {
        case .unknown:
            return "\(what)\(quoted) is not a logging level; use CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET, trace, notice or a number 0…50"
        case .outOfRange:
            return "\(what)\(text) is out of range 0…50 (Python logging levels)"
        }
    }
}
