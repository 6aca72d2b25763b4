import CSeccomp

#if canImport(Glibc)
import Glibc
#endif

/// `httpexec-server confinement-self-test` (hidden): confines the process exactly as the server
/// does, then tries what the confinement must stop and what the server must still be able to do,
/// from a thread that existed before, one created afterwards, and the main thread.
///
/// Output, one line per attempt: `NAME ok` or `NAME errno=N` (foreign-ABI attempts, which must
/// kill their process: `NAME killed signal=N` or `NAME exit=N`), then the Seccomp, NoNewPrivs, Uid
/// and CapEff lines of /proc/self/status, then `PASS` or `FAIL: names`.
enum ConfinementProbe {
    /// Runs the self-test; 0 when every forbidden attempt failed with the filter's errno and every
    /// allowed one succeeded, 1 otherwise.
    static func run() -> Int32 {
        var failed: [String] = []

        // A thread that exists before the drop and the filter, parked on a pipe: the server's
        // NIO threads are in this position. The drop must reach it (glibc's set*id broadcast),
        // and so must the filter (TSYNC).
        var wake: [Int32] = [-1, -1]
        guard pipe(&wake) == 0 else {
            print("pipe errno=\(errno)")
            return 1
        }
        var earlyFailures: [String] = []
        let early = startThread {
            var byte: UInt8 = 0
            while read(wake[0], &byte, 1) < 0 && errno == EINTR {}
            earlyFailures = runAttempts(prefix: "early")
        }
        guard case .success(let earlyThread) = early else {
            print("early-thread failed")
            return 1
        }

        if geteuid() == 0 {
            let nobody = PrivilegeDrop.resolveUser("65534", fallbackUID: 65534)
            do {
                try PrivilegeDrop.drop(toUID: nobody.uid, gid: nobody.gid)
                print("privdrop: uid \(nobody.uid) gid \(nobody.gid) (\(nobody.name ?? "no passwd entry")), no groups, no capabilities")
            } catch {
                print("privdrop: \(error)")
                return 1
            }
        }

        // These kill the process that tries them, so each runs in a child confined on its own,
        // forked while forking is still allowed.
        for (name, call) in foreignABICalls {
            if !expectKilledBySIGSYS(name, call) { failed.append(name) }
        }

        let report: SelfConfinement.Report
        do {
            report = try SelfConfinement.apply()
        } catch {
            print("confinement: \(error)")
            return 1
        }
        for line in report.lines { print(line) }
        if !report.absentSyscalls.isEmpty {
            print("seccomp: not on this architecture: \(report.absentSyscalls.joined(separator: " "))")
        }

        // A thread created after the filter was loaded inherits it; the main thread and the
        // early one have it through TSYNC. All three are checked, one after the other.
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
        pthread_join(earlyThread, nil)
        close(wake[0])
        close(wake[1])
        failed += earlyFailures
        var threadFailures: [String] = []
        let rc = onNewThread { threadFailures = runAttempts(prefix: "thread") }
        if rc != 0 {
            print("thread errno=\(rc)")
            failed.append("thread")
        }
        failed += threadFailures
        failed += runAttempts(prefix: "main")

        if let status = ProcessStatus.fields() {
            for key in ["Seccomp", "NoNewPrivs", "Uid", "CapEff"] {
                print("\(key): \(status[key] ?? "?")")
            }
        }
        print(failed.isEmpty ? "PASS" : "FAIL: \(failed.joined(separator: " "))")
        return failed.isEmpty ? 0 : 1
    }

    // MARK: - Attempts

    private enum Expectation {
        case succeeds
        case failsWith(Int32)
    }

    /// An attempt returns nil on success, or the errno it failed with.
    private struct Attempt {
        let name: String
        let expectation: Expectation
        let run: () -> Int32?

        init(_ name: String, _ expectation: Expectation, _ run: @escaping () -> Int32?) {
            self.name = name
            self.expectation = expectation
            self.run = run
        }
    }

