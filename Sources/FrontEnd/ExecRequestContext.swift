import Hummingbird
import NIOCore

/// The request context of the exec API: Hummingbird's core storage plus the connection's
/// channel, which the handler needs for the client's address and to notice it going away.
public struct ExecRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The HTTP connection this request came on.
    public let channel: any Channel
    /// This request's id (set by the middleware before the handler runs).
    public var requestID = ""
    /// Tells the request when its connection closes (nil when not served by `HTTPServer`).
    public var connection: ConnectionWatch?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Bodies are read by the handler itself, against the configured limit.
    public var maxUploadSize: Int { .max }
}
