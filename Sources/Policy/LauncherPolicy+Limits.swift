import TOMLKit

extension PolicyTableReader {
    static let limitKeys = [
        "timeout", "kill_grace", "output_cap", "stdin_cap", "on_output_overflow",
        "open_files", "processes", "file_size", "cpu_seconds", "address_space", "stack", "core",
    ]
    /// The longest wall-clock timeout anything may have.
    static let maxTimeout = Duration.seconds(24 * 3600)
    /// The longest SIGTERM → SIGKILL grace: a job being stopped holds a slot meanwhile.
    static let maxKillGrace = Duration.seconds(60)

    /// `[limits]`, starting from `defaults`. Resource limits are always finite numbers; a key that
    /// is absent keeps its default.
    func limits(defaults: LauncherPolicy.Limits) throws(PolicyError) -> LauncherPolicy.Limits {
        try rejectUnknownKeys(Self.limitKeys)
        var limits = defaults
        limits.timeout = try duration("timeout", max: Self.maxTimeout) ?? limits.timeout
        limits.killGrace = try duration("kill_grace", max: Self.maxKillGrace) ?? limits.killGrace
        limits.outputCap = try byteCount("output_cap") ?? limits.outputCap
        limits.stdinCap = try byteCount("stdin_cap") ?? limits.stdinCap
        limits.killOnOutputOverflow = try killOnOverflow("on_output_overflow") ?? limits.killOnOutputOverflow
        limits.openFiles = try count("open_files").map(UInt64.init) ?? limits.openFiles
        limits.processes = try count("processes").map(UInt64.init) ?? limits.processes
        limits.fileSize = try size("file_size") ?? limits.fileSize
        limits.cpuSeconds = try count("cpu_seconds").map(UInt64.init) ?? limits.cpuSeconds
        limits.addressSpace = try size("address_space") ?? limits.addressSpace
        limits.stack = try size("stack") ?? limits.stack
        // 0 is the useful value here: no core files, which could hold a job's secrets.
        limits.core = try size("core", allowZero: true) ?? limits.core
        return limits
    }

    /// `on_output_overflow`: `"truncate"` (false) or `"kill"` (true).
    func killOnOverflow(_ key: String) throws(PolicyError) -> Bool? {
        guard let text = try string(key) else { return nil }
        switch text {
        case "truncate": return false
        case "kill": return true
        default: throw error(.invalidField, key, "\(key) must be \"truncate\" or \"kill\", found \"\(text)\"")
        }
    }
}
