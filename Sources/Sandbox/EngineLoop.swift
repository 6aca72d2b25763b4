import CSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The engine thread: spawns jobs and supervises them with one epoll loop. Everything except
/// `submit` and `activeCount` is confined to that thread.
final class EngineLoop: @unchecked Sendable {
    enum Command {
        case start(UInt64, PreparedJob, any JobObserver)
        case stdin(UInt64, [UInt8])
        case closeStdin(UInt64)
        case cancel(UInt64)
        case shutdown
    }

    /// epoll token layout: job id << 2 | fd kind.
    enum Slot: UInt64 {
        case pidfd = 0, stdout = 1, stderr = 2, stdin = 3
    }
    static let wakeToken = UInt64.max

    let options: SpawnEngine.Options
    let activeCount = Atomic<Int>(0)
    private let inbox = Mutex<(commands: [Command], stopped: Bool)>(([], false))
    private let epfd: Int32
    private let wakeFd: Int32
    let devNullRead: Int32
    let devNullWrite: Int32
    let stack: UnsafeMutableRawPointer
    let readBuffer: UnsafeMutableRawBufferPointer
    var jobs: [UInt64: RunningJob] = [:]
    private var stopping = false
    private var finishedSinceSweep = false
    let launcherPid = getpid()

    init(options: SpawnEngine.Options) throws(SandboxError) {
        self.options = options
        epfd = hx_epoll_create()
        wakeFd = hx_eventfd()
        // One /dev/null for every job: stdin when there is none, stdout/stderr when discarded.
        devNullRead = Self.openAbove2("/dev/null", O_RDONLY)
        devNullWrite = Self.openAbove2("/dev/null", O_WRONLY)
        guard epfd >= 0, wakeFd >= 0, devNullRead >= 0, devNullWrite >= 0 else {
            throw SandboxError(.resources, errno: errno, "cannot create the engine's epoll/eventfd//dev/null")
        }
        _ = hx_epoll_ctl(epfd, Int32(HX_EPOLL_ADD), wakeFd, UInt32(HX_EPOLLIN), Self.wakeToken)
        stack = .allocate(byteCount: Int(HX_SPAWN_STACK_SIZE), alignment: 64)
        readBuffer = .allocate(byteCount: 64 * 1024, alignment: 64)
    }

    /// Opens `path` close-on-exec at an fd >= 3 (the child dup3s stdio onto 0..2).
    private static func openAbove2(_ path: String, _ flags: Int32) -> Int32 {
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0, fd < 3 else { return fd }
        let moved = hx_dup_above(fd, 3)
        close(fd)
        return moved
    }

