/// A seccomp profile compiled to classic BPF for this machine: what the child installs.
///
/// Immutable and shared between all jobs that use the same profile; the bytes are a
/// `struct sock_filter` array exactly as the kernel takes it.
public struct CompiledSeccompFilter: Sendable, Hashable {
    /// The BPF program (`struct sock_filter[]`, 8 bytes per instruction).
    public let program: [UInt8]
    /// Flags for seccomp(2) (`SECCOMP_FILTER_FLAG_*`).
    public let flags: UInt32
    /// SHA-256 of the profile file it came from.
    public let profileHash: String
    /// The profile's display name.
    public let profileName: String

    /// Wraps an already compiled program (e.g. one exported by another tool).
    public init(program: [UInt8], flags: UInt32 = 0, profileHash: String, profileName: String) {
        self.program = program
        self.flags = flags
        self.profileHash = profileHash
        self.profileName = profileName
    }

    /// Number of BPF instructions.
    public var instructionCount: Int { program.count / 8 }
}
