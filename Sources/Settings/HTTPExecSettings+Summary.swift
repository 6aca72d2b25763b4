import Logging

/// The effective settings, for the startup log.
extension HTTPExecSettings {
    /// One line per setting, `KEY = value (source)`, in ``SettingKey`` order, preceded by the
    /// settings file when one was read: e.g. `BIND = 127.0.0.1:8000 (env HTTPEXEC_BIND)`,
    /// `LOGGING_LEVEL = warning (default)`. Values are escaped so that each stays one line.
    public var summaryLines: [String] {
        var lines: [String] = []
        if let configFile {
            lines.append("\(Self.configPathVariable) = \(displayText(configFile)) (\(configFileSource))")
        }
        for key in SettingKey.allCases {
            lines.append("\(key.rawValue) = \(displayValue(of: key)) (\(source(of: key)))")
        }
        return lines
    }

    /// The value of `key` as an operator would write it.
    func displayValue(of key: SettingKey) -> String {
        let value: String? = switch key {
        case .execRoot: execRoot
        case .followLinks: "\(followLinks)"
        case .loggingLevel: loggingLevel.rawValue
        case .bind: bind.map(\.description).joined(separator: ",")
        case .unix: unix.joined(separator: ",")
        case .metrics: "\(metrics)"
        case .metricsBind: metricsBind.map(\.description).joined(separator: ",")
        case .metricsUnix: metricsUnix.joined(separator: ",")
        case .launcherSocket: launcherSocket
        case .maxContentLength: formatByteSize(maxContentLength)
        case .maxConnections: "\(maxConnections)"
        case .headerTimeout: formatDuration(headerTimeout)
        case .bodyTimeout: formatDuration(bodyTimeout)
        case .idleTimeout: formatDuration(idleTimeout)
        case .shutdownTimeout: formatDuration(shutdownTimeout)
        case .jobTimeout: formatDuration(jobTimeout)
        case .jobUser: jobUser
        case .jobGroup: jobGroup
        case .frontendUser: frontendUser
        case .policy: policy
        case .auditFile: auditFile
        }
        guard let value, !value.isEmpty else { return "(not set)" }
        return displayText(value)
    }
}
