import CSpawn
import Policy

#if canImport(Glibc)
import Glibc
#endif

/// What this launcher process can enforce, probed once at start-up and reported per layer.
public struct SandboxCapabilities: Sendable, Hashable {
    /// Effective uid and gid of the launcher.
    public var uid: UInt32
    public var gid: UInt32
    /// The launcher may switch jobs to other users (root, or CAP_SETUID + CAP_SETGID).
    public var canSwitchIdentity: Bool
    /// The kernel supports seccomp filters.
    public var seccomp: Bool
    /// pidfd_open works (CLONE_PIDFD needs the same kernel support).
    public var pidfd: Bool
    /// Kernel release.
    public var kernel: String
    /// Landlock ABI version offered by the kernel (nil: none). Probed for the report; not applied.
    public var landlockABI: Int?
    /// cgroup v2 is mounted at /sys/fs/cgroup. Probed for the report; not used.
    public var cgroup2: Bool

    /// Creates a capability set (tests; production code calls ``probe()``).
    public init(uid: UInt32, gid: UInt32, canSwitchIdentity: Bool, seccomp: Bool, pidfd: Bool, kernel: String) {
        self.uid = uid
        self.gid = gid
        self.canSwitchIdentity = canSwitchIdentity
        self.seccomp = seccomp
        self.pidfd = pidfd
        self.kernel = kernel
        self.landlockABI = nil
        self.cgroup2 = false
    }

    /// Reads the facts from the running process and kernel.
    public static func probe() -> SandboxCapabilities {
        let status = (try? PolicyFileSystem.contents(of: "/proc/self/status")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        var capEff: UInt64 = 0
        var seccompField = false
        for line in status.split(separator: "\n") {
            if line.hasPrefix("CapEff:") {
                capEff = UInt64(line.dropFirst(7).filter { !$0.isWhitespace }, radix: 16) ?? 0
            }
            if line.hasPrefix("Seccomp:") { seccompField = true }
        }
        let setgid: UInt64 = 1 << 6, setuid: UInt64 = 1 << 7
        let pidfd = hx_pidfd_open(getpid())
        if pidfd >= 0 { close(pidfd) }
        var caps = SandboxCapabilities(
            uid: geteuid(), gid: getegid(),
            // Capabilities, not the uid, decide: a uid-0 launcher in a container without
            // CAP_SETUID cannot switch, and must say so rather than fail every job.
            canSwitchIdentity: capEff & setuid != 0 && capEff & setgid != 0,
            seccomp: seccompField, pidfd: pidfd >= 0, kernel: HostInfo.kernelRelease)
        let abi = hx_landlock_abi()
        caps.landlockABI = abi > 0 ? Int(abi) : nil
        caps.cgroup2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0
        return caps
    }

    /// One line per layer, for the start-up log: `layer: enforced | unavailable (why)`.
    public var layerReport: [String] {
        [
            "seccomp: " + (seccomp ? "enforced (filter installed last, before exec)" : "unavailable (kernel without seccomp filters)"),
            "no_new_privs: enforced",
            "uid switching: " + (canSwitchIdentity ? "enforced (jobs run as the policy's user)" : "unavailable (single-uid mode: jobs run as uid \(uid))"),
            "pidfd: " + (pidfd ? "enforced (supervision without pid reuse races)" : "unavailable (kernel < 5.3)"),
            "rlimits: enforced",
            "landlock: " + (landlockABI.map { "unavailable (kernel offers ABI \($0); httpexec does not apply Landlock yet)" } ?? "unavailable (kernel without Landlock)"),
            "cgroups: " + (cgroup2 ? "unavailable (cgroup v2 mounted; per-job cgroups are not implemented yet)" : "unavailable (no cgroup v2 hierarchy; per-job cgroups are not implemented)"),
        ]
    }
}

