import Logging
import OperationalLog

/// `LOGGING_LEVEL`: Python's level names and numbers (what httpexec 1.0.4 took), and swift-log's
/// names — parsed by `LogLevelSetting`, which the launcher's `--log-level` uses too.
extension SettingReader {
    /// A level name, or a Python level number 0…50 (from a TOML integer or digits).
    func loggingLevel() throws(SettingsError) -> Logger.Level {
        do throws(LogLevelError) {
            switch input {
            case .integer(let n): return try LogLevelSetting.level(pythonNumber: n)
            case .text(let text), .string(let text): return try LogLevelSetting.parse(text)
            default: break
            }
        } catch {
            throw invalid(error.description)
        }
        throw wrongType(expected: "a level name or a number 0…50")
    }
}
