import LauncherProtocol

/// One validated `POST /<command>` request: everything the front-end will ask the launcher for.
///
/// `ExecRequest.decode(path:contentType:body:limits:)` makes these from client input and checks
/// the whole request first, so a decoded value is always safe to send: its command is a
/// normalised relative path, no string holds NUL, environment names are non-empty without `=`,
/// and every size fits both `execve` and one launcher `start` frame. (The memberwise initialiser
/// checks nothing; it is for tests and trusted callers.)
public struct ExecRequest: Sendable, Hashable {
    /// The command path relative to the exec root, normalised (see `CommandPath`).
    public var command: String
    /// `argv[1...]`, verbatim.
    public var arguments: [String]
    /// The bytes to feed to the command's stdin; nil means no stdin at all (`/dev/null`, where
    /// the original let the child inherit the server's own stdin). Empty means an empty stdin.
    public var stdin: [UInt8]?
    /// What to do with stdout.
    public var stdout: OutputOptions
    /// What to do with stderr.
    public var stderr: OutputOptions
    /// Variables to add to the launcher policy's base environment, in the body's order
    /// (a duplicated JSON key keeps its last value, at its first position).
    public var environment: [EnvironmentEntry]
    /// The requested wall-clock timeout (an addition to the original's API); nil means the
    /// policy's default. The launcher never grants more than its policy allows.
    public var timeoutMilliseconds: UInt32?

    /// Creates a request from parts (tests, internal callers); client input goes through
    /// `decode(path:contentType:body:limits:)` instead.
    public init(
        command: String, arguments: [String] = [], stdin: [UInt8]? = nil, stdout: OutputOptions = .discard,
        stderr: OutputOptions = .discard, environment: [EnvironmentEntry] = [], timeoutMilliseconds: UInt32? = nil
    ) {
        self.command = command
        self.arguments = arguments
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.environment = environment
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Whether and how one output stream comes back in the response.
    public struct OutputOptions: Sendable, Hashable {
        /// Captured into the response; otherwise discarded and answered as `null`.
        public var capture: Bool
        /// How captured bytes are written into the JSON; nil means as UTF-8 text.
        public var encoding: StreamEncoding?

        /// Creates options.
        public init(capture: Bool, encoding: StreamEncoding? = nil) {
            self.capture = capture
            self.encoding = encoding
        }

        /// Not captured (the default).
        public static let discard = OutputOptions(capture: false)
    }
}
