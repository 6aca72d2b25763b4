import Foundation
import Policy
import Sandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What the child sees of itself, asserted from the outside: the probe runs under the real
/// engine and reports its own /proc/self state.
extension Engine {
@Suite("Confinement seen from inside the child")
struct ConfinementTests {
    @Test("status: seccomp filter, no_new_privs, dropped ids, no capabilities")
    func status() async throws {
        let out = try await runProbe(["status"])
        #expect(out.result.termination == .exited(0))
        let f = out.statusFields
        #expect(f["Seccomp"] == "2")
        #expect(f["NoNewPrivs"] == "1")
        #expect(f["CapEff"] == "0000000000000000")
        #expect(f["CapPrm"] == "0000000000000000")
        let expectedUid = isRoot ? "65534" : String(getuid())
        let gid = isRoot ? "65534" : String(getgid())
        #expect(f["Uid"]?.split(separator: "\t").map(String.init) == Array(repeating: expectedUid, count: 4))
        #expect(f["Gid"]?.split(separator: "\t").map(String.init) == Array(repeating: gid, count: 4))
        if isRoot { #expect(f["Groups"] == "") }
    }

    @Test("only fds 0, 1, 2 are open in the child")
    func fds() async throws {
        let out = try await runProbe(["fds"])
        #expect(out.stdoutText == "0\n1\n2\n")
    }

    @Test("environ is exactly the prepared environment")
    func environment() async throws {
        setenv("HTTPEXEC_TEST_LEAK", "must-not-appear", 1)
        let out = try await runProbe(["environ"]) { spec in
            spec.environment = [EnvironmentVariable("A", "1"), EnvironmentVariable("B", "x y=z"), EnvironmentVariable("PATH", "/bin")]
        }
        #expect(out.stdoutText == "A=1\nB=x y=z\nPATH=/bin\n")
    }

    @Test("each requested rlimit is applied as soft and hard limit")
    func rlimits() async throws {
        let out = try await runProbe(["limits"]) { spec in
            spec.limits = ResourceLimits(
                core: 0, openFiles: 77, processes: 321, fileSize: 1 << 20, cpuSeconds: 9,
                addressSpace: 3 << 30, stack: 4 << 20)
        }
        var limits: [String: String] = [:]
        for line in out.stdoutText.split(separator: "\n") {
            let p = line.split(separator: " ")
            if p.count == 3 { limits[String(p[0])] = "\(p[1]) \(p[2])" }
        }
        #expect(limits["CORE"] == "0 0")
        #expect(limits["NOFILE"] == "77 77")
        #expect(limits["NPROC"] == "321 321")
        #expect(limits["FSIZE"] == "1048576 1048576")
        #expect(limits["CPU"] == "9 9")
        #expect(limits["AS"] == "3221225472 3221225472")
        #expect(limits["STACK"] == "4194304 4194304")
    }

    @Test("signals: default dispositions and an empty mask; own session")
    func signalsAndSession() async throws {
        let mask = try await runProbe(["sigmask"]).statusFields
        #expect(mask["SigBlk"] == "0000000000000000")
        #expect(mask["SigIgn"] == "0000000000000000")
        let sid = try await runProbe(["sid"])
        #expect(Int32(sid.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) == sid.result.pid)
        let ppid = try await runProbe(["ppid"])
        #expect(Int32(ppid.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) == getpid())
    }

    @Test("the default profile denies the dangerous set with its errno")
    func defaultProfileDenials() async throws {
        let out = try await runProbe(["try", "getpid", "unshare", "clone3", "ptrace", "bpf", "keyctl", "mount",
                                      "userfaultfd", "io_uring_setup", "perf_event_open", "socket_inet", "socket_unix"])
        let r = out.keyValues
        #expect(r["getpid"] == "0")
        #expect(r["unshare"] == "1", "unshare(0) succeeds unfiltered, so EPERM can only come from the filter")
        #expect(r["clone3"] == "38", "clone3 must answer ENOSYS so glibc falls back to clone")
        for name in ["ptrace", "bpf", "keyctl", "mount", "userfaultfd", "io_uring_setup", "perf_event_open"] {
            #expect(r[name] == "1", "\(name) should be EPERM, got \(r[name] ?? "nothing")")
        }
        #expect(r["socket_inet"] == "0")
        #expect(r["socket_unix"] == "0")
    }

    @Test("the strict profile also refuses network sockets")
    func strictProfileBlocksInet() async throws {
        let r = try await runProbe(["try", "socket_inet", "socket_unix", "unshare"], profileName: "strict").keyValues
        #expect(r["socket_inet"] == "97")
        #expect(r["socket_unix"] == "0")
        #expect(r["unshare"] == "1")
    }

    @Test("setuid(0) fails for the unprivileged job")
    func noSetuidBack() async throws {
        try #require(isRoot, "needs root: only a root launcher drops the job to nobody")
        #expect(try await runProbe(["try", "setuid0"]).keyValues["setuid0"] == "1")
    }
}
}
