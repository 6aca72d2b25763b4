@testable import FrontEnd
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

/// Header, body and keep-alive deadlines, on an embedded channel with a virtual clock.
struct RequestTimeoutHandlerTests {
    static let limits = RequestTimeoutHandler.Limits(header: .seconds(10), body: .seconds(60), idle: .seconds(5))

    func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: RequestTimeoutHandler(limits: Self.limits))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static let head = HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/x"))

    @Test func noHeadWithinTheHeaderTimeoutCloses() throws {
        let channel = try makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func aSlowBodyIsCutAtTheBodyTimeout() throws {
        let channel = try makeChannel()
        try channel.writeInbound(Self.head)
        channel.embeddedEventLoop.advanceTime(by: .seconds(30)) // past the header timeout: no longer applies
        #expect(channel.isActive)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "x")))
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(!channel.isActive)
    }

    @Test func noDeadlineWhileAnsweringThenIdleAfterTheResponse() throws {
        let channel = try makeChannel()
        try channel.writeInbound(Self.head)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(3600)) // a long command
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}
