import CSeccomp
import CSpawn
import Policy
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Compiles seccomp profiles to BPF with libseccomp, once per (profile content, environment).
///
/// Compilation happens when a policy is loaded, never per request: jobs share the cached
/// ``CompiledSeccompFilter``. Every syscall name must be known to libseccomp (on some
/// architecture); a name it has never heard of is a load error naming the rule, because silently
/// dropping it would leave the call governed by the default action.
public final class SeccompCompiler: Sendable {
    private struct CacheKey: Hashable {
        let contentHash: String
        let environment: SeccompEnvironment
    }

    /// The facts `includes`/`excludes` are evaluated against.
    public let environment: SeccompEnvironment
    private let cache = Mutex<[CacheKey: CompiledSeccompFilter]>([:])

    /// Creates a compiler for this machine (children without capabilities).
    public init(environment: SeccompEnvironment = .host(kernelRelease: HostInfo.kernelRelease)) {
        self.environment = environment
    }

    /// Number of distinct filters compiled so far (for tests and metrics).
    public var cachedFilterCount: Int { cache.withLock { $0.count } }

    /// Reads, parses and compiles a profile file.
    /// - Throws: `PolicyError` (unreadable file, malformed profile, unknown names, compile failure).
    public func load(contentsOf path: String, name: String? = nil) throws(PolicyError) -> CompiledSeccompFilter {
        let bytes = try PolicyFileSystem.contents(of: path)
        var display = name ?? String(path.split(separator: "/").last ?? "profile")
        if name == nil, display.hasSuffix(".json") { display.removeLast(5) }
        do {
            return try compile(SeccompProfile.parse(bytes, name: display))
        } catch {
            // Point at the file and, where the offending token is quoted in it, the line.
            throw PolicyError(error.code, at: Self.locate(error, in: bytes, path: path), error.message)
        }
    }

    private static func locate(_ error: PolicyError, in bytes: [UInt8], path: String) -> String {
        var location = path
        if let start = error.message.firstIndex(of: "\""), let end = error.message[error.message.index(after: start)...].firstIndex(of: "\"") {
            let token = Array(error.message[start...end].utf8)
            if token.count > 2, let offset = bytes.firstRange(of: token)?.lowerBound {
                location += ":\(bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 })"
            }
        }
        if let rule = error.location { location += " \(rule)" }
        return location
    }

    /// Compiles a parsed profile, or returns the cached program for the same content.
    /// - Throws: `PolicyError` for unknown syscall or architecture names and libseccomp failures.
    public func compile(_ profile: SeccompProfile) throws(PolicyError) -> CompiledSeccompFilter {
        let key = CacheKey(contentHash: profile.contentHash, environment: environment)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let compiled = try Self.build(profile, environment: environment)
        cache.withLock { $0[key] = compiled }
        return compiled
    }

    // MARK: - libseccomp

