import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// The front-end could not drop its privileges or confine itself. The server must not serve
/// without its confinement, so every such error ends the process (fail closed).
struct ConfinementError: Error, Sendable, CustomStringConvertible {
    /// Stable codes: `confine.*` for no_new_privs and the seccomp filter, `privdrop.*` for the
    /// identity change.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        let rawValue: String
        private init(_ raw: String) { rawValue = raw }
        var description: String { rawValue }

        /// prctl(PR_SET_NO_NEW_PRIVS) failed or did not stick.
        static let noNewPrivs = Code("confine.nnp")
        /// libseccomp could not create a filter context or set one of its attributes.
        static let seccompSetup = Code("confine.seccomp.setup")
        /// A deny rule names a syscall libseccomp does not know, or libseccomp rejected it.
        static let seccompRule = Code("confine.seccomp.rule")
        /// The kernel refused the filter (or could not synchronise it to every thread).
        static let seccompLoad = Code("confine.seccomp.load")
        /// After loading, some thread is not under the filter or lacks no_new_privs.
        static let verify = Code("confine.verify")
        /// The target identity is root, or an id the kernel reads as "leave unchanged".
        static let privdropTarget = Code("privdrop.target")
        static let privdropSetgroups = Code("privdrop.setgroups")
        static let privdropSetresgid = Code("privdrop.setresgid")
        static let privdropSetresuid = Code("privdrop.setresuid")
        /// The ids read back (per thread) are not the ones asked for.
        static let privdropVerify = Code("privdrop.verify")
        /// setuid(0)/setgid(0) did not fail with EPERM after the drop.
        static let privdropRegain = Code("privdrop.regain")
        /// Capabilities survived the drop (e.g. SECBIT_NO_SETUID_FIXUP set by a container runtime).
        static let privdropCapabilities = Code("privdrop.capabilities")
    }

    /// The stable code.
    let code: Code
    /// The errno of the failing call, when there was one.
    let errno: Int32?
    /// What went wrong, for the operator's log.
    let message: String

    init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    var description: String {
        guard let errno else { return "\(code): \(message)" }
        return "\(code): \(message) (errno \(errno): \(String(cString: strerror(errno))))"
    }
}

/// The front-end's confinement of itself, applied once after it has bound its listener and
/// dropped root: no_new_privs plus a default-allow seccomp filter, synchronised to every thread,
/// that denies what a compromised HTTP parser would need to go further — running programs,
/// creating processes, reading or steering other processes, new namespaces and mounts, kernel
/// attack surface (bpf, io_uring, keyrings, modules), identity changes, and network sockets.
/// What stays allowed is what a NIO server and its connection to the launcher use.
enum SelfConfinement {
    /// What was applied, for the startup log.
    struct Report: Sendable, CustomStringConvertible {
        /// Deny rules added to the filter (one per syscall and condition).
        let ruleCount: Int
        /// Deny-list syscalls that do not exist on this architecture (nothing to deny).
        let absentSyscalls: [String]
        /// Threads checked after loading (all under the filter, all with no_new_privs).
        let verifiedThreads: Int

        /// One line per layer.
        var lines: [String] {
            [
                "no_new_privs: on",
                "seccomp: \(ruleCount) rules, default allow, denies exec/fork/clone without CLONE_THREAD/ptrace/"
                    + "process_vm/namespaces/mount/bpf/io_uring/keyrings/modules/set*id, non-AF_UNIX sockets, "
                    + "W+X mappings; foreign ABIs killed; TSYNC (verified on \(verifiedThreads) thread\(verifiedThreads == 1 ? "" : "s"))",
            ]
        }

        var description: String { lines.joined(separator: "; ") }
    }

    /// Sets no_new_privs and loads the filter on every thread of the process.
    /// - Throws: ``ConfinementError`` (`confine.*`) when any step fails; the caller must exit.
    static func apply() throws(ConfinementError) -> Report {
        // Without no_new_privs the kernel only takes a filter from CAP_SYS_ADMIN, and an exec
        // (were one to slip through) could gain privileges from a set-id binary.
        guard hx_fe_set_no_new_privs() == 0 else {
            throw ConfinementError(.noNewPrivs, "prctl(PR_SET_NO_NEW_PRIVS) failed", errno: errno)
        }
        guard hx_fe_get_no_new_privs() == 1 else {
            throw ConfinementError(.noNewPrivs, "no_new_privs is not set after setting it", errno: errno)
        }
        let (ruleCount, absent) = try loadFilter()
        let threads = try verifyAllThreads()
        return Report(ruleCount: ruleCount, absentSyscalls: absent, verifiedThreads: threads)
    }

    // MARK: - The deny list

