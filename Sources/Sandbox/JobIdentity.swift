import Host
import Policy

#if canImport(Glibc)
import Glibc
#endif

/// Who a job runs as.
public enum JobIdentity: Sendable, Hashable {
    /// The launcher's own uid/gid ("single-uid mode": a launcher that cannot switch users).
    case launcher
    /// Switch to these ids (supplementary groups replaced by `groups`, usually empty).
    case user(uid: UInt32, gid: UInt32, groups: [UInt32])
}

/// The policy's run-as setting (one type for the policy file and the engine).
public typealias RunAsPolicy = LauncherPolicy.RunAs

extension JobIdentity {
    /// Decides the identity for jobs under `policy` on a launcher with `capabilities`.
    ///
    /// - A launcher that can switch users runs jobs as the policy's user (default
    ///   `nobody`/`nogroup`), with no supplementary groups; uid or gid 0 needs `allowRoot`.
    /// - A launcher that cannot switch runs jobs as itself, but only if the policy did not name a
    ///   different user: we refuse rather than silently run with fewer layers than asked for.
    /// - Throws: `SandboxError.identity` (unknown user/group, root without `allowRoot`) or
    ///   `.layerUnavailable` (a named user on a launcher that cannot switch).
    public static func resolve(_ policy: RunAsPolicy, capabilities: SandboxCapabilities) throws(SandboxError) -> JobIdentity {
        guard capabilities.canSwitchIdentity else {
            if let user = policy.user, try lookupUser(user).uid != capabilities.uid {
                throw SandboxError(.layerUnavailable, "run-as user \"\(user)\" is configured, but this launcher (uid \(capabilities.uid)) cannot switch users; run it as root or with CAP_SETUID and CAP_SETGID, or remove run_as to use single-uid mode")
            }
            if let group = policy.group, try lookupGroup(group) != capabilities.gid {
                throw SandboxError(.layerUnavailable, "run-as group \"\(group)\" is configured, but this launcher cannot switch groups")
            }
            if capabilities.uid == 0 && !policy.allowRoot {
                throw SandboxError(.identity, "jobs would run as root; set allow_root to permit it")
            }
            return .launcher
        }
        let user = try lookupUser(policy.user ?? "nobody")
        let gid: UInt32
        if let group = policy.group {
            gid = try lookupGroup(group)
        } else if policy.user != nil {
            gid = user.gid
        } else {
            gid = try lookupGroup("nogroup")
        }
        if (user.uid == 0 || gid == 0) && !policy.allowRoot {
            throw SandboxError(.identity, "jobs would run as uid \(user.uid) gid \(gid); running jobs as root needs allow_root = true")
        }
        return .user(uid: user.uid, gid: gid, groups: [])
    }

    private static func lookupUser(_ name: String) throws(SandboxError) -> (uid: UInt32, gid: UInt32) {
        guard let user = Accounts.user(name) else { throw SandboxError(.identity, "unknown run-as user \"\(name)\"") }
        return user
    }

    private static func lookupGroup(_ name: String) throws(SandboxError) -> UInt32 {
        guard let gid = Accounts.group(name) else { throw SandboxError(.identity, "unknown run-as group \"\(name)\"") }
        return gid
    }
}
