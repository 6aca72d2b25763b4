import LauncherProtocol

/// The HTTP front-end (issue 4). Until it exists, `httpexec-server` says so and exits non-zero.
public enum FrontEnd {
    /// Human-readable state of this component.
    public static let status = "the HTTP front-end is not implemented yet (launcher protocol v\(ProtocolVersion.current))"
}