    /// One deny rule: the call fails with `errno` (when `condition` holds, or always).
    struct DenyRule: Sendable {
        enum Condition: Sendable {
            /// `(arg & mask) == value`.
            case maskedEqual(arg: UInt32, mask: UInt64, value: UInt64)
            /// `arg != value`, all 64 bits.
            case notEqual(arg: UInt32, value: UInt64)
        }

        let syscall: String
        let errno: Int32
        let condition: Condition?

        init(_ syscall: String, _ errno: Int32 = EPERM, when condition: Condition? = nil) {
            self.syscall = syscall
            self.errno = errno
            self.condition = condition
        }
    }

    private static let cloneThread: UInt64 = 0x0001_0000 // CLONE_THREAD
    private static let tiocsti: UInt64 = 0x5412 // TIOCSTI

    /// Syscalls that fail with EPERM whatever their arguments.
    static let deniedOutright: [String] = [
        // Running programs: the whole point of compromising the front-end would be to exec.
        "execve", "execveat",
        // New processes (threads are clones with CLONE_THREAD, below).
        "fork", "vfork",
        // Reading, writing or steering other processes (same-uid processes, the launcher's peers).
        "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp", "pidfd_getfd", "pidfd_open",
        // New views of the system: namespaces (user namespaces re-grant capabilities), mounts.
        "setns", "unshare", "mount", "umount2", "pivot_root", "chroot",
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        // Kernel attack surface a web front-end never needs.
        "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
        "keyctl", "add_key", "request_key",
        "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
        "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "uselib",
        // personality() can switch on READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE for later mappings.
        "personality",
        // File handles bypass path permission checks (the "shocker" container escape).
        "open_by_handle_at", "name_to_handle_at",
        // Device nodes.
        "mknod", "mknodat",
        // Identity changes: the ids were dropped before confinement and stay dropped.
        "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
        "setfsuid", "setfsgid", "capset",
    ]

    /// Every rule of the filter, in the order they are added.
    static var rules: [DenyRule] {
        deniedOutright.map { DenyRule($0) } + [
            // A new process is a clone without CLONE_THREAD (glibc's fork, posix_spawn's vfork
            // and raw clone(SIGCHLD) all are); new threads (NIO, Swift concurrency) carry it.
            DenyRule("clone", when: .maskedEqual(arg: 0, mask: cloneThread, value: 0)),
            // clone3 passes its flags in memory, where a filter cannot look. ENOSYS makes glibc
            // fall back to clone, whose flags the rule above can check.
            DenyRule("clone3", ENOSYS),
            // Only AF_UNIX (the launcher's socket, journald). The kernel reads the low 32 bits of
            // the domain, the filter compares all 64: "anything but exactly 1" denies every value
            // whose low half is another family (and, fail closed, 1 with garbage above it).
            // Listeners are bound before confinement; accept4 makes no new socket() call.
            DenyRule("socket", EAFNOSUPPORT, when: .notEqual(arg: 0, value: UInt64(AF_UNIX))),
            // W^X: no mapping both writable and executable, and nothing made executable later
            // (code injected into a buffer cannot be run). The mask reads only the two bits, so
            // the upper half of `prot` does not matter.
            DenyRule("mmap", when: .maskedEqual(arg: 2, mask: UInt64(PROT_WRITE | PROT_EXEC), value: UInt64(PROT_WRITE | PROT_EXEC))),
            DenyRule("mprotect", when: .maskedEqual(arg: 2, mask: UInt64(PROT_EXEC), value: UInt64(PROT_EXEC))),
            DenyRule("pkey_mprotect", when: .maskedEqual(arg: 2, mask: UInt64(PROT_EXEC), value: UInt64(PROT_EXEC))),
            // TIOCSTI pushes keystrokes into a terminal's input (the shell that started us). The
            // request is a 32-bit int to the kernel, so only the low half is compared.
            DenyRule("ioctl", when: .maskedEqual(arg: 1, mask: 0xffff_ffff, value: tiocsti)),
        ]
    }

    // MARK: - libseccomp

    private static func loadFilter() throws(ConfinementError) -> (rules: Int, absent: [String]) {
        guard let ctx = seccomp_init(SCMP_ACT_ALLOW) else {
            throw ConfinementError(.seccompSetup, "libseccomp could not create a filter")
        }
        defer { seccomp_release(ctx) }

        // no_new_privs was set (and checked) by us; libseccomp need not set it again.
        try attribute(ctx, SCMP_FLTATR_CTL_NNP, 0, "CTL_NNP")
        // NIO's event loops and Swift's cooperative pool already run: the filter must reach
        // every thread, or the attacker's code would just run on an unfiltered one.
        try attribute(ctx, SCMP_FLTATR_CTL_TSYNC, 1, "CTL_TSYNC")
        // The filter holds only the native ABI. A syscall through another one (i386 `int 0x80`
        // on x86_64, whose numbers mean different calls; x32, which libseccomp routes here too
        // when x32 is not in the filter) kills the process instead of running unchecked.
        try attribute(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS, "ACT_BADARCH")
        // Binary-tree dispatch: every allowed syscall (read, write, epoll_wait) pays log(n).
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)

