/// A missing, invalid or conflicting setting, found when the settings are loaded or validated at
/// startup (never at the first request, as httpexec 1.0.4 did).
///
/// ``description`` is one line: the stable code, the setting, where its value came from and what
/// is wrong, e.g. `settings.invalid_value: BIND (env HTTPEXEC_BIND): port 70000 is out of range
/// 0…65535 in "127.0.0.1:70000"`. Values are quoted with control characters escaped, so the line
/// cannot be split or forged in a log.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable error codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        public var description: String { raw }

        /// The file named by `HTTPEXEC_CONFIG_PATH` cannot be read.
        public static let unreadableFile = Code("settings.unreadable_file")
        /// The file is not valid UTF-8 TOML.
        public static let malformedFile = Code("settings.malformed_file")
        /// A TOML key or `HTTPEXEC_*` variable that names no setting.
        public static let unknownSetting = Code("settings.unknown_setting")
        /// A TOML key written in lowercase or mixed case: keys are UPPERCASE.
        public static let lowercaseKey = Code("settings.lowercase_key")
        /// A value of the wrong type, in the wrong format or out of range.
        public static let invalidValue = Code("settings.invalid_value")
        /// A setting the starting program needs is not set.
        public static let missingValue = Code("settings.missing_value")
        /// Two settings that must not be combined (`POLICY` with `EXEC_ROOT`).
        public static let conflict = Code("settings.conflict")
        /// A path that must exist does not, or is not what it must be (a directory, a file).
        public static let pathNotFound = Code("settings.path_not_found")
    }

    /// The stable code.
    public let code: Code
    /// The setting concerned: a key (`EXEC_ROOT`), an unknown key or variable as written, or
    /// `HTTPEXEC_CONFIG_PATH` for the file itself.
    public let setting: String
    /// Where the offending value came from.
    public let source: SettingSource
    /// What is wrong, and how to fix it when that is not obvious.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, setting: String, source: SettingSource, _ reason: String) {
        self.code = code
        self.setting = setting
        self.source = source
        self.reason = reason
    }

    /// Creates an error about a known setting.
    init(_ code: Code, _ key: SettingKey, source: SettingSource, _ reason: String) {
        self.init(code, setting: key.rawValue, source: source, reason)
    }

    public var description: String {
        singleLine("\(code): \(displayText(setting)) (\(source)): \(reason)")
    }
}
