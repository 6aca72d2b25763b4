/// The facts Docker's `includes` / `excludes` conditions are evaluated against.
public struct SeccompEnvironment: Sendable, Hashable {
    /// Go-style name of the running architecture (`amd64`, `arm64`), as Docker profiles use.
    public var architecture: String
    /// Effective capabilities the *child* will hold: empty for every job that does not run as root.
    public var capabilities: Set<String>
    /// The running kernel.
    public var kernel: KernelVersion

    /// Creates an environment.
    public init(architecture: String, capabilities: Set<String>, kernel: KernelVersion) {
        self.architecture = architecture
        self.capabilities = capabilities
        self.kernel = kernel
    }

    /// The running machine, for a child with no capabilities.
    public static func host(kernelRelease: String) -> SeccompEnvironment {
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return SeccompEnvironment(
            architecture: arch, capabilities: [],
            kernel: KernelVersion(parsing: kernelRelease) ?? KernelVersion(major: 0, minor: 0))
    }
}

extension SeccompProfile {
    /// The rules that apply in `environment`, with Docker's conditions evaluated the way moby does:
    /// a rule is kept when every `includes` part holds (all listed capabilities present, the
    /// architecture listed, the kernel at least `minKernel`) and no `excludes` part holds (any
    /// listed capability present, the architecture listed, the kernel at least `minKernel`).
    public func resolvedRules(for environment: SeccompEnvironment) -> [SeccompRule] {
        rules.filter { rule in
            let inc = rule.includes
            if !inc.caps.allSatisfy(environment.capabilities.contains) { return false }
            if !inc.arches.isEmpty && !inc.arches.contains(environment.architecture) { return false }
            if let k = inc.minKernel, environment.kernel < k { return false }
            let exc = rule.excludes
            if exc.caps.contains(where: environment.capabilities.contains) { return false }
            if exc.arches.contains(environment.architecture) { return false }
            if let k = exc.minKernel, environment.kernel >= k { return false }
            return true
        }
    }

    /// The install flags as the bit mask the seccomp(2) syscall takes.
    public var flagBits: UInt32 {
        flags.reduce(0) { $0 | (Self.supportedFlags[$1] ?? 0) }
    }
}
