import LauncherProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The front-end's way to the launcher: a pool of connections to its Unix socket.
///
/// - Connections are made on demand, handshaken (`hello`), and kept for reuse when a job ends
///   cleanly (`finished` or `rejected`); anything else closes them.
/// - When the launcher cannot be reached, `LauncherBackoff` decides when to try again; until then
///   requests fail at once with 503 `launcher_unavailable` (never a hang). Every wait on the
///   launcher before a job starts is bounded (`handshakeTimeout`, `acceptTimeout`).
/// - A pooled connection may have died while idle (a restarted launcher): a job whose `start`
///   meets a closed connection before anything was accepted is retried once on a new one.
/// - With a `MetricsCollector`, every job's end (result, duration, truncation), the bytes it
///   streamed, the jobs waiting on the launcher and its reachability are counted here.
public final class LauncherClient: Sendable {
    /// Bounds and pool size.
    public struct Configuration: Sendable {
        /// The launcher's socket.
        public var socketPath: String
        /// Longest wait for a connection and its `helloAck`.
        public var handshakeTimeout: Duration = .seconds(2)
        /// Longest wait between `start` and `accepted`/`rejected` (validation and spawn take
        /// milliseconds; this only catches a launcher that hangs).
        public var acceptTimeout: Duration = .seconds(30)
        /// Idle connections kept for reuse.
        public var maxIdleConnections = 64

        /// Creates a configuration with the defaults above.
        public init(socketPath: String) {
            self.socketPath = socketPath
        }
    }

    /// What came back for a job that ran.
    public struct Outcome: Sendable {
        public var summary: JobSummary
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    private let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let metrics: MetricsCollector?
    private let state = Mutex<State>(State())

    private struct State {
        var idle: [LauncherConnection] = []
        var backoff = LauncherBackoff()
        var shuttingDown = false
    }

    /// Creates a client; nothing connects until the first job (or `stats()`).
    public init(configuration: Configuration, group: any EventLoopGroup, logger: Logger, metrics: MetricsCollector? = nil) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether the last attempt to reach the launcher succeeded.
    public var isLauncherAvailable: Bool { state.withLock { $0.backoff.isAvailable } }

