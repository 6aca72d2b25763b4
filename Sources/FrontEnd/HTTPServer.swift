import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The HTTP server: Hummingbird's HTTP/1.1 channel and router on listeners this process bound
/// (or inherited) itself, as a swift-service-lifecycle `Service`.
///
/// - Each `ListeningSocket` is adopted by a NIO `ServerBootstrap`; TCP, Unix and systemd
///   sockets take the same path.
/// - At most `maxConnections` connections per listener: beyond that the listener stops
///   accepting (clients wait in the kernel's backlog) until one closes.
/// - `RequestTimeoutHandler` bounds header, body and keep-alive idle time.
/// - Graceful shutdown: listeners close at once, idle connections close, in-flight requests run
///   to completion; whatever is still open after `shutdownTimeout` is closed, which stops its job.
public final class HTTPServer: Service, Sendable {
    /// Limits of the server.
    public struct Configuration: Sendable {
        public var maxConnections = 1024
        public var headerTimeout: Duration = .seconds(10)
        public var bodyTimeout: Duration = .seconds(60)
        public var idleTimeout: Duration = .seconds(60)
        public var shutdownTimeout: Duration = .seconds(30)
        /// Creates the defaults.
        public init() {}
    }

    private let listeners: [ListeningSocket]
    private let responder: RouterResponder<ExecRequestContext>
    private let configuration: Configuration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let onReady: @Sendable () -> Void
    private let connections = OpenConnections()

    /// Creates the server; `onReady` runs once every listener accepts.
    public init(
        listeners: [ListeningSocket], router: Router<ExecRequestContext>, configuration: Configuration,
        group: any EventLoopGroup, logger: Logger, onReady: @escaping @Sendable () -> Void = {}
    ) {
        self.listeners = listeners
        self.responder = router.buildResponder()
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.onReady = onReady
    }

    public func run() async throws {
        let channel = makeHTTPChannel()
        var adopted: [NIOAsyncChannel<Void, Never>] = []
        for listener in listeners {
            adopted.append(try await adopt(listener, channel: channel))
        }
        let servers = adopted
        onReady()
        let logger = self.logger
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for server in servers {
                    group.addTask {
                        do {
                            // Connections are served from their own tasks (started when they are
                            // set up); the listener's stream only says "accepted".
                            try await server.executeThenClose { inbound in
                                for try await _ in inbound {}
                            }
                        } catch {
                            logger.error("listener failed", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.beginShutdown(servers: servers.map(\.channel))
        }
        await connections.waitUntilEmpty()
        // A closed connection's handler task may still be finishing its last request; it must be
        // done before the caller shuts the event loops down under it.
        await connections.waitForHandlers()
        for listener in listeners {
            if let path = listener.createdPath { _ = path.withCString { unlink($0) } }
        }
    }

    /// Stop accepting, let idle connections go, and set the deadline for the busy ones.
    private func beginShutdown(servers: [any Channel]) {
        logger.info("shutting down: no new connections; waiting for running requests", metadata: [
            "deadline": "\(configuration.shutdownTimeout)",
        ])
        for server in servers { server.close(promise: nil) }
        let open = connections.all
        for connection in open {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        group.any().scheduleTask(in: .init(configuration.shutdownTimeout)) { [connections, logger] in
            let left = connections.all
            if !left.isEmpty { logger.warning("shutdown deadline: closing \(left.count) connection(s); their jobs are stopped") }
            for connection in left { connection.close(promise: nil) }
        }
    }

    private func makeHTTPChannel() -> HTTP1Channel {
        let router = self.responder
        let connections = self.connections
        let limits = RequestTimeoutHandler.Limits(
            header: .init(configuration.headerTimeout), body: .init(configuration.bodyTimeout),
            idle: .init(configuration.idleTimeout))
        let logger = self.logger
        return HTTP1Channel(
            responder: { request, writer, channel in
                var context = ExecRequestContext(source: .init(channel: channel, logger: logger))
                context.connection = connections.watch(for: channel)
                let response: Response
                do {
                    response = try await router.respond(to: request, context: context)
                } catch {
                    response = APIError(status: 500, code: .internalError, message: "Internal server error.").response
                }
                let close = response.headers[.connection] == "close"
                try await writer.write(response: response.head, body: response.body)
                if close { try? await channel.close() }
            },
            configuration: .init(additionalChannelHandlers: [RequestTimeoutHandler(limits: limits)]))
    }

    private func adopt(_ listener: ListeningSocket, channel http: HTTP1Channel) async throws -> NIOAsyncChannel<Void, Never> {
        let maxConnections = configuration.maxConnections
        let isTCP = listener.tcpPort != nil
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AvailableConnectionsChannelHandler(maxConnections: maxConnections))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: false)
        let server = try await bootstrap.bind(listener.fd) { [connections] child in
            connections.insert(child)
            // Small responses go out at once. Set here, not as a child option, so a failure cannot
            // fail the accept (an error there would end the listener).
            if isTCP { try? child.syncOptions?.setOption(.tcpOption(.tcp_nodelay), value: 1) }
            // Serve the connection from a task started right here, not from the listener's stream:
            // a connection accepted while the listener closes at shutdown would otherwise be set up
            // but never handed over, and its un-finished async channel aborts the process.
            return http.setup(channel: child, logger: logger).map { [connections] connection -> Void in
                connections.handlerStarted()
                Task {
                    await http.handle(value: connection, logger: logger)
                    connections.handlerEnded()
                }
                return ()
            }
        }
        logger.notice("listening", metadata: ["on": .string(listener.description)])
        return server
    }
}

/// The open HTTP connections, so shutdown can quiesce them and close the ones past the deadline,
/// and requests can learn that their client went away (`ConnectionWatch`).
final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: (channel: any Channel, watch: ConnectionWatch)]>([:])

