import Foundation
import Policy
import Sandbox
import Testing

private let filters: (default: CompiledSeccompFilter, strict: CompiledSeccompFilter) = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    let compiler = SeccompCompiler()
    do {
        return (try compiler.load(contentsOf: url.path + "/policy/seccomp/default.json"),
                try compiler.load(contentsOf: url.path + "/policy/seccomp/strict.json"))
    } catch { fatalError("\(error)") }
}()

private func nr(_ name: String) throws -> Int32 {
    try #require(CompiledSeccompFilter.syscallNumber(name), "\(name) has no number here")
}

/// The compiled BPF itself, run through a classic-BPF interpreter: what the kernel will decide,
/// including argument checks on all 64 bits.
@Suite("Compiled filters, simulated")
struct CompiledFilterSimulationTests {
    @Test("ordinary syscalls are allowed", arguments: ["read", "write", "openat", "mmap", "execve", "execveat",
                                                       "exit_group", "futex", "rt_sigreturn", "prctl", "seccomp"])
    func allowed(_ name: String) throws {
        #expect(filters.default.evaluate(syscall: try nr(name)) == .allow)
    }

    @Test("the denied set answers EPERM", arguments: ["mount", "umount2", "ptrace", "bpf", "kexec_load", "init_module",
                                                      "finit_module", "delete_module", "keyctl", "add_key", "unshare",
                                                      "setns", "pivot_root", "swapon", "reboot", "perf_event_open",
                                                      "userfaultfd", "open_by_handle_at", "io_uring_setup",
                                                      "setsid", "setpgid"])
    func denied(_ name: String) throws {
        #expect(filters.default.evaluate(syscall: try nr(name)) == .errno(1))
        #expect(filters.strict.evaluate(syscall: try nr(name)) == .errno(1))
    }

    @Test("clone3 and unknown numbers answer ENOSYS")
    func enosys() throws {
        #expect(filters.default.evaluate(syscall: try nr("clone3")) == .errno(38))
        #expect(filters.default.evaluate(syscall: 999) == .errno(38))
    }

    @Test("clone without namespace flags is allowed; with CLONE_NEWUSER it is not")
    func cloneFlags() throws {
        let clone = try nr("clone")
        let threadFlags: UInt64 = 0x3d0f00 // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
        #expect(filters.default.evaluate(syscall: clone, args: [threadFlags]) == .allow)
        #expect(filters.default.evaluate(syscall: clone, args: [0x11]) == .allow) // fork(): SIGCHLD
        #expect(filters.default.evaluate(syscall: clone, args: [0x1000_0000 | 0x11]) != .allow) // CLONE_NEWUSER
        #expect(filters.default.evaluate(syscall: clone, args: [0x2000_0000 | 0x11]) != .allow) // CLONE_NEWPID
    }

    @Test("socket families are matched on all 64 bits")
    func socketFamilies() throws {
        let socket = try nr("socket")
        #expect(filters.default.evaluate(syscall: socket, args: [2, 1, 0]) == .allow)      // AF_INET
        #expect(filters.default.evaluate(syscall: socket, args: [1, 1, 0]) == .allow)      // AF_UNIX
        #expect(filters.default.evaluate(syscall: socket, args: [10, 1, 0]) == .allow)     // AF_INET6
        #expect(filters.default.evaluate(syscall: socket, args: [16, 3, 0]) == .allow)     // AF_NETLINK
        #expect(filters.default.evaluate(syscall: socket, args: [31, 1, 0]) != .allow)     // AF_BLUETOOTH
        #expect(filters.default.evaluate(syscall: socket, args: [44, 3, 0]) != .allow)     // AF_XDP
        #expect(filters.default.evaluate(syscall: socket, args: [40, 1, 0]) == .errno(97)) // AF_VSOCK
        #expect(filters.default.evaluate(syscall: socket, args: [38, 5, 0]) == .errno(97)) // AF_ALG
        // AF_VSOCK with a high bit set: the kernel would truncate it to 40.
        #expect(filters.default.evaluate(syscall: socket, args: [0x1_0000_0028, 1, 0]) != .allow)
        #expect(filters.strict.evaluate(syscall: socket, args: [2, 1, 0]) == .errno(97))
        #expect(filters.strict.evaluate(syscall: socket, args: [1, 1, 0]) == .allow)
        #expect(filters.strict.evaluate(syscall: socket, args: [0x1_0000_0001, 1, 0]) != .allow)
    }

    @Test("a foreign architecture is killed, not evaluated")
    func foreignArch() throws {
        // AUDIT_ARCH_I386: i386 syscalls through int 0x80 on x86_64 would otherwise dodge the rules.
        #expect(filters.default.evaluate(syscall: 0, arch: 0x4000_0003) == .killProcess)
    }

    @Test("compat ABIs are killed even when a profile lists them")
    func compatArchitecturesKilled() throws {
        let profile = try SeccompProfile.parse(Array(#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]}]}"#.utf8), name: "compat")
        let filter = try SeccompCompiler().compile(profile)
        // i386 (socketcall multiplexing would defeat the argument check) and x32.
        #expect(filter.evaluate(syscall: 102, arch: 0x4000_0003) == .killProcess)
        #if arch(x86_64)
        #expect(filter.evaluate(syscall: 0x4000_0029, arch: CompiledSeccompFilter.nativeArchitecture) == .killProcess)
        #endif
        #expect(filter.evaluate(syscall: try nr("socket"), args: [2]) == .errno(1))
    }

    @Test("the simulator refuses a program that does not return")
    func malformed() {
        let bogus = CompiledSeccompFilter(program: [0x20, 0, 0, 0, 0, 0, 0, 0], profileHash: "", profileName: "bogus")
        #expect(bogus.evaluate(syscall: 0) == nil)
    }
}
