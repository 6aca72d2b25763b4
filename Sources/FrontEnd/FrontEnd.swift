import LauncherProtocol

/// The HTTP front-end. The pure API layer (request decoding and validation, encodings, responses)
/// exists; until the server around it does, `httpexec-server` says so and exits non-zero.
public enum FrontEnd {
    /// Human-readable state of this component.
    public static let status =
        "the HTTP server is not implemented yet; its API layer is (launcher protocol v\(ProtocolVersion.current))"
}
