import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// A spawned job's mutable state; owned by the engine thread.
final class RunningJob {
    let id: UInt64
    let job: PreparedJob
    let observer: any JobObserver
    let pid: Int32
    let pidfd: Int32
    let startedAt: ContinuousClock.Instant
    var stdoutFd: Int32
    var stderrFd: Int32
    var stdinFd: Int32
    var supervision: JobSupervision
    var stdoutStats = StreamStats()
    var stderrStats = StreamStats()
    private var stdinPending: [UInt8] = []
    private var stdinOffset = 0
    private var stdinCloseRequested: Bool
    private(set) var stdinWritten = 0

    init(id: UInt64, job: PreparedJob, observer: any JobObserver, pid: Int32, pidfd: Int32,
         stdio: (stdin: Int32, stdout: Int32, stderr: Int32), startedAt: ContinuousClock.Instant,
         forceFinishAfter: Duration) {
        self.id = id
        self.job = job
        self.observer = observer
        self.pid = pid
        self.pidfd = pidfd
        self.startedAt = startedAt
        stdinFd = stdio.stdin
        stdoutFd = stdio.stdout
        stderrFd = stdio.stderr
        let spec = job.spec
        supervision = JobSupervision(
            openStreams: (stdio.stdout >= 0 ? 1 : 0) + (stdio.stderr >= 0 ? 1 : 0),
            deadline: spec.timeout.map { startedAt + $0 }, grace: spec.killGrace, linger: spec.lingerAfterExit,
            forceAfter: forceFinishAfter)
        if case .bytes(let data) = spec.stdin {
            stdinPending = data
            stdinCloseRequested = true
        } else {
            stdinCloseRequested = false
        }
    }

    /// Counts and (within the cap) delivers output. Returns true when the stream has just gone
    /// over a cap whose policy is `kill`.
    func accept(_ kind: OutputStreamKind, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard case .capture(let cap) = (kind == .stdout ? job.spec.stdout : job.spec.stderr) else { return false }
        var stats = kind == .stdout ? stdoutStats : stderrStats
        stats.bytesSeen += bytes.count
        let keep = min(bytes.count, max(0, cap.limit - stats.bytesKept))
        if keep > 0 {
            observer.jobOutput(kind, UnsafeRawBufferPointer(rebasing: bytes[0..<keep]))
            stats.bytesKept += keep
        }
        if kind == .stdout { stdoutStats = stats } else { stderrStats = stats }
        return stats.bytesSeen > cap.limit && cap.overflow == .kill
    }

    // MARK: stdin

    func queueStdin(_ bytes: [UInt8], loop: EngineLoop) {
        guard stdinFd >= 0, !stdinCloseRequested, !bytes.isEmpty else { return }
        if stdinOffset == stdinPending.count {
            stdinPending = bytes
            stdinOffset = 0
        } else {
            stdinPending.append(contentsOf: bytes)
        }
        flushStdin(loop: loop)
    }

    func requestStdinClose(loop: EngineLoop) {
        stdinCloseRequested = true
        flushStdin(loop: loop)
    }

    /// Writes what the pipe takes; closes when everything is delivered and close was requested;
    /// watches for writability only while something is pending.
    func flushStdin(loop: EngineLoop) {
        guard stdinFd >= 0 else { return }
        while stdinOffset < stdinPending.count {
            let n = stdinPending.withUnsafeBytes { raw in
                write(stdinFd, raw.baseAddress! + stdinOffset, raw.count - stdinOffset)
            }
            if n > 0 {
                stdinOffset += n
                stdinWritten += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN {
                loop.watch(stdinFd, slot: .stdin, of: self, events: UInt32(HX_EPOLLOUT))
                return
            }
            // EPIPE: the child closed its stdin; what it did not read is dropped.
            closeStdin(loop: loop)
            return
        }
        if stdinCloseRequested { closeStdin(loop: loop) } else {
            // Nothing pending: stop watching. Registered with no events it would still report
            // EPOLLERR once the child closes its end — level-triggered, so the loop would spin.
            loop.watch(stdinFd, slot: .stdin, of: self, events: nil)
        }
    }

    func closeStdin(loop: EngineLoop) {
        guard stdinFd >= 0 else { return }
        loop.watch(stdinFd, slot: .stdin, of: self, events: nil)
        close(stdinFd)
        stdinFd = -1
        stdinPending = []
        stdinOffset = 0
    }
}
