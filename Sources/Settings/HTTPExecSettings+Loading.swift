/// Reading the layers: defaults < file < environment < flags.
extension HTTPExecSettings {
    /// Loads and checks the settings from every layer.
    ///
    /// Every layer is checked in full, even where a higher layer overrides a value: a bad line in
    /// the file is reported, not hidden by an environment variable that happens to win today.
    /// Relative paths (the settings file, `EXEC_ROOT`, `UNIX`, `LAUNCHER_SOCKET`, `POLICY`) are
    /// resolved against `currentDirectory`, whichever layer they come from.
    ///
    /// The only I/O is reading the file named by `HTTPEXEC_CONFIG_PATH`.
    ///
    /// - Parameters:
    ///   - environment: the process environment; only `HTTPEXEC_*` variables are read.
    ///   - overrides: the command-line flags.
    ///   - currentDirectory: the absolute working directory.
    /// - Throws: ``SettingsError``: `.unreadableFile` or `.malformedFile` for the settings file,
    ///   `.lowercaseKey` and `.unknownSetting` for keys and `HTTPEXEC_*` variables that name no
    ///   setting, `.invalidValue` for wrong types, formats and ranges, and `.conflict` when
    ///   `POLICY` is combined with `EXEC_ROOT`, `FOLLOW_LINKS` or `JOB_*` from any layer.
    public static func load(
        environment: [String: String],
        overrides: SettingsOverrides = .init(),
        currentDirectory: String
    ) throws(SettingsError) -> HTTPExecSettings {
        let directory = SettingsFileSystem.absolute(currentDirectory, relativeTo: "/")
        var settings = HTTPExecSettings()

        if let raw = environment[configPathVariable] {
            let origin = SettingSource.environment(name: configPathVariable)
            let text = try environmentText(raw, setting: configPathVariable, source: origin)
            let path = SettingsFileSystem.absolute(text, relativeTo: directory)
            let file = try SettingsFile(readingAt: path, origin: origin)
            settings.configFile = path
            settings.configFileSource = origin
            for entry in file.entries {
                try settings.apply(entry.key, entry.input, from: entry.source, currentDirectory: directory)
            }
        }

        for name in environment.keys.sorted() where name.hasPrefix(SettingKey.environmentPrefix) && name != configPathVariable {
            let source = SettingSource.environment(name: name)
            guard let key = SettingKey(environmentName: name) else { throw unknownVariable(name) }
            let text = try environmentText(environment[name] ?? "", setting: key.rawValue, source: source)
            try settings.apply(key, .text(text), from: source, currentDirectory: directory)
        }

        for (key, input) in overrides.inputs {
            try settings.apply(key, input, from: .flag(name: overrides.flagName(for: key)), currentDirectory: directory)
        }

        try settings.checkPolicyConflicts()
        try settings.checkMetricsConflicts()
        return settings
    }

    /// Interprets one layer's `input` for `key` and records its source.
    mutating func apply(_ key: SettingKey, _ input: SettingInput, from source: SettingSource, currentDirectory: String) throws(SettingsError) {
        let reader = SettingReader(key: key, input: input, source: source, currentDirectory: currentDirectory)
        switch key {
        case .execRoot: execRoot = try reader.path()
        case .followLinks: followLinks = try reader.bool()
        case .loggingLevel: loggingLevel = try reader.loggingLevel()
        case .bind: bind = try reader.listenAddresses()
        case .unix: unix = try reader.socketPaths()
        case .metrics: metrics = try reader.bool()
        case .metricsBind: metricsBind = try reader.listenAddresses()
        case .metricsUnix: metricsUnix = try reader.socketPaths()
        case .launcherSocket: launcherSocket = try reader.socketPath()
        case .maxContentLength: maxContentLength = try reader.byteSize(in: Self.maxContentLengthRange)
        case .maxConnections: maxConnections = try reader.integer(in: Self.maxConnectionsRange)
        case .headerTimeout: headerTimeout = try reader.duration(maximum: Self.maxDuration)
        case .bodyTimeout: bodyTimeout = try reader.duration(maximum: Self.maxDuration)
        case .idleTimeout: idleTimeout = try reader.duration(maximum: Self.maxDuration)
        case .shutdownTimeout: shutdownTimeout = try reader.duration(maximum: Self.maxDuration)
        case .jobTimeout: jobTimeout = try reader.duration(maximum: Self.maxDuration)
        case .jobUser: jobUser = try reader.accountName()
        case .jobGroup: jobGroup = try reader.accountName()
        case .frontendUser: frontendUser = try reader.accountName()
        case .policy: policy = try reader.path()
        case .auditFile: auditFile = try reader.path()
        }
        sources[key] = source
    }

    /// An environment value as text: never empty, and a JSON string literal (`"\"/srv/x\""`)
    /// is unquoted, as 1.0.4 parsed values as JSON when they parsed.
    private static func environmentText(_ raw: String, setting: String, source: SettingSource) throws(SettingsError) -> String {
        guard !raw.isEmpty else {
            throw SettingsError(.invalidValue, setting: setting, source: source, "the value is empty; unset the variable to use the default")
        }
        guard JSONStringLiteral.looksQuoted(raw) else { return raw }
        guard let text = JSONStringLiteral.decode(raw) else {
            throw SettingsError(.invalidValue, setting: setting, source: source, "\(quoted(raw)) is quoted but not a valid JSON string")
        }
        guard !text.isEmpty else {
            throw SettingsError(.invalidValue, setting: setting, source: source, "the value is an empty string; unset the variable to use the default")
        }
        return text
    }

    /// An `HTTPEXEC_*` variable that names no setting: 1.0.4 passed those to Quart, where a typo
    /// silently changed nothing (or changed the framework).
    private static func unknownVariable(_ name: String) -> SettingsError {
        let suffix = String(name.dropFirst(SettingKey.environmentPrefix.count))
        let source = SettingSource.environment(name: name)
        if let key = SettingKey.matchingIgnoringCase(suffix) {
            return SettingsError(.unknownSetting, setting: name, source: source,
                                 "unknown variable; settings variables are UPPERCASE: \(key.environmentName)")
        }
        return SettingsError(.unknownSetting, setting: name, source: source,
                             "unknown HTTPEXEC_* variable; known: \(configPathVariable), "
                                 + SettingKey.allCases.map(\.environmentName).joined(separator: ", "))
    }

    /// With `POLICY`, the launcher takes the exec root, links and job settings from that file;
    /// also setting them here would be silently ignored, so it is refused.
    private func checkPolicyConflicts() throws(SettingsError) {
        guard policy != nil else { return }
        for key in SettingKey.policyOwned where source(of: key).isExplicit {
            throw SettingsError(.conflict, key, source: source(of: key),
                                "POLICY is set (\(source(of: .policy))), so \(key.rawValue) belongs in that policy file")
        }
    }
}
