import Audit
import CSpawn
import Logging
import LauncherProtocol
import NIOCore
import Policy
import Sandbox

#if canImport(Glibc)
import Glibc
#endif

/// One front-end connection: peer check, frame decoding, the connection state machine, and the
/// effects it asks for (send a frame, start/feed/cancel a job, close). Lives on one event loop.
final class LauncherConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: LauncherService
    private var decoder = ClientMessageDecoder()
    private var machine = LauncherConnectionStateMachine()
    private var context: ChannelHandlerContext?
    private var job: JobHandle?
    private var stdinBytes = 0
    private var stdinCap = 0
    private var peer = hx_peer()
    private var needsFlush = false
    /// Whether this connection passed the peer check (and is counted in `connections`).
    private var counted = false
    /// The request of the job being validated, spawned or run on this connection (for logs and
    /// its audit records).
    private var current: StartJob?

    init(service: LauncherService) { self.service = service }

    private var logger: Logger { service.logger }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        // The child channel starts with autoRead off: not a byte is read before the peer passed.
        guard let provider = context.channel as? any SocketOptionProvider else {
            logger.warning("connection without socket options closed")
            context.close(promise: nil)
            return
        }
        let future: EventLoopFuture<hx_peer> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        future.assumeIsolated().whenComplete { [self] result in
            guard let context = self.context else { return }
            guard case .success(let credentials) = result else {
                logger.warning("cannot read the peer's credentials; connection closed")
                context.close(promise: nil)
                return
            }
            peer = credentials
            guard service.peers.allows(uid: credentials.uid, gid: credentials.gid) else {
                service.counters.peerRefused()
                logger.warning("peer refused: pid=\(credentials.pid) uid=\(credentials.uid) gid=\(credentials.gid) may not talk to the launcher")
                context.close(promise: nil)
                return
            }
            let ref = LauncherService.ConnectionRef(eventLoop: context.eventLoop, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
            guard service.connectionOpened(ObjectIdentifier(self), ref) else {
                context.close(promise: nil)
                return
            }
            service.counters.connectionOpened()
            counted = true
            do {
                try context.channel.syncOptions?.setOption(.autoRead, value: true)
                context.read()
            } catch {
                context.close(promise: nil)
            }
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(machine.connectionClosed())
        service.connectionClosed(ObjectIdentifier(self))
        if counted { service.counters.connectionClosed() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { decoder.append($0) }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        while machine.state != .closed {
            do {
                guard let message = try decoder.next() else { break }
                perform(machine.received(message))
            } catch {
                service.counters.protocolError()
                logger.warning("protocol error from pid=\(peer.pid) uid=\(peer.uid): \(error)")
                perform(machine.protocolViolation(error))
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { flushIfNeeded() }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Called (on this event loop) when the launcher drains.
    func beginShutdown() {
        perform(machine.beginShutdown())
        flushIfNeeded()
    }

    // MARK: - Effects

    private func perform(_ actions: [LauncherConnectionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let message):
                send(message)
            case .startJob(let request):
                start(request)
            case .writeStdin(let bytes):
                stdinBytes += bytes.count
                if stdinBytes > stdinCap {
                    logger.warning("request \(request ?? "-"): stdin over the cap of \(stdinCap) bytes; cancelling the job")
                    job?.closeStdin()
                    job?.cancel()
                } else {
                    job?.writeStdin(bytes)
                }
            case .closeStdin:
                job?.closeStdin()
            case .cancelJob:
                job?.cancel()
            case .sendStats:
                send(.stats(service.counters.snapshot()))
            case .close:
                flushIfNeeded()
                context?.close(promise: nil)
            }
        }
    }

    private var request: String? { current?.requestID }

    /// Writes one audit record (`what`: rejection, start, result) and counts it; a failure is
    /// counted and logged. Returns whether the record was written (true when nothing records).
    private func audit(_ what: String, of request: StartJob, _ write: (LauncherAudit) throws(AuditError) -> Void) -> Bool {
        guard service.audit.isRecording else { return true }
        do throws(AuditError) {
            try write(service.audit)
            service.counters.auditWritten()
            return true
        } catch {
            service.counters.auditFailed()
            logger.error("audit: request \(request.requestID): cannot record the \(what): \(error)")
            return false
        }
    }

    /// Refuses the job being validated: audit record, counter, `rejected` frame.
    private func reject(_ request: StartJob, code: String, message: String, log: Bool = true) {
        if log { logger.info("request \(request.requestID): rejected \(code)") }
        service.counters.jobRejected(code: code)
        // Nothing ran, so a rejection that cannot be recorded refuses nothing more.
        _ = audit("rejection", of: request) { [peer] audit throws(AuditError) in
            try audit.rejected(peer: peer, request: request, code: code, message: message)
        }
        current = nil
        perform(machine.jobRejected(code: code, message: message))
    }

    private func start(_ start: StartJob) {
        current = start
        if service.isShuttingDown {
            reject(start, code: RejectCode.shuttingDown, message: "the launcher is shutting down")
            return
        }
        // A uid of its own for this job, when the policy hands them out; released on every path.
        var jobUID: UInt32?
        if let pool = service.uidPool {
            guard let uid = pool.acquire() else {
                reject(start, code: RejectCode.busy, message: "too many jobs are running; retry later")
                return
            }
            jobUID = uid
        }
        let releaseUID = { [pool = service.uidPool] in if let jobUID { pool?.release(jobUID) } }
        let admitted: JobAdmission.Admitted
        do {
            admitted = try service.admission.admit(start, as: jobUID.map { .user(uid: $0, gid: $0, groups: []) })
        } catch {
            releaseUID()
            reject(start, code: error.code, message: error.message)
            return
        }
        let key = admitted.commandKey
        guard service.gate.acquire(key, limit: admitted.maxConcurrent) else {
            releaseUID()
            reject(start, code: RejectCode.busy, message: "too many jobs are running; retry later")
            return
        }
        let prepared: PreparedJob
        do {
            prepared = try PreparedJob(admitted.spec)
        } catch {
            releaseUID()
            service.gate.release(key)
            reject(start, code: RejectCode.invalidArgument, message: error.message)
            return
        }
        guard let context else { releaseUID(); service.gate.release(key); return }
        // Recorded before it runs: a job the launcher cannot record does not run (unless the
        // policy relaxed audit.on_failure).
        let recorded = audit("start", of: start) { [peer] audit throws(AuditError) in
            try audit.started(peer: peer, request: start, spec: admitted.spec)
        }
        if !recorded && service.policy.audit.required {
            releaseUID()
            service.gate.release(key)
            reject(start, code: RejectCode.auditUnavailable, message: "the launcher cannot write its audit record; no job runs until it can", log: false)
            return
        }
        stdinBytes = 0
        stdinCap = admitted.stdinCap
        // `accepted` goes out when the child has exec'd (jobStarted): a spawn failure is then a
        // typed rejection naming the failed step instead of a job that "ran" and returned 127.
        let bridge = JobBridge(handler: NIOLoopBound(self, eventLoop: context.eventLoop), eventLoop: context.eventLoop,
                               gate: service.gate, command: key, uidPool: service.uidPool, uid: jobUID, reaper: service.reaper)
        job = service.engine.start(prepared, observer: bridge)
        logger.info("request \(start.requestID): started \(start.command)")
    }

    // Called on the event loop by JobBridge.
    func jobStarted(pid: Int32) {
        service.counters.jobStarted()
        perform(machine.jobAccepted())
        perform(machine.jobStarted(pid: pid))
        flushIfNeeded()
    }

    func jobOutput(_ stream: LauncherMessage.OutputStream, _ bytes: [UInt8]) {
        perform(machine.jobOutput(stream: stream, bytes: bytes))
        flushIfNeeded()
    }

    func jobFinished(_ outcome: Result<JobResult, SandboxError>) {
        job = nil
        switch outcome {
        case .success(let result):
            logger.info("request \(request ?? "-"): finished \(result.termination) timed_out=\(result.timedOut) cancelled=\(result.cancelled)")
            let summary = JobSummary(result)
            service.counters.jobFinished(summary)
            if let request = current {
                // The job has run: a result that cannot be recorded is only counted and logged.
                _ = audit("result", of: request) { [peer] audit throws(AuditError) in
                    try audit.finished(peer: peer, request: request, result: result, outcome: summary.outcome)
                }
            }
            current = nil
            perform(machine.jobFinished(summary))
        case .failure(let error):
            logger.warning("request \(request ?? "-"): \(error)")
            if case .running = machine.state {
                // The job ran but its result is unknown (an engine bug): never invent one.
                service.counters.jobFinished(JobSummary(termination: .signaled(0)))
                current = nil
                perform(machine.protocolViolation(ProtocolError(.invalidValue, "internal: \(error.code)")))
            } else {
                let message = "the job could not be started (\(error.code)\(error.errno.map { ", errno \($0)" } ?? ""))"
                if let start = current {
                    reject(start, code: "spawn:\(error.code)", message: message, log: false)
                } else {
                    perform(machine.jobRejected(code: "spawn:\(error.code)", message: message))
                }
            }
        }
        flushIfNeeded()
    }

    private func send(_ message: LauncherMessage) {
        guard let context else { return }
        do {
            let bytes = try FrameEncoder.encode(message)
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(buffer), promise: nil)
            needsFlush = true
        } catch {
            logger.error("cannot encode a reply: \(error)")
            context.close(promise: nil)
        }
    }

    private func flushIfNeeded() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }
}

