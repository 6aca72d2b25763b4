import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// A program opened by the launcher. The child execs this fd (`execveat(fd, "", AT_EMPTY_PATH)`),
/// so a path swapped after the check cannot change what runs.
public final class ExecutableFile: Sendable {
    /// The path it was opened from (for argv[0] defaults and logs).
    public let path: String
    /// The open fd (O_CLOEXEC, >= 3).
    public let fd: Int32
    /// The file starts with `#!`: the kernel hands `/dev/fd/N` to the interpreter, so the child
    /// keeps this fd open across exec (the script sees it; everything else is still closed).
    public let isScript: Bool
    /// Device and inode of the opened file.
    public let identity: FileIdentity

    /// Opens `path` (following symlinks; root-confined resolution is the launcher's job) and
    /// checks that it is a regular file.
    /// - Throws: `SandboxError.invalidJob` when it cannot be opened or is not a regular file.
    public convenience init(path: String) throws(SandboxError) {
        var fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        var readable = true
        if fd < 0 && errno == EACCES {
            // Execute-only file (possible when the launcher is not root): exec needs no read
            // permission, and a script without it could not run anyway.
            fd = hx_open_path(path, 0)
            readable = false
        }
        guard fd >= 0 else {
            throw SandboxError(.invalidJob, errno: errno, "cannot open the program")
        }
        try self.init(adopting: fd, path: path, readable: readable)
    }

    /// Adopts an fd the caller opened (e.g. with openat2 beneath an exec root); takes ownership.
    /// `status` is the caller's fstat of that file, when it has one (saves a syscall per job).
    /// - Throws: `SandboxError.invalidJob` when it is not a regular file.
    public init(adopting fd: Int32, path: String, readable: Bool = true, status: stat? = nil) throws(SandboxError) {
        var st = status ?? stat()
        guard status != nil || fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw SandboxError(.invalidJob, errno: EACCES, "the program is not a regular file")
        }
        var owned = fd
        if owned < 3 {
            // The child dup3s stdio onto 0..2; a source there would be clobbered.
            owned = hx_dup_above(fd, 3)
            close(fd)
            guard owned >= 0 else { throw SandboxError(.resources, errno: errno, "cannot move the program fd") }
        }
        var magic: (UInt8, UInt8) = (0, 0)
        let n = readable ? withUnsafeMutableBytes(of: &magic) { pread(owned, $0.baseAddress, 2, 0) } : 0
        self.path = path
        self.identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        self.fd = owned
        self.isScript = n == 2 && magic.0 == UInt8(ascii: "#") && magic.1 == UInt8(ascii: "!")
    }

    deinit { close(fd) }
}
