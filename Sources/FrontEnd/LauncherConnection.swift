import LauncherProtocol
import NIOCore
import Synchronization

/// One connection to the launcher socket, carrying one job at a time.
///
/// Messages from the launcher go to the *current sink*: the stream of the job (or handshake)
/// that holds the connection. A message that arrives with no sink set is a protocol violation
/// (the launcher speaks only when spoken to) and closes the connection. When the connection
/// closes, the current sink ends with `LauncherConnection.Closed`.
final class LauncherConnection: Sendable {
    /// The connection ended (closed by either side, or a protocol error).
    struct Closed: Error {
        let reason: String
    }

    typealias Messages = AsyncThrowingStream<LauncherMessage, any Error>

    let channel: any Channel
    private let state = Mutex<State>(State())
    private let reused = Atomic<Bool>(false)

    /// Whether this connection came from the pool (it may have died while idle).
    var wasReused: Bool {
        get { reused.load(ordering: .relaxed) }
        set { reused.store(newValue, ordering: .relaxed) }
    }

    private struct State {
        var sink: Messages.Continuation?
        var closedReason: String?
    }

    init(channel: any Channel) {
        self.channel = channel
    }

    /// Whether the connection is still usable.
    var isOpen: Bool { state.withLock { $0.closedReason == nil } && channel.isActive }

    /// Starts a new exchange: later messages arrive on the returned stream (the previous
    /// exchange's stream, if any, is finished).
    func beginExchange() -> Messages {
        let (stream, continuation) = Messages.makeStream()
        let closed: String? = state.withLock { state in
            state.sink?.finish()
            if let reason = state.closedReason { return reason }
            state.sink = continuation
            return nil
        }
        if let closed { continuation.finish(throwing: Closed(reason: closed)) }
        return stream
    }

    /// Ends the current exchange; the connection stays open.
    func endExchange() {
        state.withLock { state in
            state.sink?.finish()
            state.sink = nil
        }
    }

    /// Writes frames (and flushes once).
    func send(_ messages: [ClientMessage]) {
        var bytes: [UInt8] = []
        for message in messages {
            // Requests were validated against the protocol limits; a failure here is our bug.
            do { try FrameEncoder.append(message, to: &bytes) } catch {
                close(reason: "cannot encode a frame: \(error)")
                return
            }
        }
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
    }

    /// Closes the connection (which makes the launcher cancel a running job).
    func close(reason: String) {
        closed(reason: reason)
        channel.close(promise: nil)
    }

    // MARK: From the channel handler (event loop)

    func deliver(_ message: LauncherMessage) {
        let delivered = state.withLock { state -> Bool in
            guard let sink = state.sink else { return false }
            sink.yield(message)
            return true
        }
        if !delivered { close(reason: "unexpected message from the launcher") }
    }

    func closed(reason: String) {
        let sink: Messages.Continuation? = state.withLock { state in
            if state.closedReason == nil { state.closedReason = reason }
            defer { state.sink = nil }
            return state.sink
        }
        sink?.finish(throwing: Closed(reason: reason))
    }
}

/// Decodes launcher frames on the connection's channel and hands them to the connection.
final class LauncherFrameHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let connection: LauncherConnection
    private var decoder = LauncherMessageDecoder()

    init(connection: LauncherConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        decoder.append(buffer.readableBytesView)
        do {
            while let message = try decoder.next() { connection.deliver(message) }
        } catch {
            connection.close(reason: "malformed frame from the launcher: \(error)")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed(reason: "the launcher closed the connection")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        connection.close(reason: "connection error: \(error)")
    }
}

@available(*, unavailable)
extension LauncherFrameHandler: Sendable {}