extension JobSummary {
    init(_ r: JobResult) {
        let termination: Termination
        switch r.termination {
        case .exited(let code): termination = .exited(code)
        case .signaled(let sig): termination = .signaled(sig)
        }
        func micros(_ d: Duration) -> UInt64 {
            let c = d.components
            return UInt64(max(0, c.seconds)) * 1_000_000 + UInt64(max(0, c.attoseconds) / 1_000_000_000_000)
        }
        self.init(
            termination: termination, timedOut: r.timedOut, cancelled: r.cancelled, outputLimitExceeded: r.outputLimitExceeded,
            stdoutBytesSeen: UInt64(r.stdout.bytesSeen), stdoutBytesKept: UInt64(r.stdout.bytesKept),
            stderrBytesSeen: UInt64(r.stderr.bytesSeen), stderrBytesKept: UInt64(r.stderr.bytesKept),
            stdinBytes: UInt64(r.stdinBytes), wallMicroseconds: micros(r.wallTime), userMicroseconds: micros(r.userTime),
            systemMicroseconds: micros(r.systemTime), maxRSSKiB: UInt64(max(0, r.maxRSSKiB)))
    }
}

/// Carries engine events (engine thread) to the connection's event loop.
final class JobBridge: JobObserver {
    private let handler: NIOLoopBound<LauncherConnectionHandler>
    private let eventLoop: any EventLoop
    private let gate: ConcurrencyGate
    private let command: String
    private let uidPool: UIDPool?
    private let uid: UInt32?
    private let reaper: GroupReaper?

