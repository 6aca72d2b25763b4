import Logging

/// The operator settings of `httpexec-server` (the HTTP front-end) and `httpexec serve` (launcher
/// and front-end together), loaded in layers like httpexec 1.0.4:
/// built-in defaults < the TOML file named by `HTTPEXEC_CONFIG_PATH` < `HTTPEXEC_*` environment
/// variables < command-line flags (``SettingsOverrides``).
///
/// A value only exists once every layer has been read and checked (see
/// ``load(environment:overrides:currentDirectory:)``), so its fields are always in range and its
/// paths absolute and normalised. What each program additionally needs is checked by
/// ``validatedForServe(socketsInherited:)`` and ``validatedForFrontEnd(socketsInherited:)``.
public struct HTTPExecSettings: Sendable, Equatable {
    /// The only variable that names the settings file; read from the environment only, as in 1.0.4.
    public static let configPathVariable = "HTTPEXEC_CONFIG_PATH"

    // MARK: Defaults and limits

    /// `LAUNCHER_SOCKET` when not set.
    public static let defaultLauncherSocket = "/run/httpexec/launcher.sock"
    /// `MAX_CONTENT_LENGTH` when not set: 16 MiB.
    public static let defaultMaxContentLength = 16 << 20
    /// The values `MAX_CONTENT_LENGTH` may take: 1 byte … 1 GiB.
    public static let maxContentLengthRange = 1...(1 << 30)
    /// `MAX_CONNECTIONS` when not set.
    public static let defaultMaxConnections = 1024
    /// The values `MAX_CONNECTIONS` may take.
    public static let maxConnectionsRange = 1...1_000_000
    /// The longest any duration setting may be.
    public static let maxDuration = Duration.seconds(24 * 3600)

    // MARK: Settings

    /// `EXEC_ROOT`: the directory of programs clients may run. Absolute and normalised; no
    /// default. `serve` requires it (unless `POLICY` is set); the front-end alone does not use it.
    public internal(set) var execRoot: String?
    /// `FOLLOW_LINKS`: whether symbolic links under `EXEC_ROOT` may be followed. Default false.
    public internal(set) var followLinks = false
    /// `LOGGING_LEVEL`: default `WARNING` (swift-log `.warning`).
    public internal(set) var loggingLevel = Logger.Level.warning
    /// `BIND`: TCP addresses to listen on, all ``ListenAddress/tcp(host:port:)``. Default none.
    public internal(set) var bind: [ListenAddress] = []
    /// `UNIX`: Unix socket paths to listen on (absolute, normalised, ≤ 107 bytes). Default none.
    public internal(set) var unix: [String] = []
    /// `METRICS`: whether the front-end serves `GET /metrics`. Default true.
    public internal(set) var metrics = true
    /// `METRICS_BIND`: TCP addresses of listeners that serve only `GET /metrics`, `/healthz` and
    /// `/readyz`. When these or ``metricsUnix`` are set, `/metrics` is not served on the main
    /// listeners. Default none.
    public internal(set) var metricsBind: [ListenAddress] = []
    /// `METRICS_UNIX`: Unix socket paths of such listeners. Default none.
    public internal(set) var metricsUnix: [String] = []
    /// `LAUNCHER_SOCKET`: the launcher's socket the front-end connects to.
    public internal(set) var launcherSocket = defaultLauncherSocket
    /// `MAX_CONTENT_LENGTH`: the largest request body in bytes (Quart's key).
    public internal(set) var maxContentLength = defaultMaxContentLength
    /// `MAX_CONNECTIONS`: the most client connections served at once.
    public internal(set) var maxConnections = defaultMaxConnections
    /// `HEADER_TIMEOUT`: how long a client has to send complete request headers.
    public internal(set) var headerTimeout = Duration.seconds(10)
    /// `BODY_TIMEOUT`: how long a client has to send the request body (Quart's key).
    public internal(set) var bodyTimeout = Duration.seconds(60)
    /// `IDLE_TIMEOUT`: how long an idle keep-alive connection is kept open.
    public internal(set) var idleTimeout = Duration.seconds(60)
    /// `SHUTDOWN_TIMEOUT`: how long in-flight requests may take to finish on shutdown.
    public internal(set) var shutdownTimeout = Duration.seconds(30)
    /// `JOB_TIMEOUT`: the default wall-clock limit of a job in `serve` mode.
    public internal(set) var jobTimeout = Duration.seconds(600)
    /// `JOB_USER`: the user jobs run as in `serve` mode when started as root (a name or uid).
    public internal(set) var jobUser = "nobody"
    /// `JOB_GROUP`: the group jobs run as in `serve` mode when started as root (a name or gid).
    public internal(set) var jobGroup = "nogroup"
    /// `FRONTEND_USER`: the account `serve` runs the front-end as when started as root, a name or
    /// a numeric uid, stored as written. The account need not exist: resolving it (and falling
    /// back to a fixed numeric uid when the name does not resolve) is the caller's job.
    public internal(set) var frontendUser = "httpexec"
    /// `POLICY`: a complete launcher policy file for `serve` to use instead of generating one
    /// from `EXEC_ROOT`, `FOLLOW_LINKS` and `JOB_*`. Absolute and normalised.
    public internal(set) var policy: String?
    /// `AUDIT_FILE`: the audit trail file of the launcher `serve` starts (its policy's
    /// `audit.file`, docs/audit.md); none when unset.
    public internal(set) var auditFile: String?

    // MARK: Provenance

    /// The settings file that was read (absolute), if `HTTPEXEC_CONFIG_PATH` was set.
    public internal(set) var configFile: String?
    /// Where `HTTPEXEC_CONFIG_PATH` came from (always the environment when ``configFile`` is set).
    var configFileSource = SettingSource.defaultValue
    /// The source of every setting not at its default.
    var sources: [SettingKey: SettingSource] = [:]

    /// The built-in defaults (what ``load(environment:overrides:currentDirectory:)`` returns for
    /// an empty environment and no flags).
    public init() {}

    /// Where the value of `key` came from.
    public func source(of key: SettingKey) -> SettingSource {
        sources[key] ?? .defaultValue
    }

    /// Everything the front-end listens on: ``bind`` then ``unix`` as ``ListenAddress/unix(path:)``.
    public var listenAddresses: [ListenAddress] {
        bind + unix.map { .unix(path: $0) }
    }

    /// The listeners that serve only the metrics and health endpoints: ``metricsBind`` then
    /// ``metricsUnix``. Empty means `/metrics` (when ``metrics`` is on) is on the main listeners.
    public var metricsListenAddresses: [ListenAddress] {
        metricsBind + metricsUnix.map { .unix(path: $0) }
    }
}
