import Logging

/// `LOGGING_LEVEL`: Python's level names and numbers (what httpexec 1.0.4 took), and swift-log's
/// names.
extension SettingReader {
    /// Python level names (`CRITICAL` … `NOTSET`) and swift-log names (`trace`, `notice`, …), in
    /// any case, mapped onto swift-log. `NOTSET` logs everything, so it maps to `trace`.
    static let levelNames: [String: Logger.Level] = [
        "CRITICAL": .critical, "FATAL": .critical, "ERROR": .error, "WARN": .warning,
        "WARNING": .warning, "INFO": .info, "DEBUG": .debug, "NOTSET": .trace,
        "TRACE": .trace, "NOTICE": .notice,
    ]

    /// A level name, or a Python level number 0…50 (from a TOML integer or digits).
    func loggingLevel() throws(SettingsError) -> Logger.Level {
        switch input {
        case .integer(let n): return try Self.level(number: n, invalid)
        case .text(let text), .string(let text):
            if let level = Self.levelNames[text.uppercased()] { return level }
            if let n = decimal(text) { return try Self.level(number: n, invalid) }
            throw invalid("\(quoted(text)) is not a logging level; use CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET, trace, notice or a number 0…50")
        default: throw wrongType(expected: "a level name or a number 0…50")
        }
    }

    /// Python compares `record.levelno >= logger.level`, so a number between two named levels
    /// behaves like the named level below it (35 → WARNING).
    private static func level(number n: Int, _ invalid: (String) -> SettingsError) throws(SettingsError) -> Logger.Level {
        switch n {
        case 50: .critical
        case 40..<50: .error
        case 30..<40: .warning
        case 20..<30: .info
        case 10..<20: .debug
        case 0..<10: .trace
        default: throw invalid("\(n) is out of range 0…50 (Python logging levels)")
        }
    }
}
