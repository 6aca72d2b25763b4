import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow: slowloris and friends.
///
/// Three deadlines, one at a time (each measured at the level of whole HTTP parts, so a client
/// that trickles bytes gains nothing):
/// - **header**: a new connection must deliver a complete request head within `header`;
/// - **body**: once the head is in, the whole body must arrive within `body`;
/// - **idle**: after a response, the next request head must arrive within `idle` (keep-alive);
///   after a response that closes the connection (`Connection: close`, e.g. the parser's 400),
///   only `header` is left for the client to go: a half-closed connection whose client never
///   answers with its FIN must not hold a connection slot for the whole idle time.
/// While a request is being answered (a command may run for minutes) no deadline applies: the
/// launcher's job timeout bounds that.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The three limits.
    struct Limits: Sendable {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    private let limits: Limits
    private var timer: Scheduled<Void>?
    /// Requests whose head arrived and whose response has not ended (more than one when pipelined).
    private var open = 0
    /// The response being written says `Connection: close`.
    private var closing = false

    init(limits: Limits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(limits.header, context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.header, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            open += 1
            arm(limits.body, context: context)
        case .body:
            break
        case .end:
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if let value = head.headerFields[.connection], value.lowercased().contains("close") { closing = true }
        case .body:
            break
        case .end:
            open = max(0, open - 1)
            if closing {
                arm(limits.header, context: context)
            } else if open == 0 {
                arm(limits.idle, context: context)
            }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ limit: TimeAmount, context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: limit) {
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}

@available(*, unavailable)
extension RequestTimeoutHandler: Sendable {}
