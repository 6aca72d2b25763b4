#if canImport(Glibc)
import Glibc
#endif

/// User and group lookups (NSS, reentrant), shared by everything that turns names into ids.
/// A numeric string is an id as it is.
public enum Accounts {
    /// The uid and primary gid of a user name or numeric uid; nil when no such user exists (a
    /// numeric uid without an account has itself as primary gid).
    public static func user(_ name: String) -> (uid: UInt32, gid: UInt32)? {
        var pw = passwd(), result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 4096)
        if let uid = UInt32(name) {
            getpwuid_r(uid, &pw, &buf, buf.count, &result)
            return (uid, result != nil ? pw.pw_gid : uid)
        }
        guard getpwnam_r(name, &pw, &buf, buf.count, &result) == 0, result != nil else { return nil }
        return (pw.pw_uid, pw.pw_gid)
    }

    /// The gid of a group name or numeric gid; nil when no such group exists.
    public static func group(_ name: String) -> UInt32? {
        if let gid = UInt32(name) { return gid }
        var gr = Glibc.group(), result: UnsafeMutablePointer<Glibc.group>?
        var buf = [CChar](repeating: 0, count: 4096)
        guard getgrnam_r(name, &gr, &buf, buf.count, &result) == 0, result != nil else { return nil }
        return gr.gr_gid
    }

    /// True when `uid` has a passwd entry.
    public static func exists(uid: UInt32) -> Bool {
        var pw = passwd(), result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 4096)
        return getpwuid_r(uid, &pw, &buf, buf.count, &result) == 0 && result != nil
    }
}
