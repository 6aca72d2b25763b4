#if canImport(Glibc)
import Glibc
#endif

/// A job could not be prepared or started. `code` is stable; spawn failures in the child carry the
/// step that failed (`setup.rlimit`, `setup.credentials`, `setup.seccomp`, `exec`, …) and its errno.
public struct SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes. The `setup.*` and `exec` codes name the child's step.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ raw: String) { rawValue = raw }
        public var description: String { rawValue }

        public static let setupSignals = Code("setup.signals")
        public static let setupSession = Code("setup.session")
        public static let setupStdio = Code("setup.stdio")
        public static let setupCloseFds = Code("setup.close_fds")
        public static let setupWorkdir = Code("setup.workdir")
        public static let setupRlimit = Code("setup.rlimit")
        public static let setupCredentials = Code("setup.credentials")
        public static let setupParentDeath = Code("setup.parent_death_signal")
        public static let setupNoNewPrivs = Code("setup.no_new_privs")
        public static let setupSeccomp = Code("setup.seccomp")
        public static let exec = Code("exec")
        /// clone(2) itself failed (EAGAIN: process limit; ENOMEM).
        public static let clone = Code("spawn.clone")
        /// A resource the parent needs (pipe, fd, memory) could not be had.
        public static let resources = Code("spawn.resources")
        /// The job description is invalid (NUL in an argument, bad environment name, ...).
        public static let invalidJob = Code("job.invalid")
        /// The job asks for a layer this launcher cannot apply (e.g. a uid switch without root).
        public static let layerUnavailable = Code("job.layer_unavailable")
        /// The run-as identity is not allowed or does not exist.
        public static let identity = Code("job.identity")
        /// The job ran, but its exit status could not be collected (an engine bug if it happens).
        public static let lostStatus = Code("engine.lost_status")
        /// The engine has been shut down.
        public static let engineStopped = Code("engine.stopped")

        /// The code for a child step number from CSpawn (`hx_step`).
        static func forStep(_ step: Int32) -> Code {
            switch step {
            case 1: .setupSignals
            case 2: .setupSession
            case 3: .setupStdio
            case 4: .setupCloseFds
            case 5: .setupWorkdir
            case 6: .setupRlimit
            case 7: .setupCredentials
            case 8: .setupParentDeath
            case 9: .setupNoNewPrivs
            case 10: .setupSeccomp
            case 11: .exec
            default: .clone
            }
        }
    }

    /// The stable code.
    public let code: Code
    /// The errno of the failing system call, when there was one.
    public let errno: Int32?
    /// A human-readable explanation (no host paths beyond what the operator configured).
    public let message: String

    /// Creates an error.
    public init(_ code: Code, errno: Int32? = nil, _ message: String) {
        self.code = code
        self.errno = errno
        self.message = message
    }

    public var description: String {
        if let errno { return "\(code): \(message) (errno \(errno): \(String(cString: strerror(errno))))" }
        return "\(code): \(message)"
    }
}
