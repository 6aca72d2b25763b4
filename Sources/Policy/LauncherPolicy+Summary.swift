extension LauncherPolicy {
    /// The effective policy as TOML, for `httpexec check`: every default filled in, every path
    /// absolute. Settings left to the launcher (no user, no rlimit) and the values a command
    /// inherits appear as `#` comments, so the text is itself a valid policy that loads back to an
    /// equal value (from the same directory).
    public var effectiveSummary: String {
        var out = PolicySummaryWriter()
        out.comment("Effective policy loaded from \(sourcePath)")
        out.comment("(defaults filled in, paths absolute; commented lines are not set or inherited)")
        out.blank()
        out.set("exec_root", quoted: execRoot)
        out.set("follow_links", followLinks ? "true" : "false")
        out.set("working_directory", quoted: workingDirectory)
        out.set("seccomp", quoted: seccompProfile ?? "unconfined")

        out.header("[run_as]")
        out.set("user", quoted: runAs.user, unset: "the launcher's default (nobody when it can switch users)")
        out.set("group", quoted: runAs.group, unset: "the launcher's default")
        out.set("allow_root", runAs.allowRoot ? "true" : "false")
        if runAs.allowPeerIdentity { out.set("allow_peer_identity", "true") }
        out.set("uid_range", quoted: runAs.uidRange.map { "\($0.lowerBound)-\($0.upperBound)" }, unset: "all jobs share user/group")

        out.header("[environment]")
        out.set("deny", out.list(environment.deny))
        out.set("allow", environment.allow.map(out.list), unset: "clients may set any name that is not denied")
        out.header("[environment.base]")
        for entry in environment.base { out.set(isBareTOMLKey(entry.name) ? entry.name : tomlQuoted(entry.name), quoted: entry.value) }

        out.header("[limits]")
        out.set("timeout", quoted: PolicyUnits.render(limits.timeout))
        out.set("kill_grace", quoted: PolicyUnits.render(limits.killGrace))
        out.set("output_cap", renderSize(UInt64(clamping: limits.outputCap)))
        out.set("stdin_cap", renderSize(UInt64(clamping: limits.stdinCap)))
        out.set("on_output_overflow", quoted: limits.killOnOutputOverflow ? "kill" : "truncate")
        let launcherOwn = "the launcher's own limit"
        out.set("open_files", limits.openFiles.map { "\($0)" }, unset: launcherOwn)
        out.set("processes", limits.processes.map { "\($0)" }, unset: launcherOwn)
        out.set("file_size", limits.fileSize.map(renderSize), unset: launcherOwn)
        out.set("cpu_seconds", limits.cpuSeconds.map { "\($0)" }, unset: launcherOwn)
        out.set("address_space", limits.addressSpace.map(renderSize), unset: launcherOwn)
        out.set("stack", limits.stack.map(renderSize), unset: launcherOwn)
        out.set("core", limits.core.map(renderSize), unset: launcherOwn)

        out.header("[concurrency]")
        out.set("max_jobs", "\(concurrency.maxJobs)")
        out.set("max_per_command", "\(concurrency.maxPerCommand)")

        out.header("[peers]")
        if peers.users.isEmpty && peers.groups.isEmpty { out.comment("no peers listed: only root may connect") }
        out.set("users", out.list(peers.users))
        out.set("groups", out.list(peers.groups))

        out.header("[socket]")
        out.set("path", quoted: socket.path, unset: "socket activation only")
        out.set("group", quoted: socket.group, unset: "the launcher's group")
        let mode = String(socket.mode, radix: 8)
        out.set("mode", quoted: String(repeating: "0", count: max(1, 4 - mode.count)) + mode)

        out.header("[audit]")
        out.set("file", quoted: audit.file, unset: "no audit file")
        out.set("journal", quoted: audit.journal.rawValue)
        switch audit.sync {
        case .always:
            out.set("fsync", quoted: "always")
        case .interval(let interval):
            out.set("fsync", quoted: "interval")
            out.set("fsync_interval", quoted: PolicyUnits.render(interval))
        }
        out.set("argv", quoted: audit.arguments.rawValue)
        out.set("on_failure", quoted: audit.required ? "refuse" : "continue")

        for command in commands { out.command(command, in: self) }
        return out.text
    }
}