    /// Runs every attempt, prints its line, returns the names of those that did not do as expected.
    private static func runAttempts(prefix: String) -> [String] {
        var failed: [String] = []
        for attempt in attempts(prefix: prefix) {
            let name = "\(prefix).\(attempt.name)"
            let outcome = attempt.run()
            print(outcome.map { "\(name) errno=\($0)" } ?? "\(name) ok")
            switch (attempt.expectation, outcome) {
            case (.succeeds, nil): break
            case (.failsWith(let expected), let got?) where got == expected: break
            default: failed.append(name)
            }
        }
        return failed
    }

    private static func attempts(prefix: String) -> [Attempt] {
        let stream = Int32(SOCK_STREAM.rawValue)
        return [
            // Allowed: what the server keeps doing.
            Attempt("socket.unix", .succeeds) { closing(socket(AF_UNIX, stream, 0)) },
            Attempt("thread", .succeeds) { let rc = onNewThread {}; return rc == 0 ? nil : rc },
            Attempt("mmap.rw", .succeeds) { mapping(PROT_READ | PROT_WRITE) { _ in nil } },
            // Denied.
            Attempt("socket.inet", .failsWith(EAFNOSUPPORT)) { closing(socket(AF_INET, stream, 0)) },
            Attempt("socket.inet6", .failsWith(EAFNOSUPPORT)) { closing(socket(AF_INET6, stream, 0)) },
            Attempt("socket.netlink", .failsWith(EAFNOSUPPORT)) {
                closing(socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), 0))
            },
            // AF_INET in the low half (all the kernel reads), garbage in the high half.
            Attempt("socket.inet.high-bits", .failsWith(EAFNOSUPPORT)) {
                raw("socket", 0x1_0000_0000 | Int(AF_INET), Int(stream), 0)
            },
            Attempt("mmap.wx", .failsWith(EPERM)) { mapping(PROT_READ | PROT_WRITE | PROT_EXEC) { _ in nil } },
            Attempt("mprotect.exec", .failsWith(EPERM)) {
                mapping(PROT_READ | PROT_WRITE) { page in mprotect(page, 4096, PROT_READ | PROT_EXEC) == 0 ? nil : errno }
            },
            Attempt("fork", .failsWith(EPERM)) { reaping(hx_fe_try_fork()) },
            Attempt("clone.process", .failsWith(EPERM)) { reaping(hx_fe_try_clone_process()) },
            Attempt("clone3", .failsWith(ENOSYS)) { raw("clone3", 0, 0) },
            Attempt("posix_spawn", .failsWith(EPERM)) { spawnTrue() },
            // PTRACE_PEEKDATA on a pid that cannot exist: the kernel says ESRCH, only the filter
            // says EPERM. (PTRACE_TRACEME would prove the same, but if it ever got through, the
            // traced thread could not be reaped by a parent that is no debugger: a hang, not a FAIL.)
            Attempt("ptrace", .failsWith(EPERM)) { raw("ptrace", 2 /* PTRACE_PEEKDATA */, 0x3fff_ffff, 0, 0) },
            Attempt("process_vm_readv", .failsWith(EPERM)) { readOwnMemory() },
            Attempt("unshare.user", .failsWith(EPERM)) { raw("unshare", 0x1000_0000 /* CLONE_NEWUSER */) },
            // Last: if it worked, the process would be gone (and /bin/sh says so, and fails).
            Attempt("execve", .failsWith(EPERM)) { execShell(saying: "\(prefix).execve ok (process image replaced)") },
        ]
    }

    /// Calls that reach the kernel through a foreign ABI on x86_64: they must kill the process.
    private static var foreignABICalls: [(String, () -> Void)] {
        #if arch(x86_64)
        [
            ("x32.getpid", { _ = hx_fe_syscall6(0x4000_0000 | 39, 0, 0, 0, 0, 0, 0) }),
            ("i386.getpid", { _ = hx_fe_i386_getpid() }),
        ]
        #else
        []
        #endif
    }

    private static func expectKilledBySIGSYS(_ name: String, _ call: () -> Void) -> Bool {
        let pid = fork()
        if pid == 0 {
            do { _ = try SelfConfinement.apply() } catch { _exit(3) }
            call()
            _exit(2) // still alive: the call went through
        }
        guard pid > 0 else {
            print("\(name) errno=\(errno) (fork)")
            return false
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        if signal != 0 && signal != 0x7f {
            print("\(name) killed signal=\(signal)")
            return signal == SIGSYS
        }
        print("\(name) exit=\((status >> 8) & 0xff)")
        return false
    }

    // MARK: - Helpers

    private final class ThreadBody {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Runs `body` on a new pthread and joins it; 0, or pthread_create's error.
    private static func onNewThread(_ body: @escaping () -> Void) -> Int32 {
        switch startThread(body) {
        case .success(let thread):
            pthread_join(thread, nil)
            return 0
        case .failure(let error):
            return error.errno
        }
    }

    private struct ThreadError: Error { let errno: Int32 }

    /// Starts `body` on a new pthread, to be joined by the caller.
    private static func startThread(_ body: @escaping () -> Void) -> Result<pthread_t, ThreadError> {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return .failure(ThreadError(errno: rc))
        }
        return .success(thread)
    }

    /// A raw syscall by name (the number from libseccomp, as the filter sees it).
    private static func raw(_ name: String, _ args: Int...) -> Int32? {
        let nr = seccomp_syscall_resolve_name(name)
        guard nr >= 0 else { return ENOSYS }
        let a = args + Array(repeating: 0, count: 6 - args.count)
        let rc = hx_fe_syscall6(Int(nr), a[0], a[1], a[2], a[3], a[4], a[5])
        guard rc >= 0 else { return errno }
        if name == "socket" { close(Int32(rc)) }
        return nil
    }

    private static func closing(_ fd: Int32) -> Int32? {
        guard fd >= 0 else { return errno }
        close(fd)
        return nil
    }

    private static func reaping(_ pid: Int) -> Int32? {
        guard pid > 0 else { return errno }
        var status: Int32 = 0
        while waitpid(pid_t(pid), &status, 0) < 0 && errno == EINTR {}
        return nil
    }

    /// Maps one anonymous page with `prot`, runs `body` on it, unmaps it.
    private static func mapping(_ prot: Int32, _ body: (UnsafeMutableRawPointer) -> Int32?) -> Int32? {
        let page = mmap(nil, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let page, page != UnsafeMutableRawPointer(bitPattern: -1) else { return errno }
        defer { munmap(page, 4096) }
        return body(page)
    }

    /// posix_spawn of /bin/true: glibc's vfork-style clone (CLONE_VM|CLONE_VFORK, no CLONE_THREAD).
    private static func spawnTrue() -> Int32? {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        let rc = posix_spawn(&pid, "/bin/true", nil, nil, argv, envp)
        guard rc == 0 else { return rc }
        return reaping(Int(pid))
    }

    /// process_vm_readv on our own memory: allowed by the kernel, so only the filter stops it.
    private static func readOwnMemory() -> Int32? {
        var source: UInt64 = 0x5eed
        var target: UInt64 = 0
        return withUnsafeMutableBytes(of: &source) { src in
            withUnsafeMutableBytes(of: &target) { dst in
                var local = iovec(iov_base: dst.baseAddress, iov_len: dst.count)
                var remote = iovec(iov_base: src.baseAddress, iov_len: src.count)
                return withUnsafeMutablePointer(to: &local) { l in
                    withUnsafeMutablePointer(to: &remote) { r in
                        raw("process_vm_readv", Int(getpid()), Int(bitPattern: l), 1, Int(bitPattern: r), 1, 0)
                    }
                }
            }
        }
    }

    private static func execShell(saying message: String) -> Int32? {
        fflush(nil) // our lines so far must not be lost if the image is replaced
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sh"), strdup("-c"), strdup("echo '\(message)'; exit 1"), nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        execve("/bin/sh", argv, envp)
        return errno
    }
}
