import Host
import CSpawn
import LauncherProtocol
import Policy
import Sandbox

#if canImport(Glibc)
import Glibc
#endif

/// Who may talk to the launcher: root and the configured users/groups, checked with SO_PEERCRED on
/// every accepted connection.
///
/// Invariant (checked at start): a job never runs under a uid or gid that may talk to the launcher
/// — otherwise a command could connect back and start jobs outside its own limits and audit trail.
public struct PeerPolicy: Sendable, Hashable {
    public let uids: Set<UInt32>
    public let gids: Set<UInt32>

    /// Resolves the policy's names.
    /// - Throws: `Rejection` with code `policy` for unknown names.
    public init(_ peers: LauncherPolicy.Peers) throws(Rejection) {
        var uids: Set<UInt32> = [0]
        var gids: Set<UInt32> = []
        for user in peers.users {
            guard let uid = Accounts.user(user)?.uid else { throw Rejection(RejectCode.policy, "peers.users: unknown user \"\(user)\"") }
            uids.insert(uid)
        }
        for group in peers.groups {
            guard let gid = Accounts.group(group) else { throw Rejection(RejectCode.policy, "peers.groups: unknown group \"\(group)\"") }
            gids.insert(gid)
        }
        self.uids = uids
        self.gids = gids
    }

    /// Creates a policy from ids (tests).
    public init(uids: Set<UInt32>, gids: Set<UInt32>) {
        self.uids = uids.union([0])
        self.gids = gids
    }

    public func allows(uid: UInt32, gid: UInt32) -> Bool { uids.contains(uid) || gids.contains(gid) }

    /// Refuses a job identity that could talk to the launcher.
    public func checkJobIdentity(_ identity: JobIdentity) throws(Rejection) {
        let ids = identity.effectiveIDs
        if uids.contains(ids.uid) || gids.contains(ids.gid) {
            throw Rejection(RejectCode.policy, "jobs would run as uid \(ids.uid) gid \(ids.gid), which may talk to the launcher socket; a job could then start jobs outside its own limits. Use a run_as identity that is not among the allowed peers (root and [peers])")
        }
    }

    /// The first uid in `range` that has a passwd entry (only ranges up to 65,536 ids are looked at).
    static func firstAccount(in range: ClosedRange<UInt32>) -> UInt32? {
        guard range.count <= 65_536 else { return nil }
        return range.first { Accounts.exists(uid: $0) }
    }
}
