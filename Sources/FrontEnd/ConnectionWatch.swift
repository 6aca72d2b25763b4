import Synchronization

/// Tells a request's job that its HTTP connection closed.
///
/// One per connection (registered once on the channel's close future), with one slot for the
/// running request's cancellation: keep-alive connections carry thousands of requests, and a
/// close-future callback per request would pile up until the connection closes.
public final class ConnectionWatch: Sendable {
    private struct State {
        var closed = false
        var onClose: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    /// The client's address as it was when the connection was accepted (`127.0.0.1:51234`,
    /// `[::1]:51234`, `unix`; `unknown` when the client reset the connection before it was
    /// accepted): still known after the connection closed.
    public let clientAddress: String

    /// A watch for an open connection.
    public init(clientAddress: String = "") {
        self.clientAddress = clientAddress
    }

    /// Whether the connection has closed.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Runs `action` when the connection closes — at once if it already has. Replaces the action
    /// of a previous request.
    func onClose(_ action: @escaping @Sendable () -> Void) {
        let closedAlready = state.withLock { state in
            if state.closed { return true }
            state.onClose = action
            return false
        }
        if closedAlready { action() }
    }

    /// Forgets the current action (the request is over).
    func clear() {
        state.withLock { $0.onClose = nil }
    }

    /// The connection closed.
    func fire() {
        let action = state.withLock { state in
            state.closed = true
            defer { state.onClose = nil }
            return state.onClose
        }
        action?()
    }
}
