import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// A job in the exact form the child consumes: NUL-terminated argv/envp arrays in one arena,
/// rlimit and group arrays, an opened working directory. Built once, validated completely, then
/// only read (by the engine thread and the vfork child).
public final class PreparedJob: @unchecked Sendable {
    /// The spec it was built from.
    public let spec: JobSpec
    let argv: UnsafeMutablePointer<UnsafePointer<CChar>?>
    let envp: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let arena: UnsafeMutableRawPointer
    let rlimits: [hx_rlimit]
    let groups: [UInt32]
    let workdirFd: Int32

    /// Validates `spec` and builds the child's arrays.
    /// - Throws: `SandboxError.invalidJob` for NUL bytes in argv/env, an empty or `=`-containing
    ///   environment name, a soft/hard mismatch, or a working directory that cannot be opened.
    public init(_ spec: JobSpec) throws(SandboxError) {
        let argStrings = [spec.argv0] + spec.arguments
        for (i, a) in argStrings.enumerated() where a.utf8.contains(0) {
            throw SandboxError(.invalidJob, "argument \(i) contains a NUL byte")
        }
        var envStrings: [String] = []
        envStrings.reserveCapacity(spec.environment.count)
        for v in spec.environment {
            guard !v.name.isEmpty, !v.name.utf8.contains(UInt8(ascii: "=")), !v.name.utf8.contains(0) else {
                throw SandboxError(.invalidJob, "invalid environment variable name")
            }
            guard !v.value.utf8.contains(0) else {
                throw SandboxError(.invalidJob, "environment variable \(v.name) contains a NUL byte")
            }
            envStrings.append(v.name + "=" + v.value)
        }

        var workdir: Int32 = -1
        if let dir = spec.workingDirectory {
            workdir = hx_open_path(dir, 1)
            guard workdir >= 0 else { throw SandboxError(.invalidJob, errno: errno, "the working directory cannot be opened") }
            if workdir < 3 {
                let moved = hx_dup_above(workdir, 3)
                close(workdir)
                workdir = moved
            }
        }

        // One arena for every string: a job costs three allocations, not one per argument.
        let total = (argStrings + envStrings).reduce(0) { $0 + $1.utf8.count + 1 }
        arena = UnsafeMutableRawPointer.allocate(byteCount: max(total, 1), alignment: 1)
        argv = .allocate(capacity: argStrings.count + 1)
        envp = .allocate(capacity: envStrings.count + 1)
        var cursor = arena
        func place(_ s: String) -> UnsafePointer<CChar> {
            let start = cursor
            let n = s.utf8.count
            s.utf8.withContiguousStorageIfAvailable { cursor.copyMemory(from: $0.baseAddress!, byteCount: n) }
                ?? { for (i, b) in s.utf8.enumerated() { cursor.storeBytes(of: b, toByteOffset: i, as: UInt8.self) } }()
            cursor.storeBytes(of: 0, toByteOffset: n, as: UInt8.self)
            cursor += n + 1
            return UnsafePointer(start.assumingMemoryBound(to: CChar.self))
        }
        for (i, s) in argStrings.enumerated() { argv[i] = place(s) }
        argv[argStrings.count] = nil
        for (i, s) in envStrings.enumerated() { envp[i] = place(s) }
        envp[envStrings.count] = nil

        var limits: [hx_rlimit] = []
        let l = spec.limits
        for (resource, value) in [
            (HX_RLIMIT_CORE, l.core), (HX_RLIMIT_NOFILE, l.openFiles), (HX_RLIMIT_NPROC, l.processes),
            (HX_RLIMIT_FSIZE, l.fileSize), (HX_RLIMIT_CPU, l.cpuSeconds), (HX_RLIMIT_AS, l.addressSpace),
            (HX_RLIMIT_STACK, l.stack),
        ] {
            if let value { limits.append(hx_rlimit(resource: Int32(resource), soft: value, hard: value)) }
        }
        rlimits = limits
        if case .user(_, _, let g) = spec.identity { groups = g } else { groups = [] }
        workdirFd = workdir
        self.spec = spec
    }

    deinit {
        arena.deallocate()
        argv.deallocate()
        envp.deallocate()
        if workdirFd >= 0 { close(workdirFd) }
    }

    /// The layers this job will have applied if it starts (reported in its result).
    public var layers: AppliedLayers {
        var ids: AppliedLayers.Identity = .launcher
        if case .user(let uid, let gid, _) = spec.identity { ids = .switched(uid: uid, gid: gid) }
        return AppliedLayers(
            seccompProfile: spec.seccomp?.profileName, seccompProfileHash: spec.seccomp?.profileHash,
            noNewPrivileges: true, identity: ids, rlimits: rlimits.count, newSession: true,
            parentDeathSignal: true, closedInheritedFds: true)
    }

    /// Debug builds honour fault injection (see `JobSpec.faultInjectionStep`); release builds
    /// compile the child without it, so the value is ignored there.
    var faultStep: Int32 {
        guard let code = spec.faultInjectionStep else { return 0 }
        for step in Int32(1)...11 where SandboxError.Code.forStep(step) == code { return step }
        return 0
    }
}
