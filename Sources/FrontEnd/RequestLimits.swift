import LauncherProtocol

/// Bounds on what one request may ask for, checked before anything runs. Every limit is a
/// parameter (the server takes them from its configuration); the defaults follow the original's
/// effective limits where it had any and the launcher protocol's where it is stricter. Values
/// above a protocol limit are clamped to it, since a larger request could not be sent anyway.
public struct RequestLimits: Sendable, Hashable {
    /// Largest body, in bytes (413 above). Default 16 MiB, Quart's `MAX_CONTENT_LENGTH`.
    public var maxBodyBytes: Int
    /// Deepest nesting of arrays and objects anywhere in the body (400 `invalid_json` above).
    /// The API itself needs 2 levels; the default allows 32 for unknown, ignored keys.
    public var maxDepth: Int
    /// Most arguments (400 `arguments_too_large`). Default and ceiling:
    /// `ProtocolLimits.maxArguments` (4096).
    public var maxArguments: Int
    /// Longest argument, in UTF-8 bytes. Default 131 071: Linux's `MAX_ARG_STRLEN` (128 KiB)
    /// counts the terminating NUL, so a 131 072-byte argument would fail in `execve` with E2BIG.
    public var maxArgumentBytes: Int
    /// Most bytes of arguments and client environment together, each string counted with its
    /// NUL and each variable as `NAME=value`. Default 2 MiB (`ARG_MAX` on the reference host).
    /// The launcher frame (1 MiB) bounds the total further; see `ExecRequest.startFrameBytes`.
    public var maxArgumentTotalBytes: Int
    /// Most environment variables (400 `environment_too_large`). Default and ceiling:
    /// `ProtocolLimits.maxEnvironmentEntries` (1024).
    public var maxEnvironmentEntries: Int
    /// Longest requested `timeout`, in seconds. Default 86 400 (24 h, the policy's own ceiling).
    public var maxTimeoutSeconds: Double

    /// Creates limits; see each property for its default.
    public init(
        maxBodyBytes: Int = 16 << 20, maxDepth: Int = 32, maxArguments: Int = ProtocolLimits.maxArguments,
        maxArgumentBytes: Int = 128 * 1024 - 1, maxArgumentTotalBytes: Int = 2 << 20,
        maxEnvironmentEntries: Int = ProtocolLimits.maxEnvironmentEntries, maxTimeoutSeconds: Double = 86_400
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxDepth = maxDepth
        self.maxArguments = maxArguments
        self.maxArgumentBytes = maxArgumentBytes
        self.maxArgumentTotalBytes = maxArgumentTotalBytes
        self.maxEnvironmentEntries = maxEnvironmentEntries
        self.maxTimeoutSeconds = maxTimeoutSeconds
    }

    var effectiveMaxArguments: Int { min(maxArguments, ProtocolLimits.maxArguments) }
    var effectiveMaxArgumentBytes: Int { min(maxArgumentBytes, ProtocolLimits.maxValueBytes) }
    var effectiveMaxEnvironmentEntries: Int { min(maxEnvironmentEntries, ProtocolLimits.maxEnvironmentEntries) }
    /// The most a timeout can be in the protocol's `u32` milliseconds.
    var effectiveMaxTimeoutSeconds: Double { min(maxTimeoutSeconds, Double(UInt32.max) / 1000) }
}
