import Foundation
import LauncherProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The launcher as it runs in a hardened container, where no container engine is available to
/// run one: `httpexec-container-sim` starts it the way runc/crun start a container process under
/// the runtime's default seccomp profile (no `unshare`/`setns`/`mount`/…, no namespace flags on
/// `clone`, `clone3` → ENOSYS), as a non-root uid with no capabilities at all (not even in the
/// bounding set: Kubernetes' `drop: [ALL]`) and without no_new_privs (Docker's default).
/// What must hold (docs/deployment.md, "Containers"): the launcher starts and reports single-uid
/// mode, and its jobs still run confined — their own filter stacked on the container's,
/// no_new_privs, no capabilities, the policy's rlimits — and still cannot use the launcher.
@Suite(
    "the launcher inside a container (runtime-default seccomp, no capabilities)", .serialized,
    .enabled(if: geteuid() == 0, "needs root to install the filter and switch uid"))
struct ContainerProfileTests {
    /// The launcher container's user: no account, no capabilities.
    static let containerUID: UInt32 = 61777
    /// The front-end container's user (two-container layout).
    static let frontEndUID: UInt32 = 61778

    private func job(_ command: String, _ args: [String]) -> StartJob {
        StartJob(requestID: "container-\(UInt32.random(in: 0...UInt32.max))", command: command, arguments: args,
                 clientAddress: "127.0.0.1")
    }

    /// A launcher started by the simulated runtime: single-uid policy (no `run_as`, which would
    /// need CAP_SETUID), no socket group (changing it would need CAP_CHOWN or membership), root
    /// plus `peers` as the peers, a few rlimits, and `sub/inner` without a filter of its own so the
    /// container's filter can be seen alone.
    private func containerLauncher(peers: String = "") throws -> LauncherFixture {
        let fixture = try LauncherFixture(
            extraPolicy: peers + "[[command]]\npath = \"sub/inner\"\nseccomp = \"unconfined\"\n",
            socketGroup: nil, start: false)
        // The fixture's template already has a [limits] table; TOML forbids a second one.
        let policy = try String(contentsOfFile: fixture.policyPath, encoding: .utf8)
            .replacingOccurrences(of: "[limits]\n", with: "[limits]\nopen_files = 123\nprocesses = 77\ncore = 0\n")
        try policy.write(toFile: fixture.policyPath, atomically: true, encoding: .utf8)
        chmod(fixture.policyPath, 0o644)
        // The launcher creates its socket here; owned by the container user, writable by no one else.
        #expect(chown(fixture.directory, Self.containerUID, Self.containerUID) == 0)
        let uid = String(Self.containerUID)
        try fixture.start(
            arguments: [uid, uid, "--", buildDirectory + "/httpexec-launcher", "--policy", fixture.policyPath],
            executable: buildDirectory + "/httpexec-container-sim")
        return fixture
    }