    private static func build(_ profile: SeccompProfile, environment: SeccompEnvironment) throws(PolicyError) -> CompiledSeccompFilter {
        let defaultAction = libseccompAction(profile.defaultAction)
        guard let ctx = seccomp_init(defaultAction) else {
            throw PolicyError(.compileFailed, "libseccomp could not create a filter")
        }
        defer { seccomp_release(ctx) }

        // We set no_new_privs ourselves in the child; the filter must not try to.
        try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), "set CTL_NNP")
        try check(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0), "set CTL_TSYNC")
        // A syscall from an architecture the filter does not know (i386 int 0x80 on x86_64)
        // kills the whole process, not just the thread.
        try check(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, libseccompAction(.killProcess)), "set ACT_BADARCH")
        // Binary-tree dispatch keeps per-syscall cost flat for long allow-lists.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)

        try validateArchitectures(profile.architectures)

        // Every name of every rule is checked, including rules that are skipped below (identical
        // to the default, or excluded on this machine): a typo is wrong wherever it is.
        for rule in profile.rules {
            for name in rule.names where seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR {
                throw PolicyError(.unknownSyscall, at: rule.location, "unknown syscall name \"\(name)\"")
            }
        }

        for rule in profile.resolvedRules(for: environment) {
            if rule.action == profile.defaultAction { continue } // identical to "no rule"
            let action = libseccompAction(rule.action)
            var args = rule.args.map { arg in
                scmp_arg_cmp(arg: arg.index, op: compareOp(arg.op), datum_a: arg.value, datum_b: arg.valueTwo)
            }
            for name in rule.names {
                // A name that exists only on other architectures has nothing to filter here.
                let nr = seccomp_syscall_resolve_name_arch(seccomp_arch_native(), name)
                if nr < 0 { continue }
                // The exact variant: libseccomp may not rewrite the rule (the non-exact one turns
                // an argument check on i386 `socket` into an unchecked `socketcall`).
                let rc = args.withUnsafeMutableBufferPointer { buf in
                    seccomp_rule_add_exact_array(ctx, action, nr, UInt32(buf.count), buf.baseAddress)
                }
                if rc < 0 {
                    throw PolicyError(.compileFailed, at: rule.location, "libseccomp rejected \"\(name)\" (\(String(cString: strerror(-rc))))")
                }
            }
        }

        let program = try export(ctx)
        guard !program.isEmpty, program.count % 8 == 0, program.count / 8 <= 4096 else {
            throw PolicyError(.compileFailed, "compiled program has \(program.count / 8) instructions; the kernel accepts 1-4096")
        }
        let compiled = CompiledSeccompFilter(
            program: program, flags: profile.flagBits, profileHash: profile.contentHash, profileName: profile.name)
        // The child installs the filter and then still has to exec — or, when exec fails, exit.
        // A profile that denies those would leave every job unable to start or to leave.
        for name in ["execveat", "exit_group", "exit"] {
            guard let nr = CompiledSeccompFilter.syscallNumber(name) else { continue }
            let verdict = compiled.evaluate(syscall: nr)
            guard verdict == .allow || verdict == .log else {
                throw PolicyError(.invalidField, at: "profile", "the profile must allow \(name): the launcher execs jobs with execveat after installing the filter, and a failed exec must be able to exit")
            }
        }
        return compiled
    }

    private static func validateArchitectures(_ names: [String]) throws(PolicyError) {
        for name in names {
            guard name.hasPrefix("SCMP_ARCH_") else {
                throw PolicyError(.unknownArchitecture, at: "profile.architectures", "\"\(name)\" is not an SCMP_ARCH_* name")
            }
            let short = String(name.dropFirst("SCMP_ARCH_".count)).lowercased()
            guard seccomp_arch_resolve_name(short) != 0 else {
                throw PolicyError(.unknownArchitecture, at: "profile.architectures", "unknown architecture \"\(name)\"")
            }
        }
        // Only the native ABI is ever in the filter. Compat ABIs a profile lists (x86 and x32 on
        // x86_64, arm on aarch64) are deliberately left out, so their syscalls hit the bad-arch
        // action (kill): their multiplexed calls (i386 socketcall) defeat argument checks, and
        // jobs are 64-bit programs. The native arch is in every libseccomp filter already.
    }

    private static func export(_ ctx: scmp_filter_ctx) throws(PolicyError) -> [UInt8] {
        // seccomp_export_bpf_mem is libseccomp >= 2.6; Debian 12 has 2.5.4, so go through a memfd.
        let fd = hx_memfd_create("httpexec-bpf", 1 /* MFD_CLOEXEC */)
        guard fd >= 0 else { throw PolicyError(.compileFailed, "memfd_create failed (errno \(errno))") }
        defer { close(fd) }
        try check(seccomp_export_bpf(ctx, fd), "export BPF")
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0, lseek(fd, 0, SEEK_SET) == 0 else {
            throw PolicyError(.compileFailed, "exported BPF is empty")
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw PolicyError(.compileFailed, "could not read back the exported BPF") }
            done += n
        }
        return bytes
    }

    private static func check(_ rc: Int32, _ what: String) throws(PolicyError) {
        if rc < 0 { throw PolicyError(.compileFailed, "libseccomp: \(what) failed (\(String(cString: strerror(-rc))))") }
    }

    /// The inverse of ``libseccompAction(_:)``: what a filter's return value means.
    static func action(fromRaw raw: UInt32) -> SeccompAction? {
        let data = UInt16(raw & 0xffff)
        let candidates: [SeccompAction] = [.allow, .errno(data), .killProcess, .killThread, .trap, .trace(data), .log]
        return candidates.first { libseccompAction($0) == raw }
    }

    static func libseccompAction(_ action: SeccompAction) -> UInt32 {
        switch action {
        case .allow: 0x7fff_0000
        case .errno(let e): 0x0005_0000 | UInt32(e)
        case .killProcess: 0x8000_0000
        case .killThread: 0x0000_0000
        case .trap: 0x0003_0000
        case .trace(let e): 0x7ff0_0000 | UInt32(e)
        case .log: 0x7ffc_0000
        }
    }

    private static func compareOp(_ op: SeccompArgument.Operator) -> scmp_compare {
        switch op {
        case .notEqual: SCMP_CMP_NE
        case .lessThan: SCMP_CMP_LT
        case .lessOrEqual: SCMP_CMP_LE
        case .equal: SCMP_CMP_EQ
        case .greaterOrEqual: SCMP_CMP_GE
        case .greaterThan: SCMP_CMP_GT
        case .maskedEqual: SCMP_CMP_MASKED_EQ
        }
    }
}