    init(handler: NIOLoopBound<LauncherConnectionHandler>, eventLoop: any EventLoop, gate: ConcurrencyGate, command: String,
         uidPool: UIDPool?, uid: UInt32?, reaper: GroupReaper?) {
        self.reaper = reaper
        self.handler = handler
        self.eventLoop = eventLoop
        self.gate = gate
        self.command = command
        self.uidPool = uidPool
        self.uid = uid
    }

    func jobStarted(pid: Int32) {
        reaper?.register(pid)
        let handler = handler
        eventLoop.execute { handler.value.jobStarted(pid: pid) }
    }

    func jobOutput(_ stream: OutputStreamKind, _ bytes: UnsafeRawBufferPointer) {
        let copy = [UInt8](bytes)
        let handler = handler
        eventLoop.execute { handler.value.jobOutput(stream == .stdout ? .stdout : .stderr, copy) }
    }

    func jobFinished(_ outcome: Result<JobResult, SandboxError>) {
        // The job's whole process group is dead (finish kills it) before its uid goes back.
        if case .success(let result) = outcome { reaper?.unregister(result.pid) }
        gate.release(command)
        if let uid { uidPool?.release(uid) }
        let handler = handler
        eventLoop.execute { handler.value.jobFinished(outcome) }
    }
}
