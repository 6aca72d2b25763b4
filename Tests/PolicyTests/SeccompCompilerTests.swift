import Foundation
import Policy
import Sandbox
import Testing

private let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

@Suite("Compiling profiles with libseccomp")
struct SeccompCompilerTests {
    @Test("the shipped profiles compile", arguments: ["default", "strict"])
    func shippedProfilesCompile(_ name: String) throws {
        let filter = try SeccompCompiler().load(contentsOf: "\(repoRoot)/policy/seccomp/\(name).json")
        #expect(filter.instructionCount > 50)
        #expect(filter.profileName == name)
        #expect(filter.profileHash.count == 64)
    }

    @Test("compiled programs are cached by content hash")
    func cache() throws {
        let compiler = SeccompCompiler()
        let path = "\(repoRoot)/policy/seccomp/default.json"
        let a = try compiler.load(contentsOf: path)
        let b = try compiler.load(contentsOf: path)
        #expect(a == b)
        #expect(compiler.cachedFilterCount == 1)
        _ = try compiler.load(contentsOf: "\(repoRoot)/policy/seccomp/strict.json")
        #expect(compiler.cachedFilterCount == 2)
    }

    @Test("an unknown syscall name is a load error naming the rule and the name")
    func unknownSyscall() throws {
        let profile = try SeccompProfile.parse(Array("""
        {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
          {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "basic io"},
          {"names": ["mount", "mountt"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "comment": "no mounting"}]}
        """.utf8), name: "typo")
        do {
            _ = try SeccompCompiler().compile(profile)
            Issue.record("a typo in a syscall name must not compile")
        } catch {
            #expect(error.code == .unknownSyscall)
            #expect(error.description.contains("syscalls[1] \"no mounting\""))
            #expect(error.description.contains("\"mountt\""))
        }
    }

    @Test("a name that exists only on another architecture is accepted")
    func foreignArchName() throws {
        // arm_fadvise64_64 exists on 32-bit ARM only; open exists on x86_64 but not on aarch64.
        let profile = try SeccompProfile.parse(Array("""
        {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
          {"names": ["arm_fadvise64_64", "open", "openat", "exit_group", "exit", "execveat"], "action": "SCMP_ACT_ALLOW"}]}
        """.utf8), name: "foreign")
        #expect(try SeccompCompiler().compile(profile).instructionCount > 0)
    }

    @Test("a profile that would leave jobs unable to exec or exit is refused", arguments: ["execveat", "exit_group", "exit"])
    func mustAllowExecAndExit(_ missing: String) throws {
        let names = ["execveat", "exit_group", "exit", "read", "write"].filter { $0 != missing }
        let json = #"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["# + names.map { "\"\($0)\"" }.joined(separator: ", ") + #"], "action": "SCMP_ACT_ALLOW"}]}"#
        let profile = try SeccompProfile.parse(Array(json.utf8), name: "no-\(missing)")
        #expect(throws: PolicyError.self) { try SeccompCompiler().compile(profile) }
    }

    @Test("unknown architecture names are load errors")
    func unknownArch() throws {
        let profile = try SeccompProfile.parse(Array(#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}"#.utf8), name: "z80")
        #expect(throws: PolicyError.self) { try SeccompCompiler().compile(profile) }
    }

    @Test("the default profile's denied set is never allowed")
    func deniedSetNotAllowed() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(repoRoot)/policy/seccomp/default.json")))
        let profile = try SeccompProfile.parse(bytes, name: "default")
        let allowed = Set(profile.rules.filter { $0.action == .allow }.flatMap(\.names))
        let dangerous: Set = ["mount", "umount2", "ptrace", "kexec_load", "kexec_file_load", "bpf", "init_module",
                              "finit_module", "delete_module", "keyctl", "add_key", "request_key", "unshare", "setns",
                              "pivot_root", "swapon", "swapoff", "reboot", "perf_event_open", "userfaultfd",
                              "open_by_handle_at", "clone3", "io_uring_setup"]
        #expect(allowed.intersection(dangerous).isEmpty)
        #expect(profile.defaultAction == .errno(38))
        let clone3 = profile.rules.first { $0.names.contains("clone3") }
        #expect(clone3?.action == .errno(38))
    }
}
