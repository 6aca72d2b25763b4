#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path facts every loader needs (policy, seccomp profiles, settings): absolute normalised paths,
/// what is at a path, and a bounded read of a small file. Paths are normalised *lexically*
/// (`a/../b` → `b`), so the path that is checked is exactly the path that is stored and opened.
public enum HostPath {
    /// What `stat` (following symlinks) found at a path.
    public enum Kind: Equatable, Sendable {
        case directory
        case regularFile
        case other
        /// Nothing there (`ENOENT`, `ENOTDIR`).
        case missing
        /// `stat` failed otherwise (e.g. `EACCES`): the reason, from `errno`.
        case inaccessible(String)
    }

    /// `path` made absolute against `directory` (when relative) and normalised: no empty, `.` or
    /// `..` components, no trailing `/`. `..` at the root stays at the root, as the kernel does.
    public static func absolute(_ path: String, relativeTo directory: String) -> String {
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
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The process's working directory (`/` if it cannot be read).
    public static var currentDirectory: String {
        guard let cwd = getcwd(nil, 0) else { return "/" }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// What is at `path`, following symlinks.
    public static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? .missing : .inaccessible(String(cString: strerror(code)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }

    /// Why a file could not be read, in words ("cannot be opened: Permission denied").
    public struct ReadFailure: Error, Sendable {
        public let reason: String
    }

    /// The bytes of the small file at `path`: at most `limit` bytes (a configuration file, never
    /// a stream), read to the end.
    public static func contents(of path: String, limit: Int) -> Result<[UInt8], ReadFailure> {
        if kind(of: path) == .directory { return .failure(ReadFailure(reason: "is a directory, not a file")) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadFailure(reason: "cannot be opened: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while contents.count <= limit {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return .success(contents) }
            if n > 0 { contents += buffer[..<n]; continue }
            guard errno == EINTR else {
                return .failure(ReadFailure(reason: "cannot be read: \(String(cString: strerror(errno)))"))
            }
        }
        return .failure(ReadFailure(reason: "is larger than \(limit >> 20) MiB"))
    }
}