    func startThread() throws(SandboxError) {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let loop = Unmanaged<EngineLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<EngineLoop>.fromOpaque(context).release()
            throw SandboxError(.resources, errno: rc, "cannot start the engine thread")
        }
        pthread_detach(thread)
    }

    /// Thread-safe: queue a command and wake the loop. After the loop has stopped, a start is
    /// answered at once with `engine.stopped` (it would otherwise never be answered).
    func submit(_ command: Command) {
        let accepted = inbox.withLock { box -> Bool in
            guard !box.stopped else { return false }
            box.commands.append(command)
            return true
        }
        guard accepted else {
            if case .start(_, _, let observer) = command {
                observer.jobFinished(.failure(SandboxError(.engineStopped, "the launcher is shutting down")))
            }
            return
        }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeFd, $0.baseAddress, 8) }
    }

    // MARK: - The loop

    private func run() {
        _ = hx_set_thread_name("httpexec-engine") // visible in ps, perf and gdb
        var tokens = [UInt64](repeating: 0, count: 64)
        var events = [UInt32](repeating: 0, count: 64)
        while true {
            let n = tokens.withUnsafeMutableBufferPointer { t in
                events.withUnsafeMutableBufferPointer { e in
                    hx_epoll_wait(epfd, t.baseAddress, e.baseAddress, 64, timeoutMilliseconds())
                }
            }
            for i in 0..<max(0, Int(n)) {
                if tokens[i] == Self.wakeToken {
                    var counter: UInt64 = 0
                    _ = withUnsafeMutableBytes(of: &counter) { read(wakeFd, $0.baseAddress, 8) }
                    continue
                }
                handleReady(token: tokens[i], events: events[i])
            }
            for command in inbox.withLock({ box -> [Command] in
                defer { box.commands.removeAll(keepingCapacity: true) }
                return box.commands
            }) {
                handle(command)
            }
            tickDue()
            if options.becomeSubreaper && (n == 0 || finishedSinceSweep) { reapOrphans() }
            if stopping && jobs.isEmpty {
                let late = inbox.withLock { box -> [Command] in
                    box.stopped = true
                    defer { box.commands = [] }
                    return box.commands
                }
                for case .start(_, _, let observer) in late {
                    observer.jobFinished(.failure(SandboxError(.engineStopped, "the launcher is shutting down")))
                }
                break
            }
        }
    }

    private func timeoutMilliseconds() -> Int32 {
        var earliest: ContinuousClock.Instant?
        for job in jobs.values {
            if let d = job.supervision.nextDeadline, earliest.map({ d < $0 }) ?? true { earliest = d }
        }
        // Orphans re-parented to a subreaper are noticed on the next wake-up: keep one coming.
        let idleCap: Int32 = options.becomeSubreaper ? 1000 : -1
        guard let earliest else { return idleCap }
        let remaining = ContinuousClock.now.duration(to: earliest)
        if remaining <= .zero { return 0 }
        let ms = remaining.components.seconds * 1000 + Int64(remaining.components.attoseconds / 1_000_000_000_000_000) + 1
        return Int32(min(ms, idleCap < 0 ? 60_000 : Int64(idleCap)))
    }

    private func handle(_ command: Command) {
        switch command {
        case .start(let id, let job, let observer):
            if stopping {
                observer.jobFinished(.failure(SandboxError(.engineStopped, "the launcher is shutting down")))
                return
            }
            spawn(id: id, job: job, observer: observer)
        case .stdin(let id, let bytes):
            jobs[id]?.queueStdin(bytes, loop: self)
        case .closeStdin(let id):
            jobs[id]?.requestStdinClose(loop: self)
        case .cancel(let id):
            if let job = jobs[id] { apply(job.supervision.handle(.cancel(.now)), to: job) }
        case .shutdown:
            stopping = true
            for job in jobs.values { apply(job.supervision.handle(.cancel(.now)), to: job) }
        }
    }

    private func handleReady(token: UInt64, events: UInt32) {
        guard let job = jobs[token >> 2], let slot = Slot(rawValue: token & 3) else { return }
        switch slot {
        case .pidfd:
            watch(job.pidfd, slot: .pidfd, of: job, events: nil)
            apply(job.supervision.handle(.mainExited(.now)), to: job)
        case .stdout, .stderr:
            drain(job, slot == .stdout ? .stdout : .stderr)
        case .stdin:
            job.flushStdin(loop: self)
        }
    }

    /// Ticks the jobs whose deadline has come (most iterations have none: no allocation then).
    private func tickDue() {
        let now = ContinuousClock.now
        var due: [RunningJob] = []
        for job in jobs.values where (job.supervision.nextDeadline.map { $0 <= now } ?? false) { due.append(job) }
        for job in due { apply(job.supervision.handle(.tick(now)), to: job) }
    }

    // MARK: - Actions

    func apply(_ actions: [JobSupervision.Action], to job: RunningJob) {
        for action in actions {
            switch action {
            case .signalGroup(let sig):
                // pgid == pid (setsid); the unreaped main process pins the number.
                kill(-job.pid, sig)
            case .closeStdin:
                job.closeStdin(loop: self)
            case .abandonStreams:
                for kind in [OutputStreamKind.stdout, .stderr] { closeStream(job, kind) }
            case .finish:
                finish(job)
            }
        }
    }

    /// Registers (events != nil) or unregisters an fd of a job.
    func watch(_ fd: Int32, slot: Slot, of job: RunningJob, events: UInt32?) {
        guard fd >= 0 else { return }
        let token = job.id << 2 | slot.rawValue
        if let events {
            if hx_epoll_ctl(epfd, Int32(HX_EPOLL_MOD), fd, events, token) != 0 {
                _ = hx_epoll_ctl(epfd, Int32(HX_EPOLL_ADD), fd, events, token)
            }
        } else {
            _ = hx_epoll_ctl(epfd, Int32(HX_EPOLL_DEL), fd, 0, 0) // ENOENT when not registered: fine
        }
    }

    func closeStream(_ job: RunningJob, _ kind: OutputStreamKind) {
        let fd = kind == .stdout ? job.stdoutFd : job.stderrFd
        guard fd >= 0 else { return }
        watch(fd, slot: kind == .stdout ? .stdout : .stderr, of: job, events: nil)
        close(fd)
        if kind == .stdout { job.stdoutFd = -1 } else { job.stderrFd = -1 }
    }

    private func drain(_ job: RunningJob, _ kind: OutputStreamKind) {
        let fd = kind == .stdout ? job.stdoutFd : job.stderrFd
        guard fd >= 0 else { return }
        // Bounded reads per wake-up keep one chatty job from starving the others; epoll is
        // level-triggered, so what is left is read on the next round.
        for _ in 0..<16 {
            let n = read(fd, readBuffer.baseAddress, readBuffer.count)
            if n > 0 {
                if job.accept(kind, UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])) {
                    apply(job.supervision.handle(.outputOverflow(.now)), to: job)
                }
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
            // EOF (or a read error, which we treat the same way).
            closeStream(job, kind)
            apply(job.supervision.handle(.streamClosed(.now)), to: job)
            return
        }
    }

    private func finish(_ job: RunningJob) {
        // Stragglers in the group die with the job; the zombie main process still pins the pgid.
        kill(-job.pid, SIGKILL)
        closeStream(job, .stdout)
        closeStream(job, .stderr)
        job.closeStdin(loop: self)
        var waited = hx_wait_result()
        let reaped = hx_wait4(job.pid, 0, &waited)
        JobRegistry.shared.remove(job.pid)
        close(job.pidfd)
        jobs[job.id] = nil
        activeCount.wrappingSubtract(1, ordering: .relaxed)
        guard reaped > 0 else {
            // Never report a status we did not read (it would look like a clean exit 0).
            job.observer.jobFinished(.failure(SandboxError(.lostStatus, errno: errno, "the job's exit status could not be collected")))
            return
        }
        let termination: JobResult.Termination = waited.exited == 0 ? .signaled(waited.term_signal) : .exited(waited.exit_code)
        let s = job.supervision
        let result = JobResult(
            termination: termination, timedOut: s.timedOut, cancelled: s.cancelled,
            outputLimitExceeded: s.outputLimitExceeded, stdout: job.stdoutStats, stderr: job.stderrStats,
            stdinBytes: job.stdinWritten, wallTime: job.startedAt.duration(to: .now),
            userTime: .microseconds(waited.user_usec), systemTime: .microseconds(waited.system_usec),
            maxRSSKiB: Int(waited.max_rss_kib), pid: job.pid, layers: job.job.layers)
        finishedSinceSweep = true
        job.observer.jobFinished(.success(result))
    }

    /// Reaps processes re-parented to us (subreaper) — never a job's main process, whichever
    /// engine thread supervises it (see ``JobRegistry``).
    private func reapOrphans() {
        finishedSinceSweep = false
        JobRegistry.shared.sweep { pid in
            var ignored = hx_wait_result()
            _ = hx_wait4(pid, 1, &ignored)
        }
    }
}
