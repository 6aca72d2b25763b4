import CSpawn
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Turns prepared jobs into confined processes and supervises them.
///
/// A few long-lived engine threads (one per core by default) each spawn and supervise their share
/// of the jobs: an epoll loop over the jobs' pidfds and pipes, with deadlines for timeouts and kill
/// ladders. Spawning happens only on these threads because PR_SET_PDEATHSIG is tied to the creating
/// thread: jobs must not be created from pool threads that may exit. More than one thread because
/// a vfork-style spawn blocks its thread until the child has exec'd (setup, filter JIT, exec start);
/// one thread would serialise every spawn of the machine. Callers on any thread or task submit
/// commands; results come back through ``JobObserver`` or ``run(_:)``.
public final class SpawnEngine: Sendable {
    /// Engine configuration.
    public struct Options: Sendable {
        /// Make this process a child subreaper, so descendants that a job orphans are re-parented
        /// to us (and reaped by us) instead of escaping to PID 1. The launcher sets this.
        public var becomeSubreaper: Bool
        /// After SIGKILL, how long to wait for the output pipes to close before giving up on them.
        public var forceFinishAfter: Duration
        /// Engine threads (each spawns and supervises its share of jobs); default: one per core,
        /// at least 2, at most 8.
        public var threads: Int

        /// Creates options.
        public init(becomeSubreaper: Bool = false, forceFinishAfter: Duration = .seconds(2), threads: Int? = nil) {
            self.becomeSubreaper = becomeSubreaper
            self.forceFinishAfter = forceFinishAfter
            self.threads = max(1, threads ?? min(8, max(2, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))))
        }
    }

    let loops: [EngineLoop]
    private let nextID = Atomic<UInt64>(1)

    /// Starts the engine thread.
    /// - Throws: `SandboxError.resources` when epoll, eventfd, /dev/null or the thread cannot be had.
    public init(options: Options = Options()) throws(SandboxError) {
        if options.becomeSubreaper { _ = hx_set_child_subreaper() }
        // A job that closes its stdin must not kill the launcher with SIGPIPE.
        _ = hx_ignore_sigpipe()
        var loops: [EngineLoop] = []
        for _ in 0..<options.threads {
            let loop = try EngineLoop(options: options)
            try loop.startThread()
            loops.append(loop)
        }
        self.loops = loops
    }

    /// The loop that owns job `id`.
    func loop(for id: UInt64) -> EngineLoop { loops[Int(id % UInt64(loops.count))] }

    /// Starts `job`; events go to `observer`. Never blocks.
    @discardableResult
    public func start(_ job: PreparedJob, observer: any JobObserver) -> JobHandle {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        loop(for: id).submit(.start(id, job, observer))
        return JobHandle(id: id, engine: self)
    }

    /// Cancels every job and stops the engine thread once they have finished. New jobs fail with
    /// `engine.stopped`.
    public func shutdown() { for loop in loops { loop.submit(.shutdown) } }

    /// Jobs currently supervised (for tests, metrics and drain).
    public var activeJobCount: Int { loops.reduce(0) { $0 + $1.activeCount.load(ordering: .relaxed) } }
}

/// Everything a finished job produced, for callers that want it in one piece.
public struct JobOutput: Sendable {
    public var result: JobResult
    public var stdout: [UInt8]
    public var stderr: [UInt8]
}

extension SpawnEngine {
    /// Runs `job` to completion, collecting its output. Cancelling the calling task cancels the
    /// job (TERM → grace → KILL); the result is still returned, flagged `cancelled`.
    /// - Throws: `SandboxError` when the job could not be started (the step and errno say why).
    public func run(_ job: PreparedJob) async throws(SandboxError) -> JobOutput {
        let collector = OutputCollector()
        let outcome: Result<JobOutput, SandboxError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                collector.setContinuation(continuation)
                collector.setHandle(start(job, observer: collector))
            }
        } onCancel: {
            collector.cancel()
        }
        return try outcome.get()
    }
}

/// Collects a job's output for ``SpawnEngine/run(_:)``.
final class OutputCollector: JobObserver {
    private struct State {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var continuation: CheckedContinuation<Result<JobOutput, SandboxError>, Never>?
        var handle: JobHandle?
        var cancelRequested = false
    }
    private let state = Mutex(State())

    func setContinuation(_ c: CheckedContinuation<Result<JobOutput, SandboxError>, Never>) {
        state.withLock { $0.continuation = c }
    }

    func setHandle(_ h: JobHandle) {
        let cancelNow = state.withLock { s in
            s.handle = h
            return s.cancelRequested
        }
        if cancelNow { h.cancel() }
    }

    func cancel() {
        let handle = state.withLock { s in
            s.cancelRequested = true
            return s.handle
        }
        handle?.cancel()
    }

    func jobStarted(pid: Int32) {}

    func jobOutput(_ stream: OutputStreamKind, _ bytes: UnsafeRawBufferPointer) {
        state.withLock { s in
            switch stream {
            case .stdout: s.stdout.append(contentsOf: bytes)
            case .stderr: s.stderr.append(contentsOf: bytes)
            }
        }
    }

    func jobFinished(_ outcome: Result<JobResult, SandboxError>) {
        let (continuation, output) = state.withLock { s in
            let c = s.continuation
            s.continuation = nil
            let out = outcome.map { JobOutput(result: $0, stdout: s.stdout, stderr: s.stderr) }
            s.stdout = []
            s.stderr = []
            return (c, out)
        }
        continuation?.resume(returning: output)
    }
}
