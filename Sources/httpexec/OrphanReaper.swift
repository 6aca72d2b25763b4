import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// `serve` is a child subreaper: when the launcher dies abruptly (SIGKILL, a crash), the
/// processes its jobs left behind — a job's own children outlive it, as PR_SET_PDEATHSIG reaches
/// only the job's main process — are reparented to `serve` instead of init, and `serve` kills and
/// reaps them before it exits. Under systemd the unit's cgroup does the same
/// (`KillMode=control-group`).
enum OrphanReaper {
    /// Makes this process the subreaper of its descendants. Returns false (with errno) on failure.
    static func adopt() -> Bool { hx_set_child_subreaper() == 0 }

    /// Kills (SIGKILL) and reaps every child of this process except `keep`, over and over as
    /// their own children are reparented here, until none is left or `deadline` passes.
    /// Returns how many processes were killed.
    @discardableResult
    static func killOrphans(except keep: Set<Int32>, deadline: Duration = .seconds(5)) -> Int {
        let end = ContinuousClock.now + deadline
        var killed = 0
        while ContinuousClock.now < end {
            let orphans = children(of: getpid()).filter { !keep.contains($0) }
            if orphans.isEmpty { break }
            for pid in orphans {
                if kill(pid, SIGKILL) == 0 { killed += 1 }
            }
            for pid in orphans {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
        }
        return killed
    }

    /// Pids whose parent is `parent`, from /proc/<pid>/stat.
    static func children(of parent: Int32) -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let ppid = parentPID(of: pid), ppid == parent else { continue }
            found.append(pid)
        }
        return found
    }

    /// The fourth field of /proc/<pid>/stat, read after the command name's closing parenthesis
    /// (a name may contain spaces and parentheses itself).
    private static func parentPID(of pid: Int32) -> Int32? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = buffer[(close + 1)..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return nil }
        return Int32(String(decoding: fields[1], as: UTF8.self))
    }
}