    /// Closes idle connections and refuses new jobs (503 `shutting_down`).
    public func shutdown() {
        let idle = state.withLock { state in
            state.shuttingDown = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { connection.close(reason: "shutting down") }
    }

    /// Runs one job and collects its output.
    ///
    /// - Parameters:
    ///   - start: the `start` message.
    ///   - stdin: the frames to send once the job is accepted (`ExecRequest.stdinMessages()`).
    ///   - cancelWhen: fires when the HTTP client goes away; the job is then stopped (its
    ///     launcher connection is closed, which makes the launcher cancel it).
    /// - Throws: `APIError` — the launcher's rejection mapped to HTTP (nothing ran), 503 when the
    ///   launcher is unreachable, 502 when it went away during the job.
    public func run(
        _ start: StartJob, stdin: [ClientMessage], cancelWhen: ConnectionWatch? = nil
    ) async throws(APIError) -> Outcome {
        metrics?.jobInFlight(1)
        defer { metrics?.jobInFlight(-1) }
        var retried = false
        while true {
            let connection = try await acquire()
            do {
                return try await exchange(start, stdin: stdin, on: connection, cancelWhen: cancelWhen)
            } catch {
                switch error {
                case .retryOnNewConnection where !retried: retried = true
                case .retryOnNewConnection:
                    metrics?.jobEnded(.failed)
                    throw .launcherUnavailable
                case .failed(let error): throw error
                }
            }
        }
    }

    /// The launcher's own counters (`statsRequest` → `stats`), for `/metrics` and `/readyz`.
    ///
    /// Borrows a pooled connection (or makes one) and returns it to the pool; a pooled connection
    /// found dead is replaced once, as for jobs. The whole call, retry included, takes at most
    /// `timeout` after the connection is had.
    /// - Throws: `APIError` 503: `launcher_unavailable` when the launcher cannot be reached or does
    ///   not answer in time, `shutting_down` once `shutdown()` ran.
    public func stats(timeout: Duration = .seconds(2)) async throws(APIError) -> [StatsEntry] {
        let end = ContinuousClock.now + timeout
        var retried = false
        while true {
            let connection = try await acquire()
            let messages = connection.beginExchange()
            connection.send([.statsRequest])
            let deadline = connection.channel.eventLoop.scheduleTask(in: .init(max(.zero, end - .now))) {
                connection.close(reason: "no stats answer in time")
            }
            defer { deadline.cancel() }
            do {
                for try await message in messages {
                    guard case .stats(let entries) = message else {
                        throw LauncherConnection.Closed(reason: "unexpected \(message)")
                    }
                    deadline.cancel()
                    release(connection)
                    metrics?.launcherReachable(true)
                    return entries
                }
                throw LauncherConnection.Closed(reason: "the launcher closed the connection")
            } catch {
                connection.close(reason: "\(error)")
                if connection.wasReused, !retried, ContinuousClock.now < end {
                    retried = true
                    continue
                }
                logger.warning("launcher stats failed", metadata: ["reason": "\(error)"])
                metrics?.launcherReachable(false)
                throw .launcherUnavailable
            }
        }
    }

    private enum ExchangeError: Error {
        /// The connection was dead before the launcher accepted anything.
        case retryOnNewConnection
        case failed(APIError)
    }

    private func exchange(
        _ start: StartJob, stdin: [ClientMessage], on connection: LauncherConnection, cancelWhen: ConnectionWatch?
    ) async throws(ExchangeError) -> Outcome {
        let messages = connection.beginExchange()
        let ticket = JobTicket(connection: connection)
        cancelWhen?.onClose { ticket.cancel(reason: "the HTTP client went away") }
        defer { cancelWhen?.clear() }
        connection.send([.start(start)])
        var acceptDeadline: Scheduled<Void>? = connection.channel.eventLoop.scheduleTask(in: .init(configuration.acceptTimeout)) {
            connection.close(reason: "the launcher did not accept or reject the job in time")
        }
        defer { acceptDeadline?.cancel() }

        var outcome = Outcome(summary: JobSummary(termination: .exited(0)), stdout: [], stderr: [])
        var accepted = false
        do {
            try await withTaskCancellationHandler {
                for try await message in messages {
                    switch message {
                    case .accepted:
                        accepted = true
                        acceptDeadline?.cancel()
                        acceptDeadline = nil
                        if !stdin.isEmpty {
                            connection.send(stdin)
                            metrics?.streamed(.stdin, bytes: Self.stdinBytes(stdin))
                        }
                    case .rejected(let code, let text):
                        guard !accepted, ticket.finish() else { throw LauncherConnection.Closed(reason: "out-of-order rejection") }
                        release(connection)
                        metrics?.jobRejected(reason: code)
                        throw ExchangeError.failed(ExecResponse.error(for: code, message: text))
                    case .started:
                        break
                    case .output(.stdout, let bytes):
                        outcome.stdout += bytes
                        metrics?.streamed(.stdout, bytes: bytes.count)
                    case .output(.stderr, let bytes):
                        outcome.stderr += bytes
                        metrics?.streamed(.stderr, bytes: bytes.count)
                    case .finished(let summary):
                        guard accepted, ticket.finish() else { throw LauncherConnection.Closed(reason: "out-of-order finish") }
                        outcome.summary = summary
                        release(connection)
                        metrics?.jobFinished(summary)
                        return
                    case .helloAck, .protocolError, .stats:
                        throw LauncherConnection.Closed(reason: "unexpected \(message)")
                    }
                }
                throw LauncherConnection.Closed(reason: "the launcher closed the connection")
            } onCancel: {
                ticket.cancel(reason: "the request was cancelled")
            }
            return outcome
        } catch let error as ExchangeError {
            throw error
        } catch {
            connection.close(reason: "\(error)")
            if ticket.wasCancelled {
                metrics?.jobEnded(.cancelled)
                throw .failed(.launcherFailed)
            }
            if !accepted, !ticket.wasCancelled, connection.wasReused { throw .retryOnNewConnection }
            logger.warning("launcher connection lost", metadata: ["reason": "\(error)", "accepted": "\(accepted)"])
            metrics?.jobEnded(.failed)
            throw .failed(accepted ? .launcherFailed : .launcherUnavailable)
        }
    }

    // MARK: The pool

    private func acquire() async throws(APIError) -> LauncherConnection {
        enum Choice { case reuse(LauncherConnection), connect, refuse(APIError) }
        let now = ContinuousClock.now
        let choice: Choice = state.withLock { state in
            if state.shuttingDown { return .refuse(.shuttingDown) }
            while let connection = state.idle.popLast() {
                if connection.isOpen { return .reuse(connection) }
            }
            return state.backoff.mayAttempt(now: now) ? .connect : .refuse(.launcherUnavailable)
        }
        switch choice {
        case .reuse(let connection):
            connection.wasReused = true
            return connection
        case .refuse(let error):
            throw error
        case .connect:
            do {
                let connection = try await connect()
                state.withLock { $0.backoff.succeeded() }
                metrics?.launcherReachable(true)
                return connection
            } catch {
                metrics?.launcherReachable(false)
                let delay = state.withLock { $0.backoff.failed(now: .now) }
                logger.warning("launcher unreachable", metadata: ["reason": "\(error)", "retry_in": "\(delay)"])
                throw .launcherUnavailable
            }
        }
    }

    /// The stdin bytes in `messages`.
    private static func stdinBytes(_ messages: [ClientMessage]) -> Int {
        var total = 0
        for case .stdinData(let bytes) in messages { total += bytes.count }
        return total
    }

    private func release(_ connection: LauncherConnection) {
        connection.endExchange()
        let keep = state.withLock { state in
            guard !state.shuttingDown, connection.isOpen, state.idle.count < configuration.maxIdleConnections else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { connection.close(reason: "not pooled") }
    }

    private func connect() async throws -> LauncherConnection {
        let timeout = configuration.handshakeTimeout
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.init(timeout))
            .connect(unixDomainSocketPath: configuration.socketPath)
            .get()
        let connection = LauncherConnection(channel: channel)
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(LauncherFrameHandler(connection: connection))
        }.get()
        let messages = connection.beginExchange()
        connection.send([.hello(version: ProtocolVersion.current)])
        let deadline = channel.eventLoop.scheduleTask(in: .init(timeout)) {
            connection.close(reason: "no helloAck in time")
        }
        defer { deadline.cancel() }
        for try await message in messages {
            guard case .helloAck(let version, _) = message, version == ProtocolVersion.current else {
                connection.close(reason: "bad handshake: \(message)")
                break
            }
            connection.endExchange()
            return connection
        }
        throw LauncherConnection.Closed(reason: "handshake failed")
    }
}

/// Who ends a job first: its normal end, or a cancellation (client gone, request cancelled).
/// A connection returned to the pool must never be closed by a late cancellation.
private final class JobTicket: Sendable {
    private enum State { case running, finished, cancelled }
    private let state = Mutex(State.running)
    private let connection: LauncherConnection

    init(connection: LauncherConnection) {
        self.connection = connection
    }

    /// Marks the job finished; false if it was cancelled first.
    func finish() -> Bool {
        state.withLock { state in
            guard state == .running else { return false }
            state = .finished
            return true
        }
    }

    func cancel(reason: String) {
        let cancel = state.withLock { state in
            guard state == .running else { return false }
            state = .cancelled
            return true
        }
        if cancel { connection.close(reason: reason) }
    }

    var wasCancelled: Bool { state.withLock { $0 == .cancelled } }
}
