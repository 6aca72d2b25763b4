import Host

/// The file-system facts the policy and seccomp-profile loaders need, in their error vocabulary.
/// The facts themselves come from `HostPath` (shared with the settings loader).
public enum PolicyFileSystem {
    typealias Kind = HostPath.Kind

    /// The largest policy file accepted (a real one is a few KiB).
    static let maxPolicyBytes = 1 << 20

    static func absolute(_ path: String, relativeTo directory: String) -> String {
        HostPath.absolute(path, relativeTo: directory)
    }

    static func directory(of path: String) -> String { HostPath.directory(of: path) }

    static func currentDirectory() -> String { HostPath.currentDirectory }

    static func kind(of path: String) -> Kind { HostPath.kind(of: path) }

    /// The bytes of a policy file.
    /// - Throws: `PolicyError.unreadable` (located at the path) when it cannot be opened or read,
    ///   or is larger than ``maxPolicyBytes``.
    public static func contents(of path: String) throws(PolicyError) -> [UInt8] {
        switch HostPath.contents(of: path, limit: maxPolicyBytes) {
        case .success(let bytes): return bytes
        case .failure(let failure): throw PolicyError(.unreadable, at: path, "the policy file \(failure.reason)")
        }
    }
}