    /// `Key: value` lines (the probe's `status`, /proc/PID/status), whitespace collapsed.
    private func fields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace).joined(separator: " ")
            result[String(line[..<colon])] = value
        }
        return result
    }

    /// `NAME=VALUE` lines (the probe's `try`).
    private func results(_ text: String) -> [String: Int32] {
        var result: [String: Int32] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int32(parts[1]) { result[String(parts[0])] = value }
        }
        return result
    }

    @Test("the container's filter is on the launcher itself: Seccomp 2, uid 61777, no capabilities, no NNP")
    func launcherIsContained() throws {
        let fixture = try containerLauncher()
        // The sim exec'd into the launcher, so the pid Process started is the launcher's.
        let pid = try #require(fixture.process?.processIdentifier)
        let status = fields(try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8))
        #expect(status["Name"]?.hasPrefix("httpexec-launc") == true, "\(status["Name"] ?? "")")
        #expect(status["Seccomp"] == "2")
        #expect(status["Seccomp_filters"] == "1")
        #expect(status["NoNewPrivs"] == "0", "a runtime's default leaves no_new_privs to the container")
        #expect(status["Uid"] == "61777 61777 61777 61777")
        #expect(status["Gid"] == "61777 61777 61777 61777")
        for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(status[key] == "0000000000000000", "\(key)")
        }
        // Its start-up report names the layers as they are here.
        let log = fixture.log
        for line in [
            "layer seccomp: enforced",
            "layer no_new_privs: enforced",
            "layer uid switching: unavailable (single-uid mode: jobs run as uid 61777)",
            "layer pidfd: enforced",
            "layer rlimits: enforced",
            "jobs run as the launcher's own uid 61777 (single-uid mode)",
        ] {
            #expect(log.contains(line), "\(line) in \(log)")
        }
    }

    @Test("jobs run confined: their filter stacked on the container's, NNP, uid 61777, no capabilities, the policy's rlimits")
    func jobsRunConfined() throws {
        let fixture = try containerLauncher()
        let client = try LauncherClient.connected(fixture.socketPath)

        let status = try client.run(job("probe", ["status"]))
        #expect(status.summary?.termination == .exited(0), "\(fixture.log)")
        let seen = fields(status.stdoutText)
        #expect(seen["Seccomp"] == "2")
        #expect(seen["Seccomp_filters"] == "2", "the container's filter and the job's own")
        #expect(seen["NoNewPrivs"] == "1")
        #expect(seen["Uid"] == "61777 61777 61777 61777", "single-uid mode: the launcher's own uid")
        #expect(seen["Gid"] == "61777 61777 61777 61777")
        for key in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(seen[key] == "0000000000000000", "\(key)")
        }

        // The job's own filter runs first (filters are evaluated newest first, and of two ERRNO
        // answers the newer one's errno is kept), and httpexec's default profile answers exactly
        // as the runtime's does: EPERM for the namespace, mount, BPF and keyring calls, ENOSYS for
        // clone3. ptrace is denied by the job's profile (the container's would allow it); setuid(0)
        // is allowed by both filters and refused by the kernel: the job holds no CAP_SETUID.
        let denied = try client.run(job("probe", ["try", "unshare", "mount", "ptrace", "bpf", "keyctl", "setuid0", "clone3", "getpid"]))
        #expect(results(denied.stdoutText) == [
            "unshare": EPERM, "mount": EPERM, "ptrace": EPERM, "bpf": EPERM, "keyctl": EPERM,
            "setuid0": EPERM, "clone3": ENOSYS, "getpid": 0,
        ], "\(denied.stdoutText)")

        let limits = try client.run(job("probe", ["limits"])).stdoutText
        let lines = Set(limits.split(separator: "\n").map(String.init))
        for expected in ["NOFILE 123 123", "NPROC 77 77", "CORE 0 0"] {
            #expect(lines.contains(expected), "\(expected) in \(limits)")
        }

        // Same uid as the launcher, so the socket file is open to the job; SO_PEERCRED is what
        // keeps it out: 61777 is not a peer (the launcher refuses to start if it were).
        // The probe sees EOF or a reset, or — when the launcher closed before the probe's hello
        // was written — dies of SIGPIPE (the launcher gives jobs default dispositions) before its
        // buffered report is flushed.
        let back = try client.run(job("probe", ["connect", fixture.socketPath]))
        #expect(back.stdoutText == "connect=0\neof\n" || back.stdoutText == "connect=0\nread=\(ECONNRESET)\n"
                    || (back.stdoutText.isEmpty && back.summary?.termination == .signaled(SIGPIPE)),
                "\(back.stdoutText.debugDescription) \(String(describing: back.summary?.termination))")
        let end = Date().addingTimeInterval(5)
        while !fixture.log.contains("peer refused") && Date() < end { usleep(10_000) }
        let refusal = fixture.log.split(separator: "\n").first { $0.contains("peer refused") } ?? ""
        #expect(refusal.contains("uid=61777"), "\(fixture.log)")
    }

    @Test("a command with seccomp = \"unconfined\" still runs under the container's filter, and with NNP")
    func containerFilterAlone() throws {
        let fixture = try containerLauncher()
        let client = try LauncherClient.connected(fixture.socketPath)
        let seen = fields(try client.run(job("sub/inner", ["status"])).stdoutText)
        #expect(seen["Seccomp"] == "2")
        #expect(seen["Seccomp_filters"] == "1", "only the inherited container filter")
        #expect(seen["NoNewPrivs"] == "1")
        #expect(seen["Uid"] == "61777 61777 61777 61777")
        // Here the container's filter answers. Unfiltered, unshare(0) and keyctl(GET_KEYRING_ID)
        // would succeed and bpf(-1)/clone3(NULL, 0) give EINVAL, so these errnos are the filter's.
        // ptrace is allowed by it (as moby's profile does on kernels ≥ 4.8): PEEKDATA on a
        // process we do not trace is ESRCH. mount and setuid(0) fail in the kernel for want of
        // capabilities.
        let denied = try client.run(job("sub/inner", ["try", "unshare", "mount", "ptrace", "bpf", "keyctl", "setuid0", "clone3"]))
        #expect(results(denied.stdoutText) == [
            "unshare": EPERM, "mount": EPERM, "ptrace": ESRCH, "bpf": EPERM, "keyctl": EPERM,
            "setuid0": EPERM, "clone3": ENOSYS,
        ], "\(denied.stdoutText)")
        #expect(fixture.log.contains("seccomp: disabled for command sub/inner"))
    }

    @Test("two containers sharing the socket: a contained front-end (another uid, the socket's group) gets a confined job run")
    func frontEndInItsOwnContainer() throws {
        // The launcher's container: uid/gid 61777, socket 0660 with group 61777 on the shared
        // "volume" (the fixture directory). The front-end's container: uid 61778 with primary
        // group 61777 (in Kubernetes: a shared fsGroup), the one allowed peer. Jobs run as
        // 61777/61777, which is not a peer.
        let fixture = try containerLauncher(peers: "[peers]\nusers = [\"\(Self.frontEndUID)\"]\n")
        let httpDirectory = fixture.directory + "/http"
        try FileManager.default.createDirectory(atPath: httpDirectory, withIntermediateDirectories: false)
        #expect(chown(httpDirectory, Self.frontEndUID, Self.containerUID) == 0)
        let httpSocket = httpDirectory + "/http.sock"
        let frontEnd = try FrontEndProcess(
            launcherSocket: fixture.socketPath, listen: ["--unix", httpSocket],
            wrapper: [buildDirectory + "/httpexec-container-sim", String(Self.frontEndUID), String(Self.containerUID), "--"])
        try #require(frontEnd.waitForLog(" msg=listening ") != nil, "\(frontEnd.log)")

        let response = try HTTPTestClient(unixPath: httpSocket).request(
            "POST", "/probe", body: Array(#"{"args": ["status"], "stdout": {"capture": true}}"#.utf8))
        #expect(response.status == 200, "\(response) \(frontEnd.log) \(fixture.log)")
        #expect(response.json?["return"] as? Int == 0)
        let content = (response.json?["stdout"] as? [String: Any])?["content"] as? String ?? ""
        let job = fields(content)
        #expect(job["Uid"] == "61777 61777 61777 61777")
        #expect(job["Seccomp_filters"] == "2")
        #expect(job["NoNewPrivs"] == "1")
        #expect(job["CapEff"] == "0000000000000000")

        // The front-end confined itself on top of the container's filter.
        let status = fields(try String(contentsOfFile: "/proc/\(frontEnd.process.processIdentifier)/status", encoding: .utf8))
        #expect(status["Uid"] == "61778 61778 61778 61778")
        #expect(status["Seccomp_filters"] == "2", "the container's filter and its own")
        #expect(status["NoNewPrivs"] == "1")
        #expect(status["CapEff"] == "0000000000000000")
    }
}
