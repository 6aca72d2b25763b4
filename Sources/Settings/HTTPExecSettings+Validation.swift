import Host

/// What each program needs beyond well-formed settings, checked before it starts serving.
extension HTTPExecSettings {
    /// Checks what `httpexec serve` needs: without `POLICY`, `EXEC_ROOT` must be set and be an
    /// existing directory; with it, the policy file must exist. The front-end it starts must have
    /// somewhere to listen, as ``validatedForFrontEnd(socketsInherited:)`` checks.
    ///
    /// - Parameter socketsInherited: true when listening sockets are handed over by the service
    ///   manager, so `BIND`/`UNIX` may be empty.
    /// - Returns: these settings, unchanged.
    /// - Throws: ``SettingsError`` `.missingValue` when `EXEC_ROOT` (or every listener) is not
    ///   set, `.pathNotFound` when `EXEC_ROOT` is not an existing directory or `POLICY` not an
    ///   existing file.
    @discardableResult
    public func validatedForServe(socketsInherited: Bool = false) throws(SettingsError) -> HTTPExecSettings {
        if let policy {
            try expect(policy, for: .policy, is: .regularFile, "a file")
        } else {
            guard let execRoot else {
                throw SettingsError(.missingValue, .execRoot, source: .defaultValue,
                                    "serve needs the directory of programs clients may run: set \(SettingKey.execRoot.flagName), "
                                        + "\(SettingKey.execRoot.environmentName) or EXEC_ROOT in the settings file (or POLICY)")
            }
            try expect(execRoot, for: .execRoot, is: .directory, "a directory")
        }
        return try validatedForFrontEnd(socketsInherited: socketsInherited)
    }

    /// Checks what the HTTP front-end needs: at least one `BIND` or `UNIX` address, unless the
    /// listening sockets are inherited (systemd socket activation).
    ///
    /// - Parameter socketsInherited: true when listening sockets are handed over by the service
    ///   manager.
    /// - Returns: these settings, unchanged.
    /// - Throws: ``SettingsError`` `.missingValue` when there is nowhere to listen.
    @discardableResult
    public func validatedForFrontEnd(socketsInherited: Bool) throws(SettingsError) -> HTTPExecSettings {
        guard socketsInherited || !listenAddresses.isEmpty else {
            throw SettingsError(.missingValue, .bind, source: source(of: .bind),
                                "nowhere to listen: set BIND (\(SettingKey.bind.flagName) HOST:PORT) or UNIX (\(SettingKey.unix.flagName) PATH)")
        }
        return self
    }

    private func expect(_ path: String, for key: SettingKey, is kind: SettingsFileSystem.Kind, _ what: String) throws(SettingsError) {
        let found = SettingsFileSystem.kind(of: path)
        guard found != kind else { return }
        let problem = switch found {
        case .missing: "does not exist"
        case .inaccessible(let reason): "cannot be checked: \(reason)"
        default: "is not \(what)"
        }
        throw SettingsError(.pathNotFound, key, source: source(of: key), "\(quoted(path)) \(problem)")
    }
}
