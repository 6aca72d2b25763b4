#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The only I/O of this module: reading the settings file, and asking what is at a path when
/// settings are validated.
enum SettingsFileSystem {
    /// What `stat` (following symlinks) found at a path.
    enum Kind: Equatable {
        case directory
        case regularFile
        case other
        /// Nothing there (`ENOENT`, `ENOTDIR`).
        case missing
        /// `stat` failed otherwise (e.g. `EACCES`), with the reason.
        case inaccessible(String)
    }

    /// The largest settings file accepted (a real one is a few hundred bytes).
    static let maxFileBytes = 1 << 20

    /// `path` made absolute against `directory` (when relative) and normalised lexically: no
    /// empty, `.` or `..` components, no trailing `/`; `..` at the root stays at the root.
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

    static func kind(of path: String) -> Kind {
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

    /// The bytes of the file at `path`, or why they cannot be had.
    static func contents(of path: String) -> Result<[UInt8], ReadProblem> {
        if kind(of: path) == .directory { return .failure(ReadProblem(reason: "is a directory, not a file")) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadProblem(reason: "cannot be opened: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while contents.count <= maxFileBytes {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return .success(contents) }
            if n > 0 { contents += buffer[..<n]; continue }
            guard errno == EINTR else {
                return .failure(ReadProblem(reason: "cannot be read: \(String(cString: strerror(errno)))"))
            }
        }
        return .failure(ReadProblem(reason: "is larger than \(maxFileBytes >> 20) MiB"))
    }

    /// Why a file could not be read.
    struct ReadProblem: Error {
        let reason: String
    }
}
