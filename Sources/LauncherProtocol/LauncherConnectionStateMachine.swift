/// The launcher's side of one front-end connection: which message may come when, and what the
/// launcher does about it. Pure: each method takes an event and returns the actions for the caller
/// to perform, in order (swift-nio's state-machine pattern).
///
/// Life of a connection: `awaitingHello` → (`hello`) → `idle` ⇄ jobs → `closed`. An idle
/// connection may also ask for `stats` (answered at once; the state stays `idle`). A job goes
/// `idle` → (`start`) → `validating` → (`jobAccepted`) → `running` → (`jobFinished`) → `idle`, or
/// `validating` → (`jobRejected`) → `idle`. Any message the state does not allow is a protocol
/// violation: the launcher answers `protocolError`, cancels the job (if any) and closes.
///
/// Caller contract:
/// - After `.startJob`, answer with `jobAccepted()` (once the child has exec'd) or
///   `jobRejected(code:message:)`; this may happen asynchronously. While validating, only `cancel`
///   may arrive (a client that goes away at once); stdin must wait for `accepted`.
/// - After `.close`, close the socket and stop feeding messages (the machine then ignores them).
/// - After `.cancelJob`, cancel the job (TERM → grace → KILL); if the connection is still open its
///   `finished` is reported through `jobFinished(_:)` as usual.
public struct LauncherConnectionStateMachine: Sendable {
    /// Where the connection is.
    public enum State: Hashable, Sendable {
        /// Nothing received yet; the first frame must be `hello`.
        case awaitingHello
        /// Handshake done, no job: `start` may come.
        case idle
        /// A `start` was handed to the caller (`.startJob`), which has not answered yet.
        case validating(stdin: StartJob.StdinMode, cancelRequested: Bool)
        /// The job was accepted. `stdinOpen` is whether `stdinData`/`stdinClose` may still come.
        case running(stdinOpen: Bool, cancelRequested: Bool)
        /// The connection is over (closed by either side); every event is ignored.
        case closed
    }

    /// What the caller must do.
    public enum Action: Hashable, Sendable {
        /// Write this frame to the front-end.
        case send(LauncherMessage)
        /// Validate this job and answer with `jobAccepted()` or `jobRejected(code:message:)`.
        case startJob(StartJob)
        /// Write these bytes to the job's stdin.
        case writeStdin([UInt8])
        /// Close the job's stdin.
        case closeStdin
        /// Cancel the job (it still reports `finished` if the connection is open).
        case cancelJob
        /// Answer with `.stats(…)`: the launcher's counters right now.
        case sendStats
        /// Close the connection.
        case close
    }

    /// The current state.
    public private(set) var state: State = .awaitingHello
    /// Set by `beginShutdown()`: no new job starts, and the connection closes once idle.
    private var shuttingDown = false

    /// A machine for a freshly accepted connection.
    public init() {}

    /// Whether the connection is open with no job on it (the launcher may use it for nothing else).
    public var isIdle: Bool { state == .idle }

    /// Whether a job belongs to this connection (being validated or running).
    public var hasJob: Bool {
        switch state {
        case .validating, .running: true
        case .awaitingHello, .idle, .closed: false
        }
    }

    // MARK: Messages from the front-end

    /// A message decoded from the front-end.
    public mutating func received(_ message: ClientMessage) -> [Action] {
        switch state {
        case .awaitingHello:
            guard case .hello(let version) = message else { return violation(unexpected: message) }
            guard version == ProtocolVersion.current else {
                state = .closed
                let text = "unsupported protocol version \(version); this launcher speaks \(ProtocolVersion.current)"
                return [.send(.protocolError(message: text)), .close]
            }
            state = .idle
            return [.send(.helloAck(version: ProtocolVersion.current, maxFrameSize: UInt32(ProtocolLimits.maxFrameSize)))]

        case .idle:
            switch message {
            case .start(let job):
                // Defensive: `beginShutdown()` closes idle connections, so this is reached only if
                // the caller keeps feeding a connection it was told to close.
                guard !shuttingDown else {
                    return [.send(.rejected(code: RejectCode.shuttingDown, message: "the launcher is shutting down"))]
                }
                state = .validating(stdin: job.stdin, cancelRequested: false)
                return [.startJob(job)]
            case .cancel:
                // The job finished while the front-end was cancelling it: nothing left to do.
                return []
            case .statsRequest:
                return [.sendStats]
            case .hello, .stdinData, .stdinClose:
                return violation(unexpected: message)
            }

        case .validating(let stdin, let cancelRequested):
            guard case .cancel = message else { return violation(unexpected: message) }
            guard !cancelRequested else { return [] }
            state = .validating(stdin: stdin, cancelRequested: true)
            return [.cancelJob]

        case .running(let stdinOpen, let cancelRequested):
            switch message {
            case .stdinData(let bytes) where stdinOpen:
                return bytes.isEmpty ? [] : [.writeStdin(bytes)]
            case .stdinClose where stdinOpen:
                state = .running(stdinOpen: false, cancelRequested: cancelRequested)
                return [.closeStdin]
            case .cancel:
                guard !cancelRequested else { return [] }
                state = .running(stdinOpen: stdinOpen, cancelRequested: true)
                return [.cancelJob]
            case .stdinData, .stdinClose, .start, .hello, .statsRequest:
                return violation(unexpected: message)
            }

        case .closed:
            return []
        }
    }

