/// The settings given as command-line flags, the highest layer: each non-nil field wins over the
/// environment, the file and the default.
///
/// The executables parse their own command lines (swift-argument-parser) and pass the text as
/// typed; this module parses and checks it, so a bad flag fails with the same kind of one-line
/// ``SettingsError`` as a bad file or environment value, naming the flag
/// (``SettingKey/flagName``). An empty `bind`, `unix`, `metricsBind` or `metricsUnix` array counts
/// as not given (swift-argument-parser's value for a repeatable option that is absent); a
/// non-empty one replaces the lower layers' list rather than adding to it. Flag lists are not split at commas:
/// each element is one address or path.
public struct SettingsOverrides: Sendable, Equatable {
    /// `--exec-root`
    public var execRoot: String?
    /// `--follow-links` / `--no-follow-links`
    public var followLinks: Bool?
    /// `--log-level`: a Python or swift-log level name, or a number 0…50.
    public var loggingLevel: String?
    /// `--bind`, repeatable: `HOST:PORT`.
    public var bind: [String]?
    /// `--unix`, repeatable: a socket path.
    public var unix: [String]?
    /// `--metrics` / `--no-metrics`
    public var metrics: Bool?
    /// `--metrics-bind`, repeatable: `HOST:PORT`.
    public var metricsBind: [String]?
    /// `--metrics-unix`, repeatable: a socket path.
    public var metricsUnix: [String]?
    /// `--launcher-socket`
    public var launcherSocket: String?
    /// `--max-content-length`: bytes, or `16MiB`.
    public var maxContentLength: String?
    /// `--max-connections`
    public var maxConnections: String?
    /// `--header-timeout`: `10s`, `500ms`, or seconds.
    public var headerTimeout: String?
    /// `--body-timeout`
    public var bodyTimeout: String?
    /// `--idle-timeout`
    public var idleTimeout: String?
    /// `--shutdown-timeout`
    public var shutdownTimeout: String?
    /// `--job-timeout`
    public var jobTimeout: String?
    /// `--job-user`
    public var jobUser: String?
    /// `--job-group`
    public var jobGroup: String?
    /// `--frontend-user`
    public var frontendUser: String?
    /// `--policy`
    public var policy: String?
    /// `--audit-file`
    public var auditFile: String?
    /// The flag names this executable uses where they differ from ``SettingKey/flagName``
    /// (say `--user` for `FRONTEND_USER`), so that sources and errors name the real flag.
    public var flagNames: [SettingKey: String] = [:]

    /// Creates overrides; every flag not passed is nil.
    public init(
        execRoot: String? = nil, followLinks: Bool? = nil, loggingLevel: String? = nil,
        bind: [String]? = nil, unix: [String]? = nil, launcherSocket: String? = nil,
        maxContentLength: String? = nil, maxConnections: String? = nil,
        headerTimeout: String? = nil, bodyTimeout: String? = nil, idleTimeout: String? = nil,
        shutdownTimeout: String? = nil, jobTimeout: String? = nil,
        jobUser: String? = nil, jobGroup: String? = nil, frontendUser: String? = nil,
        policy: String? = nil, metrics: Bool? = nil, metricsBind: [String]? = nil, metricsUnix: [String]? = nil,
        auditFile: String? = nil
    ) {
        self.execRoot = execRoot
        self.followLinks = followLinks
        self.loggingLevel = loggingLevel
        self.bind = bind
        self.unix = unix
        self.launcherSocket = launcherSocket
        self.maxContentLength = maxContentLength
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.shutdownTimeout = shutdownTimeout
        self.jobTimeout = jobTimeout
        self.jobUser = jobUser
        self.jobGroup = jobGroup
        self.frontendUser = frontendUser
        self.policy = policy
        self.auditFile = auditFile
        self.metrics = metrics
        self.metricsBind = metricsBind
        self.metricsUnix = metricsUnix
    }

    /// The flag that sets `key` on this command line.
    func flagName(for key: SettingKey) -> String { flagNames[key] ?? key.flagName }

    /// The flags that were given, in ``SettingKey`` order.
    var inputs: [(key: SettingKey, input: SettingInput)] {
        SettingKey.allCases.compactMap { key in input(for: key).map { (key, $0) } }
    }

    private func input(for key: SettingKey) -> SettingInput? {
        switch key {
        case .execRoot: execRoot.map(SettingInput.text)
        case .followLinks: followLinks.map(SettingInput.boolean)
        case .loggingLevel: loggingLevel.map(SettingInput.text)
        case .bind: bind.flatMap { $0.isEmpty ? nil : .strings($0) }
        case .unix: unix.flatMap { $0.isEmpty ? nil : .strings($0) }
        case .metrics: metrics.map(SettingInput.boolean)
        case .metricsBind: metricsBind.flatMap { $0.isEmpty ? nil : .strings($0) }
        case .metricsUnix: metricsUnix.flatMap { $0.isEmpty ? nil : .strings($0) }
        case .launcherSocket: launcherSocket.map(SettingInput.text)
        case .maxContentLength: maxContentLength.map(SettingInput.text)
        case .maxConnections: maxConnections.map(SettingInput.text)
        case .headerTimeout: headerTimeout.map(SettingInput.text)
        case .bodyTimeout: bodyTimeout.map(SettingInput.text)
        case .idleTimeout: idleTimeout.map(SettingInput.text)
        case .shutdownTimeout: shutdownTimeout.map(SettingInput.text)
        case .jobTimeout: jobTimeout.map(SettingInput.text)
        case .jobUser: jobUser.map(SettingInput.text)
        case .jobGroup: jobGroup.map(SettingInput.text)
        case .frontendUser: frontendUser.map(SettingInput.text)
        case .policy: policy.map(SettingInput.text)
        case .auditFile: auditFile.map(SettingInput.text)
        }
    }
}
