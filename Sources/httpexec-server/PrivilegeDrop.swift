import CSeccomp
import Host

#if canImport(Glibc)
import Glibc
#endif

/// Leaving root for good, after the listener is bound and before ``SelfConfinement``.
///
/// A front-end started as root (to bind a port below 1024) keeps nothing of it: no supplementary
/// groups, real/effective/saved ids all changed, no capabilities. Everything is read back —
/// for every thread, since NIO's threads already exist — because a drop that silently did less
/// than asked would leave a root-owned HTTP parser behind.
enum PrivilegeDrop {
    /// Switches the whole process to `uid`/`gid` with no supplementary groups, when running as
    /// root (effective uid 0); otherwise does nothing.
    ///
    /// Uses glibc's `setresgid`/`setresuid`, which apply the change to every thread; the raw
    /// syscalls would change only the calling thread.
    /// - Throws: ``ConfinementError`` (`privdrop.*`) when a step fails or the result is not
    ///   exactly the one asked for; the caller must exit.
    static func drop(toUID uid: uid_t, gid: gid_t) throws(ConfinementError) {
        guard geteuid() == 0 else { return }
        // uid_t.max is "leave unchanged" to setresuid: asking for it would keep root.
        guard uid != 0, gid != 0, uid != uid_t.max, gid != gid_t.max else {
            throw ConfinementError(.privdropTarget, "refusing to run the front-end as uid \(uid) gid \(gid)")
        }

        // Groups first, while we still have CAP_SETGID; the uid last, as it gives up the rest.
        guard setgroups(0, nil) == 0 else {
            throw ConfinementError(.privdropSetgroups, "setgroups([]) failed", errno: errno)
        }
        guard hx_fe_setresgid(gid, gid, gid) == 0 else {
            throw ConfinementError(.privdropSetresgid, "setresgid(\(gid)) failed", errno: errno)
        }
        guard hx_fe_setresuid(uid, uid, uid) == 0 else {
            throw ConfinementError(.privdropSetresuid, "setresuid(\(uid)) failed", errno: errno)
        }

        try verifyCallingThread(uid: uid, gid: gid)
        // Before the regain test: glibc aborts a set*id call whose result differs between threads.
        try verifyEveryThread(uid: uid, gid: gid)
        // The decisive test: root must be out of reach (a saved uid 0 would let it back).
        for (name, attempt) in [("setuid(0)", { setuid(0) }), ("setgid(0)", { setgid(0) })] {
            let rc = attempt()
            let error = errno
            guard rc == -1, error == EPERM else {
                throw ConfinementError(.privdropRegain, "\(name) did not fail with EPERM after the drop", errno: rc == 0 ? nil : error)
            }
        }
    }

    private static func verifyCallingThread(uid: uid_t, gid: gid_t) throws(ConfinementError) {
        var ruid: uid_t = 0, euid: uid_t = 0, suid: uid_t = 0
        var rgid: gid_t = 0, egid: gid_t = 0, sgid: gid_t = 0
        guard hx_fe_getresuid(&ruid, &euid, &suid) == 0, hx_fe_getresgid(&rgid, &egid, &sgid) == 0 else {
            throw ConfinementError(.privdropVerify, "getresuid/getresgid failed", errno: errno)
        }
        guard [ruid, euid, suid].allSatisfy({ $0 == uid }), [rgid, egid, sgid].allSatisfy({ $0 == gid }) else {
            throw ConfinementError(
                .privdropVerify, "ids after the drop are uid \(ruid)/\(euid)/\(suid) gid \(rgid)/\(egid)/\(sgid)")
        }
        let groups = getgroups(0, nil)
        guard groups == 0 else {
            throw ConfinementError(.privdropVerify, "\(groups) supplementary groups remain after setgroups([])", errno: errno)
        }
    }

    /// Every thread, read from /proc: real, effective, saved and filesystem ids, no groups, and
    /// no capabilities — root→non-root clears them unless SECBIT_KEEP_CAPS or
    /// SECBIT_NO_SETUID_FIXUP is set, which we never do but a container runtime might.
    private static func verifyEveryThread(uid: uid_t, gid: gid_t) throws(ConfinementError) {
        let threads = ProcessStatus.threads()
        guard !threads.isEmpty else {
            throw ConfinementError(.privdropVerify, "cannot list /proc/self/task", errno: errno)
        }
        let wantUID = Array(repeating: String(uid), count: 4)
        let wantGID = Array(repeating: String(gid), count: 4)
        for tid in threads {
            guard let status = ProcessStatus.fields(thread: tid) else { continue } // exited meanwhile
            let uids = status["Uid"]?.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            let gids = status["Gid"]?.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            guard uids == wantUID, gids == wantGID, status["Groups"]?.isEmpty == true else {
                throw ConfinementError(
                    .privdropVerify,
                    "thread \(tid) has Uid \(status["Uid"] ?? "?"), Gid \(status["Gid"] ?? "?"), Groups \(status["Groups"] ?? "?")")
            }
            for field in ["CapEff", "CapPrm", "CapAmb"] {
                guard let caps = ProcessStatus.capabilities(field, in: status) else {
                    throw ConfinementError(.privdropCapabilities, "thread \(tid): no readable \(field) line")
                }
                guard caps == 0 else {
                    throw ConfinementError(
                        .privdropCapabilities, "thread \(tid) still has \(field) \(String(caps, radix: 16)) after the drop")
                }
            }
        }
    }

    /// The uid, primary gid and name for a user name or numeric uid, from the passwd database.
    ///
    /// A numeric uid without an entry has itself as gid and no name; a name that does not
    /// resolve gives `fallbackUID` with gid == uid and no name (a nil name tells the caller the
    /// fallback was used, so it can say so in the log). Call before confinement.
    static func resolveUser(_ nameOrUID: String, fallbackUID: uid_t) -> (uid: uid_t, gid: gid_t, name: String?) {
        if let found = Accounts.entry(nameOrUID) { return (found.uid, found.gid, found.name) }
        if let uid = uid_t(nameOrUID) { return (uid, uid, nil) }
        return (fallbackUID, fallbackUID, nil)
    }
}
