import Policy
import Testing

private func parse(_ json: String) throws(PolicyError) -> SeccompProfile {
    try SeccompProfile.parse(Array(json.utf8), name: "test")
}

private func expectError(_ code: PolicyError.Code, mentioning fragment: String, in json: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try parse(json)
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Seccomp profile parsing (OCI/Docker JSON)")
struct SeccompProfileParsingTests {
    @Test("an OCI profile parses with actions, errno, args and a content hash")
    func parsesOCI() throws {
        let p = try parse("""
        {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
         "architectures": ["SCMP_ARCH_X86_64"],
         "syscalls": [
           {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
           {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
            "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_NE"}]},
           {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}
         ]}
        """)
        #expect(p.defaultAction == .errno(38))
        #expect(p.rules.count == 3)
        #expect(p.rules[1].action == .errno(97))
        #expect(p.rules[1].args == [SeccompArgument(index: 0, value: 1, op: .notEqual)])
        #expect(p.rules[2].args[0].op == .maskedEqual)
        #expect(p.contentHash.count == 64)
    }

    @Test("the content hash follows the bytes")
    func hashFollowsBytes() throws {
        let a = try parse(#"{"defaultAction": "SCMP_ACT_ALLOW"}"#)
        let b = try parse(#"{"defaultAction":  "SCMP_ACT_ALLOW"}"#)
        #expect(a.contentHash != b.contentHash)
        #expect(a.contentHash == (try parse(#"{"defaultAction": "SCMP_ACT_ALLOW"}"#)).contentHash)
    }

    @Test("SCMP_ACT_ERRNO without errnoRet means EPERM, as the runtime spec says")
    func errnoDefault() throws {
        #expect(try parse(#"{"defaultAction": "SCMP_ACT_ERRNO"}"#).defaultAction == .errno(1))
    }

    @Test("unknown actions are load errors naming the rule")
    func unknownAction() {
        expectError(.unknownAction, mentioning: "syscalls[1] \"tracing\"", in: """
        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
          {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
          {"names": ["ptrace"], "action": "SCMP_ACT_DENY", "comment": "tracing"}]}
        """)
    }

    @Test("unknown operators are load errors naming the rule")
    func unknownOperator() {
        expectError(.unknownOperator, mentioning: "SCMP_CMP_BETWEEN", in: """
        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
          {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 2, "op": "SCMP_CMP_BETWEEN"}]}]}
        """)
    }

    @Test("unknown keys are errors, not silently ignored", arguments: [
        #"{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrno": 1}"#,
        #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoret": 1}]}"#,
        #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "op": "SCMP_CMP_EQ", "valeu": 1}]}]}"#,
    ])
    func unknownKeys(_ json: String) {
        expectError(.unknownField, mentioning: "unknown key", in: json)
    }

    @Test("NOTIFY and listener paths are refused: we run no listener")
    func notifyUnsupported() {
        expectError(.unsupported, mentioning: "SCMP_ACT_NOTIFY", in: #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOTIFY"}]}"#)
        expectError(.unsupported, mentioning: "listenerPath", in: #"{"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/x.sock"}"#)
    }

    @Test("malformed input and wrong types are reported", arguments: [
        ("{", PolicyError.Code.malformed),
        ("[]", .invalidField),
        (#"{"syscalls": []}"#, .invalidField),
        (#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], "action": "SCMP_ACT_ALLOW"}]}"#, .invalidField),
        (#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000}]}"#, .invalidField),
        (#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "op": "SCMP_CMP_EQ"}]}]}"#, .invalidField),
        (#"{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC"]}"#, .unsupported),
    ])
    func malformed(_ json: String, _ code: PolicyError.Code) {
        do {
            _ = try parse(json)
            Issue.record("expected \(code)")
        } catch {
            #expect(error.code == code, "\(error)")
        }
    }
}

@Suite("Docker includes/excludes, evaluated at load time")
struct SeccompConditionTests {
    let profile: SeccompProfile

    init() throws {
        profile = try parse("""
        {"defaultAction": "SCMP_ACT_ERRNO",
         "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
         "syscalls": [
          {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
          {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
          {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
          {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
          {"names": ["old_thing"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "5.0"}}
         ]}
        """)
    }

    private func names(_ env: SeccompEnvironment) -> Set<String> {
        Set(profile.resolvedRules(for: env).flatMap(\.names))
    }

    @Test("archMap expands into architectures")
    func archMap() {
        #expect(profile.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
    }

    @Test("a child without capabilities on amd64, kernel 6.1")
    func unprivilegedAmd64() {
        let n = names(SeccompEnvironment(architecture: "amd64", capabilities: [], kernel: KernelVersion(major: 6, minor: 1)))
        #expect(n == ["read", "clone", "arch_prctl", "ptrace"])
    }

    @Test("CAP_SYS_ADMIN on arm64, kernel 4.4")
    func adminArm64OldKernel() {
        let n = names(SeccompEnvironment(architecture: "arm64", capabilities: ["CAP_SYS_ADMIN"], kernel: KernelVersion(major: 4, minor: 4)))
        #expect(n == ["read", "bpf", "old_thing"])
    }

    @Test("kernel versions parse from uname releases")
    func kernelParsing() {
        #expect(KernelVersion(parsing: "6.18.44-fc-v595") == KernelVersion(major: 6, minor: 18))
        #expect(KernelVersion(parsing: "5.10") == KernelVersion(major: 5, minor: 10))
        #expect(KernelVersion(parsing: "banana") == nil)
    }
}
