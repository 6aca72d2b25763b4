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

/// Reads a whole (small) file.
enum FileBytes {
    static func read(_ path: String, limit: Int = 4 << 20) throws(PolicyError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PolicyError(.unreadable, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw PolicyError(.unreadable, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            out += chunk[0..<n]
            if out.count > limit { throw PolicyError(.unreadable, "\(path) is larger than \(limit) bytes") }
        }
        return out
    }
}

import Policy
