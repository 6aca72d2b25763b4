/// The launcher's policy: what may run, as whom, with which limits. Loaded from TOML
/// (`policy/httpexec.toml`, documented in `docs/policy.md`) and validated completely at load.
///
/// Everything here is a decision of the launcher; the front-end's claims are checked against it.
public struct LauncherPolicy: Sendable, Hashable {
    /// The file it was loaded from (absolute), for messages.
    public var sourcePath: String
    /// Directory of runnable programs (absolute, must exist).
    public var execRoot: String
    /// A symlink that is itself inside the exec root as the *final* component may point to an
    /// executable anywhere ("directory of links to allowed commands"). Intermediate symlinks never
    /// lead out of the root either way.
    public var followLinks: Bool
    /// Who jobs run as.
    public var runAs: RunAs
    /// Working directory of jobs (absolute).
    public var workingDirectory: String
    /// Environment rules.
    public var environment: EnvironmentPolicy
    /// Default limits (commands may override).
    public var limits: Limits
    /// Seccomp profile for jobs (absolute path), or nil when the policy says `seccomp = "unconfined"`.
    public var seccompProfile: String?
    /// Concurrency limits.
    public var concurrency: Concurrency
    /// Who may talk to the launcher socket.
    public var peers: Peers
    /// Where the launcher listens when not socket-activated.
    public var socket: Socket
    /// Where every decision is recorded.
    public var audit: Audit
    /// Per-command overrides, matched by exact command path (relative to the exec root).
    public var commands: [CommandOverride]

    /// Run-as identity.
    public struct RunAs: Sendable, Hashable {
        /// User name or uid; nil = default (nobody when the launcher can switch users).
        public var user: String?
        /// Group name or gid; nil = default.
        public var group: String?
        /// Jobs may run as uid/gid 0.
        public var allowRoot: Bool
        /// When set, every running job gets a uid (and the same-numbered gid) of its own from this
        /// range instead of `user`/`group`: concurrent jobs cannot signal or inspect each other, and
        /// RLIMIT_NPROC counts each job alone. The numbers should belong to no account.
        public var uidRange: ClosedRange<UInt32>?
        /// Jobs may run as an identity that may also connect to the launcher (an allowed peer):
        /// the explicit relaxation for a launcher that cannot switch users and serves a front-end
        /// of its own uid (an unprivileged `httpexec serve`). Such jobs could reach the launcher.
        public var allowPeerIdentity: Bool
        public init(
            user: String? = nil, group: String? = nil, allowRoot: Bool = false, uidRange: ClosedRange<UInt32>? = nil,
            allowPeerIdentity: Bool = false
        ) {
            self.user = user
            self.group = group
            self.allowRoot = allowRoot
            self.uidRange = uidRange
            self.allowPeerIdentity = allowPeerIdentity
        }
    }

    /// Environment rules.
    public struct EnvironmentPolicy: Sendable, Hashable {
        /// The base environment of every job, in order (default `PATH`, `LANG`). Nothing is inherited
        /// from the launcher.
        public var base: [NameValue]
        /// Patterns of names clients may never set: exact names or `PREFIX*`.
        public var deny: [String]
        /// When set, clients may only set names matching these patterns (in addition to `deny`).
        public var allow: [String]?
        public init(base: [NameValue], deny: [String], allow: [String]? = nil) {
            self.base = base
            self.deny = deny
            self.allow = allow
        }
    }

    /// A name/value pair.
    public struct NameValue: Sendable, Hashable {
        /// The variable's name (no '=', no NUL).
        public var name: String
        /// Its value (no NUL).
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Limits for jobs.
    public struct Limits: Sendable, Hashable {
        /// Wall-clock timeout (also the most a client may ask for).
        public var timeout: Duration
        /// SIGTERM → SIGKILL grace.
        public var killGrace: Duration
        /// Bytes kept per output stream.
        public var outputCap: Int
        /// `truncate` (keep the first bytes, flag) or `kill`.
        public var killOnOutputOverflow: Bool
        /// Largest stdin accepted, bytes.
        public var stdinCap: Int
        /// rlimits; nil = launcher's value.
        public var openFiles: UInt64?
        /// RLIMIT_NPROC: processes of the job's user, all of its processes counted.
        public var processes: UInt64?
        /// RLIMIT_FSIZE: largest file a job may write, bytes.
        public var fileSize: UInt64?
        /// RLIMIT_CPU: CPU seconds before SIGXCPU.
        public var cpuSeconds: UInt64?
        /// RLIMIT_AS: virtual memory per process, bytes.
        public var addressSpace: UInt64?
        /// RLIMIT_STACK: stack size, bytes.
        public var stack: UInt64?
        /// RLIMIT_CORE: core file size, bytes (0 = no core files).
        public var core: UInt64?
        public init(
            timeout: Duration = .seconds(60), killGrace: Duration = .seconds(2), outputCap: Int = 16 << 20,
            killOnOutputOverflow: Bool = false, stdinCap: Int = 16 << 20, openFiles: UInt64? = 1024,
            processes: UInt64? = nil, fileSize: UInt64? = nil, cpuSeconds: UInt64? = nil,
            addressSpace: UInt64? = nil, stack: UInt64? = nil, core: UInt64? = 0
        ) {
            self.timeout = timeout
            self.killGrace = killGrace
            self.outputCap = outputCap
            self.killOnOutputOverflow = killOnOutputOverflow
            self.stdinCap = stdinCap
            self.openFiles = openFiles
            self.processes = processes
            self.fileSize = fileSize
            self.cpuSeconds = cpuSeconds
            self.addressSpace = addressSpace
            self.stack = stack
            self.core = core
        }
    }