        var added = 0
        var absent: [String] = []
        for rule in rules {
            let nr = seccomp_syscall_resolve_name(rule.syscall)
            if nr == __NR_SCMP_ERROR {
                // Fail closed: a name the library does not know would silently stay allowed.
                throw ConfinementError(.seccompRule, "libseccomp does not know the syscall \"\(rule.syscall)\"")
            }
            if nr < 0 { // exists on other architectures only (fork on aarch64)
                absent.append(rule.syscall)
                continue
            }
            var args: [scmp_arg_cmp] = switch rule.condition {
            case nil: []
            case .maskedEqual(let arg, let mask, let value):
                [scmp_arg_cmp(arg: arg, op: SCMP_CMP_MASKED_EQ, datum_a: mask, datum_b: value)]
            case .notEqual(let arg, let value):
                [scmp_arg_cmp(arg: arg, op: SCMP_CMP_NE, datum_a: value, datum_b: 0)]
            }
            let action = 0x0005_0000 | UInt32(rule.errno & 0xffff) // SCMP_ACT_ERRNO(errno)
            // The exact variant: libseccomp may not rewrite the rule for another ABI.
            let rc = args.withUnsafeMutableBufferPointer { buf in
                seccomp_rule_add_exact_array(ctx, action, nr, UInt32(buf.count), buf.baseAddress)
            }
            guard rc == 0 else {
                throw ConfinementError(.seccompRule, "libseccomp rejected the rule for \"\(rule.syscall)\"", errno: -rc)
            }
            added += 1
        }

        let rc = seccomp_load(ctx)
        guard rc == 0 else {
            // -ESRCH: TSYNC found a thread it could not synchronise (one with a filter of its own).
            throw ConfinementError(.seccompLoad, "the kernel refused the front-end's seccomp filter", errno: -rc)
        }
        return (added, absent)
    }

    private static func attribute(
        _ ctx: scmp_filter_ctx, _ attr: scmp_filter_attr, _ value: UInt32, _ name: String
    ) throws(ConfinementError) {
        let rc = seccomp_attr_set(ctx, attr, value)
        guard rc == 0 else { throw ConfinementError(.seccompSetup, "libseccomp: setting \(name) failed", errno: -rc) }
    }

    /// Reads every thread's status back: filter mode 2 and no_new_privs, or the load did not do
    /// what it promised.
    private static func verifyAllThreads() throws(ConfinementError) -> Int {
        let threads = ProcessStatus.threads()
        guard !threads.isEmpty else {
            throw ConfinementError(.verify, "cannot list /proc/self/task", errno: errno)
        }
        var checked = 0
        for tid in threads {
            guard let status = ProcessStatus.fields(thread: tid) else { continue } // exited meanwhile
            guard status["Seccomp"] == "2", status["NoNewPrivs"] == "1" else {
                throw ConfinementError(
                    .verify,
                    "thread \(tid) has Seccomp \(status["Seccomp"] ?? "?"), NoNewPrivs \(status["NoNewPrivs"] ?? "?")")
            }
            checked += 1
        }
        return checked
    }
}

/// `/proc/self/status` and its per-thread copies, as `Name: value` fields.
enum ProcessStatus {
    /// The thread ids of this process (empty when /proc is unavailable).
    static func threads() -> [String] {
        guard let dir = opendir("/proc/self/task") else { return [] }
        defer { closedir(dir) }
        var ids: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let first = name.utf8.first, first != UInt8(ascii: ".") { ids.append(name) }
        }
        return ids
    }

    /// The fields of one thread's status (`thread` nil: the process, i.e. its main thread), with
    /// the value's surrounding whitespace removed; nil when the file cannot be read.
    static func fields(thread: String? = nil) -> [String: String]? {
        let path = thread.map { "/proc/self/task/\($0)/status" } ?? "/proc/self/status"
        guard let text = readSmallFile(path) else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            fields[String(line[..<colon])] = String(value)
        }
        return fields
    }

    /// A capability set field (`CapEff`, `CapPrm`, …) as its bit mask.
    static func capabilities(_ field: String, in fields: [String: String]) -> UInt64? {
        fields[field].flatMap { UInt64($0, radix: 16) }
    }

    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
