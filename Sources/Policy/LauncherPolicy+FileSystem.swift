#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system facts the loader needs: absolute, normalised paths and what (if anything)
/// is at a path. Paths are normalised *lexically* (`a/../b` → `b`), so the path that is checked is
/// exactly the path that is stored and later opened.
/// File-system helpers shared by the policy and seccomp-profile loaders.
public enum PolicyFileSystem {
    /// What `stat` (following symlinks) found at a path.
    enum Kind: Equatable {
        case directory
        case regularFile
        case other
        /// Nothing there (`ENOENT`, `ENOTDIR`).
        case missing
        /// `stat` failed otherwise (e.g. `EACCES`): the reason, from `errno`.
        case inaccessible(String)
    }

    /// The largest policy file accepted (a real one is a few KiB).
    static let maxPolicyBytes = 1 << 20

    /// `path` made absolute against `directory` (when relative) and normalised: no empty, `.` or
    /// `..` components, no trailing `/`. `..` at the root stays at the root, as the kernel does.
    static func absolute(_ path: String, relativeTo directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        var parts: [Substring] = []
        for component in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory part of an absolute, normalised path (`/a/b` → `/a`, `/a` → `/`).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The process's working directory, for a relative policy path.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? .missing : .inaccessible(String(cString: strerror(errno)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }

    /// The bytes of a policy file.
    /// - Throws: `PolicyError.unreadable` (located at the path) when it cannot be opened or read,
    ///   or is larger than ``maxPolicyBytes``.
    public static func contents(of path: String) throws(PolicyError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PolicyError(.unreadable, at: path, "cannot open the policy file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while contents.count <= maxPolicyBytes {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return contents }
            if n > 0 { contents += buffer[..<n]; continue }
            guard errno == EINTR else {
                throw PolicyError(.unreadable, at: path, "cannot read the policy file: \(String(cString: strerror(errno)))")
            }
        }
        throw PolicyError(.unreadable, at: path, "the policy file is larger than \(maxPolicyBytes >> 20) MiB")
    }
}