    // MARK: Events from the launcher

    /// The job passed validation and is being spawned.
    public mutating func jobAccepted() -> [Action] {
        guard case .validating(let stdin, let cancelRequested) = state else { return [] }
        state = .running(stdinOpen: stdin == .stream, cancelRequested: cancelRequested)
        return [.send(.accepted)]
    }

    /// The job was refused; nothing ran. `message` must fit `ProtocolLimits.maxMessageBytes` and
    /// `code` `ProtocolLimits.maxErrorCodeBytes`, or the frame will not encode.
    public mutating func jobRejected(code: String, message: String) -> [Action] {
        guard case .validating = state else { return [] }
        return afterJob(.send(.rejected(code: code, message: message)))
    }

    /// The child has exec'd.
    public mutating func jobStarted(pid: Int32) -> [Action] {
        guard case .running = state else { return [] }
        return [.send(.started(pid: pid))]
    }

    /// Output of the running job. Split into frames of at most `ProtocolLimits.maxChunkBytes`;
    /// empty output sends nothing.
    public mutating func jobOutput(stream: LauncherMessage.OutputStream, bytes: [UInt8]) -> [Action] {
        guard case .running = state else { return [] }
        return stride(from: 0, to: bytes.count, by: ProtocolLimits.maxChunkBytes).map { start in
            let end = min(start + ProtocolLimits.maxChunkBytes, bytes.count)
            return .send(.output(stream: stream, bytes: Array(bytes[start..<end])))
        }
    }

    /// The job is over. The connection is idle again, or closes if the launcher is shutting down.
    public mutating func jobFinished(_ summary: JobSummary) -> [Action] {
        guard case .running = state else { return [] }
        return afterJob(.send(.finished(summary)))
    }

    /// The decoder (or the caller) found a protocol violation: tell the peer, cancel any job, close.
    public mutating func protocolViolation(_ error: ProtocolError) -> [Action] {
        guard state != .closed else { return [] }
        var actions: [Action] = [.send(.protocolError(message: error.description))]
        if hasJob { actions.append(.cancelJob) }
        actions.append(.close)
        state = .closed
        return actions
    }

    /// The front-end closed the connection (or it broke): a job on it must not outlive it.
    public mutating func connectionClosed() -> [Action] {
        let actions: [Action] = hasJob ? [.cancelJob] : []
        state = .closed
        return actions
    }

    /// The launcher is shutting down: idle connections close now; one with a job closes after
    /// the job's `finished` (or `rejected`) is sent. The launcher cancels running jobs itself.
    public mutating func beginShutdown() -> [Action] {
        shuttingDown = true
        switch state {
        case .awaitingHello, .idle:
            state = .closed
            return [.close]
        case .validating, .running, .closed:
            return []
        }
    }

    // MARK: Helpers

    /// The job's last message: back to idle, or closed when shutting down.
    private mutating func afterJob(_ last: Action) -> [Action] {
        if shuttingDown {
            state = .closed
            return [last, .close]
        }
        state = .idle
        return [last]
    }

    private mutating func violation(unexpected message: ClientMessage) -> [Action] {
        let when = switch (state, message) {
        case (.awaitingHello, _): "before hello"
        case (.idle, _): "with no job running"
        case (.validating, _): "while the job is being validated"
        case (.running, .stdinData), (.running, .stdinClose): "when the job's stdin is closed or not streamed"
        case (.running, _): "while a job is running"
        case (.closed, _): "after the connection closed"
        }
        return protocolViolation(ProtocolError(.unexpectedMessage, "\(message.name) is not allowed \(when)"))
    }
}