/// Sizes as `"16MiB"` when a binary unit divides them, else integer bytes (`0`, `1000`).
private func renderSize(_ bytes: UInt64) -> String {
    bytes > 0 && bytes % 1024 == 0 ? tomlQuoted(PolicyUnits.render(bytes: bytes)) : "\(bytes)"
}

/// Accumulates the summary's lines.
private struct PolicySummaryWriter {
    var text = ""

    mutating func comment(_ lines: String) {
        for line in lines.split(separator: "\n", omittingEmptySubsequences: false) { text += "# \(line)\n" }
    }
    mutating func blank() { text += "\n" }
    mutating func header(_ name: String) { text += "\n\(name)\n" }

    mutating func set(_ key: String, _ value: String) { text += "\(key) = \(value)\n" }
    mutating func set(_ key: String, quoted value: String) { set(key, tomlQuoted(value)) }

    /// A setting that may be absent: absent ones become `# key: not set (meaning)`.
    mutating func set(_ key: String, _ value: String?, unset meaning: String) {
        if let value { set(key, value) } else { comment("\(key): not set (\(meaning))") }
    }

    mutating func set(_ key: String, quoted value: String?, unset meaning: String) {
        set(key, value.map(tomlQuoted), unset: meaning)
    }

    /// An inherited setting, shown but commented out so the summary loads back unchanged.
    mutating func inherited(_ key: String, _ value: String, from origin: String) {
        comment("\(key) = \(value)  (inherited from \(origin))")
    }

    /// A string array, wrapped at about 100 columns.
    func list(_ items: [String]) -> String {
        let quoted = items.map(tomlQuoted)
        let oneLine = "[" + quoted.joined(separator: ", ") + "]"
        guard oneLine.count > 80 else { return oneLine }
        var lines: [String] = []
        var current = ""
        for item in quoted {
            if !current.isEmpty && current.count + item.count + 2 > 96 {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? item + "," : " " + item + ","
        }
        if !current.isEmpty { lines.append(current) }
        return "[\n" + lines.map { "    " + $0 }.joined(separator: "\n") + "\n]"
    }

    mutating func command(_ command: LauncherPolicy.CommandOverride, in policy: LauncherPolicy) {
        header("[[command]]")
        set("path", quoted: command.path)
        let limits = policy.limits
        if let timeout = command.timeout {
            set("timeout", quoted: PolicyUnits.render(timeout))
        } else {
            inherited("timeout", tomlQuoted(PolicyUnits.render(limits.timeout)), from: "[limits]")
        }
        if let cap = command.outputCap {
            set("output_cap", renderSize(UInt64(clamping: cap)))
        } else {
            inherited("output_cap", renderSize(UInt64(clamping: limits.outputCap)), from: "[limits]")
        }
        let kill = command.killOnOutputOverflow
        let overflow = tomlQuoted((kill ?? limits.killOnOutputOverflow) ? "kill" : "truncate")
        if kill != nil { set("on_output_overflow", overflow) } else { inherited("on_output_overflow", overflow, from: "[limits]") }
        if let cap = command.stdinCap {
            set("stdin_cap", renderSize(UInt64(clamping: cap)))
        } else {
            inherited("stdin_cap", renderSize(UInt64(clamping: limits.stdinCap)), from: "[limits]")
        }
        if command.unconfined {
            set("seccomp", quoted: "unconfined")
        } else if let profile = command.seccompProfile {
            set("seccomp", quoted: profile)
        } else {
            inherited("seccomp", tomlQuoted(policy.seccompProfile ?? "unconfined"), from: "the top level")
        }
        if let allow = command.environmentAllow {
            set("environment_allow", list(allow))
        } else if let allow = policy.environment.allow {
            inherited("environment_allow", list(allow), from: "[environment] allow")
        } else {
            comment("environment_allow: not set (clients may set any name that is not denied)")
        }
        if let max = command.maxConcurrent {
            set("max_concurrent", "\(max)")
        } else {
            inherited("max_concurrent", "\(policy.concurrency.maxPerCommand)", from: "[concurrency] max_per_command")
        }
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped. Public for tools that
/// write policy files (`httpexec serve` generates one).
public func tomlQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
