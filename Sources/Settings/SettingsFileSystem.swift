import Host

/// The only I/O of this module: reading the settings file, and asking what is at a path when
/// settings are validated (both through `HostPath`, shared with the policy loader).
enum SettingsFileSystem {
    typealias Kind = HostPath.Kind

    /// The largest settings file accepted (a real one is a few hundred bytes).
    static let maxFileBytes = 1 << 20

    static func absolute(_ path: String, relativeTo directory: String) -> String {
        HostPath.absolute(path, relativeTo: directory)
    }

    static func kind(of path: String) -> Kind { HostPath.kind(of: path) }

    /// The bytes of the file at `path`, or why they cannot be had.
    static func contents(of path: String) -> Result<[UInt8], HostPath.ReadFailure> {
        HostPath.contents(of: path, limit: maxFileBytes)
    }
}
