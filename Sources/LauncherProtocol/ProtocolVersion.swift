/// The launcher wire protocol's version. The frame codec arrives with the launcher service
/// (issue 3); this target exists now so the dependency direction is fixed from the start.
public enum ProtocolVersion {
    /// The version this build speaks.
    public static let current: UInt16 = 1
}
