/// Decodes the front-end's frames; used by the launcher.
///
/// Feed it bytes as they arrive with `append(_:)`, then call `next()` until it returns `nil`
/// (before appending more, so the buffer holds at most one partial frame beyond what was read).
/// After an error the decoder stays failed: the connection must be closed.
public struct ClientMessageDecoder: Sendable {
    private var framer = FrameDecoder<ClientMessage>()

    /// Creates a decoder with an empty buffer.
    public init() {}

    /// Buffers bytes received from the peer. Ignored once the decoder has failed.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        framer.append(bytes)
    }

    /// The next complete message, or `nil` if more bytes are needed.
    /// - Throws: `ProtocolError` (a `frame.*` or `field.*` code) for a malformed frame; the same
    ///   error again on every later call.
    public mutating func next() throws(ProtocolError) -> ClientMessage? {
        try framer.next()
    }
}

/// Decodes the launcher's frames; used by the front-end.
///
/// Feed it bytes as they arrive with `append(_:)`, then call `next()` until it returns `nil`
/// (before appending more, so the buffer holds at most one partial frame beyond what was read).
/// After an error the decoder stays failed: the connection must be closed.
public struct LauncherMessageDecoder: Sendable {
    private var framer = FrameDecoder<LauncherMessage>()

    /// Creates a decoder with an empty buffer.
    public init() {}

    /// Buffers bytes received from the peer. Ignored once the decoder has failed.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        framer.append(bytes)
    }

    /// The next complete message, or `nil` if more bytes are needed.
    /// - Throws: `ProtocolError` (a `frame.*` or `field.*` code) for a malformed frame; the same
    ///   error again on every later call.
    public mutating func next() throws(ProtocolError) -> LauncherMessage? {
        try framer.next()
    }
}
