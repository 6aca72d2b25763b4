import CSpawn
import Policy

#if canImport(Glibc)
import Glibc
#endif

/// The directory of runnable programs, held open by fd. Commands are resolved *by the launcher*,
/// beneath this fd (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`): `..`, absolute paths
/// and symlinks can never lead out of it, except — in follow-links mode — a symlink that is itself
/// the final component inside the root (the "directory of links to allowed commands" pattern).
public final class ExecRoot: Sendable {
    /// Why a command cannot be run. Messages never contain host paths.
    public struct ResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            /// The path is not an acceptable command path (syntax).
            case invalidPath = "invalid_path"
            /// Nothing runnable by that name beneath the root.
            case notFound = "not_found"
            /// It exists but is not a regular file the run-as identity may execute.
            case notExecutable = "not_executable"
        }
        public let kind: Kind
        public let message: String
        public var description: String { "\(kind.rawValue): \(message)" }
    }

    /// The root's path as configured (for logs only).
    public let path: String
    /// See the type's documentation.
    public let followLinks: Bool
    private let fd: Int32

    /// Opens the root directory.
    /// - Throws: `SandboxError.invalidJob` when it cannot be opened as a directory.
    public init(path: String, followLinks: Bool) throws(SandboxError) {
        let fd = hx_open_path(path, 1)
        guard fd >= 0 else { throw SandboxError(.invalidJob, errno: errno, "the exec root cannot be opened") }
        self.path = path
        self.followLinks = followLinks
        self.fd = fd
    }

    deinit { close(fd) }

    /// Checks the syntax of a command path as received: relative, non-empty components, no `.` or
    /// `..`, no NUL, at most 4096 bytes.
    public static func validate(_ command: String) throws(ResolutionError) {
        guard command.utf8.count <= 4096 else { throw ResolutionError(kind: .invalidPath, message: "the command path is too long") }
        if PolicyNameRules.commandPathProblem(command) != nil {
            // The rule's own text may quote the path; the client gets a fixed message instead.
            throw ResolutionError(kind: .invalidPath, message: "the command path must be relative to the exec root, without empty, '.' or '..' components or NUL bytes")
        }
    }

    /// Resolves and opens `command` for `identity` (uid/gid that will exec it).
    /// - Throws: `ResolutionError` (invalid path, not found, not executable).
    public func open(_ command: String, runAs identity: (uid: UInt32, gid: UInt32)) throws(ResolutionError) -> ExecutableFile {
        try Self.validate(command)
        let notFound = ResolutionError(kind: .notFound, message: "no such command")
        // Final component not followed: intermediate symlinks resolve beneath the root only.
        // O_PATH first: nothing is opened for real (no FIFO blocking, no device driver open)
        // until fstat has shown a regular file.
        let (file, st) = try resolve(command, notFound: notFound)
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(file)
            throw (st.st_mode & S_IFMT) == S_IFDIR ? notFound : ResolutionError(kind: .notExecutable, message: "the command is not a regular file")
        }
        guard Self.permits(st, identity, execute: true) else {
            close(file)
            throw ResolutionError(kind: .notExecutable, message: "the command is not executable by the job's user")
        }
        // Now that it is a regular file, reopen the same inode for reading (to see `#!`); an
        // execute-only file stays an O_PATH fd, which execveat accepts.
        let readable = Self.reopenForReading(file)
        let executable: ExecutableFile
        do {
            if readable >= 0 {
                close(file)
                executable = try ExecutableFile(adopting: readable, path: command, readable: true, status: st)
            } else {
                executable = try ExecutableFile(adopting: file, path: command, readable: false, status: st)
            }
        } catch { throw notFound }
        if executable.isScript && !Self.permits(st, identity, execute: false) {
            // The interpreter, running as the job's user, reads the script through /dev/fd/N.
            throw ResolutionError(kind: .notExecutable, message: "the script is not readable by the job's user")
        }
        return executable
    }

    /// The O_PATH fd `command` resolves to under this root's rules, with its status.
    private func resolve(_ command: String, notFound: ResolutionError) throws(ResolutionError) -> (Int32, stat) {
        var file = hx_open_beneath(fd, command, Int32(HX_O_PATH) | O_NOFOLLOW, 0)
        guard file >= 0 else {
            throw errno == EACCES ? ResolutionError(kind: .notExecutable, message: "the command is not accessible") : notFound
        }
        var st = stat()
        guard fstat(file, &st) == 0 else { close(file); throw notFound }
        if (st.st_mode & S_IFMT) == S_IFLNK {
            // O_PATH|O_NOFOLLOW opened the final symlink itself.
            close(file)
            file = try openFinalSymlink(command, notFound: notFound)
            guard file >= 0 else {
                throw errno == EACCES ? ResolutionError(kind: .notExecutable, message: "the command is not accessible") : notFound
            }
            guard fstat(file, &st) == 0 else { close(file); throw notFound }
        }
        return (file, st)
    }

    /// The file (device, inode) `command` resolves to, or nil. Lets per-command settings follow
    /// the file rather than its spelling: a link or a second path to the same program must not
    /// dodge the program's stricter settings.
    public func fileIdentity(of command: String) -> FileIdentity? {
        guard (try? Self.validate(command)) != nil,
              let (file, st) = try? resolve(command, notFound: ResolutionError(kind: .notFound, message: "")) else { return nil }
        close(file)
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// Opens the inode behind an O_PATH fd for reading, through its /proc/self/fd link.
    private static func reopenForReading(_ pathFd: Int32) -> Int32 {
        Glibc.open("/proc/self/fd/\(pathFd)", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
    }

    private func openFinalSymlink(_ command: String, notFound: ResolutionError) throws(ResolutionError) -> Int32 {
        guard followLinks else {
            // Without follow-links a final symlink is fine only while it stays beneath the root.
            let f = hx_open_beneath(fd, command, Int32(HX_O_PATH), 0)
            if f < 0 && errno == EXDEV { throw notFound }
            return f
        }
        var parent = fd
        var name = Substring(command)
        if let slash = command.lastIndex(of: "/") {
            parent = hx_open_beneath(fd, String(command[..<slash]), Int32(HX_O_PATH) | O_DIRECTORY, 0)
            guard parent >= 0 else { throw notFound }
            name = command[command.index(after: slash)...]
        }
        defer { if parent != fd { close(parent) } }
        var buffer = [CChar](repeating: 0, count: 4097)
        guard hx_readlinkat(parent, String(name), &buffer, Int32(buffer.count)) > 0 else { throw notFound }
        // The link itself is inside the root; its target may be anywhere (ordinary resolution,
        // relative targets from the link's directory).
        return openat(parent, buffer, Int32(HX_O_PATH) | O_CLOEXEC)
    }

    /// Classic owner/group/other permission check for `identity` (root: any execute bit).
    static func permits(_ st: stat, _ identity: (uid: UInt32, gid: UInt32), execute: Bool) -> Bool {
        let (u, g, o): (mode_t, mode_t, mode_t) = execute ? (S_IXUSR, S_IXGRP, S_IXOTH) : (S_IRUSR, S_IRGRP, S_IROTH)
        if identity.uid == 0 { return execute ? st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH) != 0 : true }
        if identity.uid == st.st_uid { return st.st_mode & u != 0 }
        if identity.gid == st.st_gid { return st.st_mode & g != 0 }
        return st.st_mode & o != 0
    }
}

/// A file's identity on this host.
public struct FileIdentity: Sendable, Hashable {
    public let device: UInt64
    public let inode: UInt64
}

extension JobIdentity {
    /// The uid/gid that will exec the program under this identity.
    public var effectiveIDs: (uid: UInt32, gid: UInt32) {
        switch self {
        case .launcher: (geteuid(), getegid())
        case .user(let uid, let gid, _): (uid, gid)
        }
    }
}
