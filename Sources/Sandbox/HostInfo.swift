#if canImport(Glibc)
import Glibc
#endif

/// Facts about the running host, read once.
public enum HostInfo {
    /// `uname -r`, e.g. `6.18.44-fc-v595`.
    public static let kernelRelease: String = {
        var u = utsname()
        guard uname(&u) == 0 else { return "0.0" }
        return withUnsafeBytes(of: &u.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }()
}
