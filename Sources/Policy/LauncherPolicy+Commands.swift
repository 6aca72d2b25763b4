import TOMLKit

extension PolicyTableReader {
    static let commandKeys = [
        "path", "timeout", "output_cap", "on_output_overflow", "stdin_cap",
        "seccomp", "environment_allow", "max_concurrent",
    ]

    /// `[[command]]` tables: per-command overrides, matched by exact command path. A path may
    /// appear once; a second table for it would make the effective settings depend on order.
    func commandOverrides() throws(PolicyError) -> [LauncherPolicy.CommandOverride] {
        guard let tables = try tables("command") else { return [] }
        var firstLine: [String: Int] = [:]
        var overrides: [LauncherPolicy.CommandOverride] = []
        for command in tables {
            let override = try command.commandOverride()
            let line = document.map.line(of: command.path("path"))
            if let earlier = firstLine[override.path] {
                throw command.error(.invalidField, "path", "command \"\(override.path)\" is configured twice, at lines \(earlier) and \(line); merge the two [[command]] tables")
            }
            firstLine[override.path] = line
            overrides.append(override)
        }
        return overrides
    }

    /// One `[[command]]` table.
    private func commandOverride() throws(PolicyError) -> LauncherPolicy.CommandOverride {
        try rejectUnknownKeys(Self.commandKeys)
        guard let path = try string("path") else {
            throw error(.invalidField, "path", "every [[command]] needs path, the command's path relative to exec_root")
        }
        if let problem = PolicyNameRules.commandPathProblem(path) {
            throw error(.invalidField, "path", problem)
        }
        var command = LauncherPolicy.CommandOverride(path: path)
        command.timeout = try duration("timeout", max: Self.maxTimeout)
        command.outputCap = try byteCount("output_cap")
        command.killOnOutputOverflow = try killOnOverflow("on_output_overflow")
        command.stdinCap = try byteCount("stdin_cap")
        switch try seccompSetting("seccomp") {
        case .unconfined?: command.unconfined = true
        case .profile(let profile)?: command.seccompProfile = profile
        case nil: break
        }
        command.environmentAllow = try strings("environment_allow", PolicyNameRules.environmentPatternProblem)
        command.maxConcurrent = try count("max_concurrent")
        return command
    }
}
