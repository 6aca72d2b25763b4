#if canImport(Glibc)
import Glibc
#endif

/// User and group lookups (NSS, reentrant, buffers grown on `ERANGE`), shared by everything that
/// turns names into ids: the launcher (jobs' users, peers), `httpexec serve` and the front-end's
/// privilege drop. A numeric string is an id as it is. Call before any seccomp confinement: NSS
/// may load modules and open files.
public enum Accounts {
    /// A passwd entry.
    public struct User: Sendable, Hashable {
        public let uid: UInt32
        public let gid: UInt32
        public let name: String
    }

    /// The passwd entry of a user name or numeric uid; nil when there is none.
    public static func entry(_ nameOrUID: String) -> User? {
        if let uid = UInt32(nameOrUID) { return passwdEntry { getpwuid_r(uid, &$0, $1, $2, &$3) } }
        return passwdEntry { getpwnam_r(nameOrUID, &$0, $1, $2, &$3) }
    }

    /// The uid and primary gid of a user name or numeric uid; nil when no such user exists (a
    /// numeric uid without an account has itself as primary gid).
    public static func user(_ name: String) -> (uid: UInt32, gid: UInt32)? {
        if let found = entry(name) { return (found.uid, found.gid) }
        return UInt32(name).map { ($0, $0) }
    }

    /// The gid of a group name or numeric gid; nil when no such group exists.
    public static func group(_ name: String) -> UInt32? {
        if let gid = UInt32(name) { return gid }
        return withGrowingBuffer { buffer in
            var group = Glibc.group()
            var result: UnsafeMutablePointer<Glibc.group>?
            let rc = getgrnam_r(name, &group, buffer.baseAddress!, buffer.count, &result)
            return (rc, rc == 0 && result != nil ? group.gr_gid : nil)
        }
    }

    /// True when `uid` has a passwd entry.
    public static func exists(uid: UInt32) -> Bool {
        entry(String(uid)) != nil
    }

    private static func passwdEntry(
        _ lookup: (inout passwd, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<passwd>?) -> Int32
    ) -> User? {
        withGrowingBuffer { buffer in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            let rc = lookup(&entry, buffer.baseAddress!, buffer.count, &result)
            // The entry's strings point into the buffer: copy the name while it is in scope.
            guard rc == 0, result != nil else { return (rc, nil) }
            return (rc, User(uid: entry.pw_uid, gid: entry.pw_gid, name: entry.pw_name.map { String(cString: $0) } ?? ""))
        }
    }

    /// Runs `body` with a buffer of 1 KiB, 4 KiB, … up to 1 MiB while it reports `ERANGE`.
    private static func withGrowingBuffer<T>(_ body: (UnsafeMutableBufferPointer<CChar>) -> (Int32, T?)) -> T? {
        var size = 1024
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            let (rc, value) = buffer.withUnsafeMutableBufferPointer { body($0) }
            if rc == ERANGE {
                size *= 4
                continue
            }
            return value
        }
        return nil
    }
}