    private let emptyWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    /// Connection handler tasks still running, and who waits for them to end.
    private let handlers = Mutex<(running: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

    func handlerStarted() { handlers.withLock { $0.running += 1 } }

    func handlerEnded() {
        let waiters = handlers.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every connection handler task has ended.
    func waitForHandlers() async {
        await withCheckedContinuation { continuation in
            let done = handlers.withLock { state in
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Tracks `channel` until it closes.
    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        // No address: the client reset the connection before it was accepted (getpeername fails).
        let watch = ConnectionWatch(clientAddress: channel.remoteAddress.map(ExecHandler.describe) ?? "unknown")
        channels.withLock { $0[id] = (channel, watch) }
        channel.closeFuture.whenComplete { [self] _ in
            let empty = channels.withLock { channels in
                channels.removeValue(forKey: id)
                return channels.isEmpty
            }
            watch.fire()
            if empty { resumeEmptyWaiters() }
        }
    }

    /// Returns once no connection is open (at shutdown, after the listeners closed).
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let emptyNow = channels.withLock { channels in
                if channels.isEmpty { return true }
                emptyWaiters.withLock { $0.append(continuation) }
                return false
            }
            if emptyNow { continuation.resume() }
        }
    }

    private func resumeEmptyWaiters() {
        let waiters = emptyWaiters.withLock { waiters in
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The watch of `channel`. Every accepted connection is inserted before it reads a byte, so
    /// one that is not here has closed already (a client that sent its request and left at once):
    /// its watch has fired, and a job started for the request is cancelled right away instead of
    /// running with nobody to stop it (found by `make soak`).
    func watch(for channel: any Channel) -> ConnectionWatch {
        if let watch = channels.withLock({ $0[ObjectIdentifier(channel)]?.watch }) { return watch }
        let closed = ConnectionWatch()
        closed.fire()
        return closed
    }

    var all: [any Channel] { channels.withLock { $0.values.map(\.channel) } }
}