    /// Concurrency limits.
    public struct Concurrency: Sendable, Hashable {
        /// Jobs running at once, launcher-wide.
        public var maxJobs: Int
        /// Jobs running at once per command.
        public var maxPerCommand: Int
        public init(maxJobs: Int = 64, maxPerCommand: Int = 16) {
            self.maxJobs = maxJobs
            self.maxPerCommand = maxPerCommand
        }
    }

    /// Allowed peers of the launcher socket (checked with SO_PEERCRED). Root is always allowed.
    public struct Peers: Sendable, Hashable {
        /// User names or uids.
        public var users: [String]
        /// Group names or gids (a peer whose primary gid matches is allowed).
        public var groups: [String]
        public init(users: [String] = [], groups: [String] = []) {
            self.users = users
            self.groups = groups
        }
    }

    /// The launcher's own socket.
    public struct Socket: Sendable, Hashable {
        /// Path of the Unix socket; nil when only socket activation is used.
        public var path: String?
        /// Group owning the socket file (the front-end's group); nil = the launcher's.
        public var group: String?
        /// File mode of the socket (default 0660).
        public var mode: UInt32
        public init(path: String? = nil, group: String? = nil, mode: UInt32 = 0o660) {
            self.path = path
            self.group = group
            self.mode = mode
        }
    }

    /// Overrides for one command.
    public struct CommandOverride: Sendable, Hashable {
        /// Command path relative to the exec root, e.g. `tools/report`.
        public var path: String
        /// Overrides `limits.timeout`; nil = inherited.
        public var timeout: Duration?
        /// Overrides `limits.outputCap`; nil = inherited.
        public var outputCap: Int?
        /// Overrides `limits.killOnOutputOverflow`; nil = inherited.
        public var killOnOutputOverflow: Bool?
        /// Overrides `limits.stdinCap`; nil = inherited.
        public var stdinCap: Int?
        /// Absolute path of a seccomp profile, or `unconfined`... nil = the default profile.
        public var seccompProfile: String?
        /// True when this command explicitly runs without seccomp (`seccomp = "unconfined"`).
        public var unconfined: Bool
        /// Strict allow-list of client variables for this command.
        public var environmentAllow: [String]?
        /// Jobs of this command running at once; nil = `concurrency.maxPerCommand`.
        public var maxConcurrent: Int?
        public init(path: String) {
            self.path = path
            self.unconfined = false
        }
    }

    /// Creates a policy with defaults for everything but the exec root.
    public init(sourcePath: String = "<memory>", execRoot: String) {
        self.sourcePath = sourcePath
        self.execRoot = execRoot
        followLinks = false
        runAs = RunAs()
        workingDirectory = "/"
        environment = EnvironmentPolicy(
            base: [NameValue("PATH", "/usr/local/bin:/usr/bin:/bin"), NameValue("LANG", "C.UTF-8")],
            deny: Self.defaultEnvironmentDeny)
        limits = Limits()
        seccompProfile = nil
        concurrency = Concurrency()
        peers = Peers()
        socket = Socket()
        audit = Audit()
        commands = []
    }

    /// Names a client may never set by default: loader, libc and interpreter injection vectors.
    public static let defaultEnvironmentDeny: [String] = [
        "LD_*", "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH",
        "MALLOC_*", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR",
        "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "CDPATH", "BASH_FUNC_*", "PROMPT_COMMAND",
        "PYTHON*", "PERL5*", "PERLLIB", "PERL_*", "RUBY*", "GEM_*", "NODE_OPTIONS", "NODE_PATH",
        "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "LUA_*", "TCLLIBPATH",
        "GIT_*", "SSH_*", "LISTEN_*", "NOTIFY_SOCKET", "CREDENTIALS_DIRECTORY",
        "INVOCATION_ID", "JOURNAL_STREAM", "WATCHDOG_*",
    ]
}

extension LauncherPolicy.EnvironmentPolicy {
    /// True when `pattern` (exact, or `PREFIX*`) matches `name`.
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.hasSuffix("*") { return name.hasPrefix(pattern.dropLast()) }
        return pattern == name
    }
}
