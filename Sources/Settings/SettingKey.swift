/// One operator setting of `httpexec-server` and `httpexec serve`.
///
/// The raw value is the key as written at the root of the TOML file named by
/// `HTTPEXEC_CONFIG_PATH`: UPPERCASE, exactly like httpexec 1.0.4. The environment variable is
/// `HTTPEXEC_` + key, and the command-line flag is ``flagName``.
public enum SettingKey: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case execRoot = "EXEC_ROOT"
    case followLinks = "FOLLOW_LINKS"
    case loggingLevel = "LOGGING_LEVEL"
    case bind = "BIND"
    case unix = "UNIX"
    case metrics = "METRICS"
    case metricsBind = "METRICS_BIND"
    case metricsUnix = "METRICS_UNIX"
    case launcherSocket = "LAUNCHER_SOCKET"
    case maxContentLength = "MAX_CONTENT_LENGTH"
    case maxConnections = "MAX_CONNECTIONS"
    case headerTimeout = "HEADER_TIMEOUT"
    case bodyTimeout = "BODY_TIMEOUT"
    case idleTimeout = "IDLE_TIMEOUT"
    case shutdownTimeout = "SHUTDOWN_TIMEOUT"
    case jobTimeout = "JOB_TIMEOUT"
    case jobUser = "JOB_USER"
    case jobGroup = "JOB_GROUP"
    case frontendUser = "FRONTEND_USER"
    case auditFile = "AUDIT_FILE"
    case policy = "POLICY"

    /// The prefix of every settings environment variable.
    public static let environmentPrefix = "HTTPEXEC_"

    /// The TOML key (`EXEC_ROOT`).
    public var description: String { rawValue }

    /// The environment variable (`HTTPEXEC_EXEC_ROOT`).
    public var environmentName: String { Self.environmentPrefix + rawValue }

    /// The command-line flag that sets it through ``SettingsOverrides`` (`--exec-root`).
    /// `LOGGING_LEVEL` is `--log-level`; the others are the key in lowercase kebab-case.
    public var flagName: String {
        switch self {
        case .loggingLevel: "--log-level"
        default: "--" + rawValue.lowercased().replacing("_", with: "-")
        }
    }

    /// The key whose environment variable is `name`, if any.
    public init?(environmentName name: String) {
        guard name.hasPrefix(Self.environmentPrefix) else { return nil }
        self.init(rawValue: String(name.dropFirst(Self.environmentPrefix.count)))
    }

    /// The key that `spelling` names when compared case-insensitively (`exec_root`), if any.
    static func matchingIgnoringCase(_ spelling: String) -> SettingKey? {
        SettingKey(rawValue: spelling.uppercased())
    }

    /// Settings that describe the jobs the generated launcher policy runs; with `POLICY` they
    /// belong in that policy file instead.
    static let policyOwned: [SettingKey] = [.execRoot, .followLinks, .jobTimeout, .jobUser, .jobGroup, .auditFile]
}
