import Foundation
import LauncherProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `httpexec-launcher` binary on a temporary socket, driven like the front-end drives it.
@Suite("httpexec-launcher, end to end", .serialized)
struct LauncherIntegrationTests {
    private func job(_ command: String, _ args: [String] = [], env: [EnvironmentEntry] = [], timeoutMs: UInt32 = 0) -> StartJob {
        StartJob(requestID: "test-\(UInt32.random(in: 0...UInt32.max))", command: command, arguments: args,
                 environment: env, timeoutMilliseconds: timeoutMs, clientAddress: "127.0.0.1")
    }

    @Test("runs a command confined and reports exit status and output")
    func runsConfined() throws {
        let fixture = try LauncherFixture()
        let client = try LauncherClient.connected(fixture.socketPath)
        // The socket was born with the policy's mode and group.
        var st = stat()
        #expect(lstat(fixture.socketPath, &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o660)
        #expect(st.st_gid == 65534, "socket.group = nogroup")
        let status = try client.run(job("probe", ["status"]))
        #expect(status.accepted)
        #expect(status.summary?.termination == .exited(0))
        #expect(status.stdoutText.contains("Seccomp:\t2"))
        #expect(status.stdoutText.contains("NoNewPrivs:\t1"))
        if runningAsRoot { #expect(status.stdoutText.contains("Uid:\t65534")) }
        // The same connection serves the next job.
        let exit = try client.run(job("probe", ["exit", "3"]))
        #expect(exit.summary?.termination == .exited(3))
        let sig = try client.run(job("probe", ["signal", "15"]))
        #expect(sig.summary?.termination == .signaled(15))
    }

    @Test("streams stdin and captures stdout")
    func streamsStdin() throws {
        let fixture = try LauncherFixture()
        let client = try LauncherClient.connected(fixture.socketPath)
        let input = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let out = try client.run(job("probe", ["cat"]), stdin: input)
        #expect(out.summary?.termination == .exited(0))
        #expect(out.stdout == input)
        #expect(out.summary?.stdinBytes == UInt64(input.count))
    }

    @Test("concurrent jobs on several engine threads each get their own exit status")
    func concurrentExitStatuses() async throws {
        let fixture = try LauncherFixture(extraPolicy: "[[command]]\npath = \"probe\"\nmax_concurrent = 16\n")
        // Each engine thread sweeps orphans; none may reap another thread's job (seen as exit 0).
        let wrong = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    let client = try LauncherClient.connected(fixture.socketPath)
                    var wrong = 0
                    for i in 0..<25 {
                        let code = Int32(1 + (worker * 25 + i) % 200)
                        let out = try client.run(StartJob(requestID: "c\(worker)-\(i)", command: "probe", arguments: ["exit", "\(code)"]))
                        if out.summary?.termination != .exited(code) { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }

    @Test("a client cannot change the policy's base environment")
    func baseEnvironmentIsFixed() throws {
        let fixture = try LauncherFixture()
        let out = try LauncherClient.connected(fixture.socketPath).run(job("probe", ["environ"], env: [EnvironmentEntry(name: "PATH", value: "/tmp/evil")]))
        #expect(out.rejected?.code == RejectCode.deniedEnvironment)
    }

    @Test("per-command settings follow the file, not the spelling of its path")
    func overridesFollowTheFile() throws {
        let strict = repositoryRoot + "/policy/seccomp/strict.json"
        let fixture = try LauncherFixture(extraPolicy: "[[command]]\npath = \"probe\"\nseccomp = \"\(strict)\"\nenvironment_allow = []\n")
        let client = try LauncherClient.connected(fixture.socketPath)
        for alias in ["probe", "link-inside", "sub/link-up"] {
            #expect(try client.run(job(alias, ["try", "socket_inet"])).stdoutText == "socket_inet=97\n", "\(alias)")
            let env = try client.run(job(alias, ["environ"], env: [EnvironmentEntry(name: "FOO", value: "1")]))
            #expect(env.rejected?.code == RejectCode.deniedEnvironment, "\(alias)")
        }
    }

    @Test("a non-root launcher holding CAP_SETUID/CAP_SETGID passes no capability to its jobs")
    func capabilitiesNeverReachJobs() throws {
        try #require(runningAsRoot, "needs root to start the launcher as another uid with capabilities")
        let fixture = try LauncherFixture(socketGroup: nil, start: false) // no CAP_CHOWN for a group change
        chown(fixture.directory, 4242, 4242) // the launcher creates its socket here
        try fixture.start(arguments: [
            "--reuid=4242", "--regid=4242", "--clear-groups", "--inh-caps=+setuid,+setgid", "--ambient-caps=+setuid,+setgid",
            buildDirectory + "/httpexec-launcher", "--policy", fixture.policyPath,
        ], executable: "/usr/bin/setpriv")
        let out = try LauncherClient.connected(fixture.socketPath).run(job("probe", ["status"]))
        #expect(out.summary?.termination == .exited(0), "\(fixture.log)")
        for key in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
            #expect(out.stdoutText.contains("\(key):\t0000000000000000"), "\(key) in \(out.stdoutText)")
        }
        #expect(out.stdoutText.contains("Uid:\t65534"))
        let escalate = try LauncherClient.connected(fixture.socketPath).run(job("probe", ["try", "setuid0"]))
        #expect(escalate.stdoutText == "setuid0=1\n")
    }

    @Test("with run_as.uid_range every running job has a uid of its own and cannot read another's /proc")
    func perJobUIDs() throws {
        try #require(runningAsRoot, "needs root: only a root launcher switches users")
        let fixture = try LauncherFixture(extraPolicy: "[run_as]\nuid_range = \"61000-61009\"\n")
        try "#!/bin/sh\nif cat /proc/$1/environ >/dev/null 2>&1; then echo readable; else echo denied; fi\n"
            .write(toFile: fixture.root + "/peek.sh", atomically: true, encoding: .utf8)
        chmod(fixture.root + "/peek.sh", 0o755)
        let holder = try LauncherClient.connected(fixture.socketPath)
        try holder.send(.start(job("probe", ["sleep"], env: [EnvironmentEntry(name: "SECRET", value: "s3cr3t")])))
        guard case .accepted? = try holder.receive(), case .started(let pid)? = try holder.receive() else {
            Issue.record("the holder job did not start")
            return
        }
        let client = try LauncherClient.connected(fixture.socketPath)
        let ids = try client.run(job("probe", ["ids"])).stdoutText
        #expect(ids.hasPrefix("uid=61001,61001,61001 gid=61001,61001,61001"), "\(ids)")
        #expect(try client.run(job("peek.sh", ["\(pid)"])).stdoutText == "denied\n")
        try holder.send(.cancel)
    }

    @Test("streams that are not captured produce no output frames and are not counted")
    func captureOff() throws {
        let fixture = try LauncherFixture()
        var request = job("probe", ["spew", "5000"])
        request.captureStdout = false
        let out = try LauncherClient.connected(fixture.socketPath).run(request)
        #expect(out.summary?.termination == .exited(0))
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.count == 5000)
        #expect(out.summary?.stdoutBytesSeen == 0)
        #expect(out.summary?.stderrBytesSeen == 5000)
    }

    @Test("stdin beyond the command's cap cancels the job")
    func stdinCap() throws {
        let fixture = try LauncherFixture(extraPolicy: "[[command]]\npath = \"sub/inner\"\nstdin_cap = \"1KiB\"\n")
        let out = try LauncherClient.connected(fixture.socketPath).run(job("sub/inner", ["sleep"]), stdin: [UInt8](repeating: 65, count: 100_000))
        #expect(out.summary?.cancelled == true)
        #expect((out.summary?.stdinBytes ?? .max) <= 1024)
    }

    @Test("a client may cancel before the job is accepted")
    func cancelBeforeAccepted() throws {
        let fixture = try LauncherFixture()
        let client = try LauncherClient.connected(fixture.socketPath)
        try client.send(.start(job("probe", ["sleep"])))
        try client.send(.cancel)
        var finished: JobSummary?
        while let m = try client.receive() {
            if case .finished(let s) = m { finished = s; break }
            if case .protocolError(let text) = m { Issue.record("protocol error: \(text)"); break }
        }
        #expect(finished?.cancelled == true)
        // The connection is idle again and serves the next job.
        #expect(try client.run(job("probe", ["exit", "5"])).summary?.termination == .exited(5))
    }

    @Test("timeout, cancel and busy")
    func limits() throws {
        let fixture = try LauncherFixture()
        let a = try LauncherClient.connected(fixture.socketPath)
        let timed = try a.run(job("probe", ["sleep"], timeoutMs: 300))
        #expect(timed.summary?.timedOut == true)
        #expect(timed.summary?.termination == .signaled(SIGTERM))

        let cancelled = try a.run(job("probe", ["sleep"])) { try $0.send(.cancel) }
        #expect(cancelled.summary?.cancelled == true)

        // max_per_command = 2: two running sleeps, the third is refused at once.
        let b = try LauncherClient.connected(fixture.socketPath)
        let c = try LauncherClient.connected(fixture.socketPath)
        try a.send(.start(job("probe", ["sleep"])))
        try b.send(.start(job("probe", ["sleep"])))
        guard case .accepted? = try a.receive(), case .accepted? = try b.receive() else {
            Issue.record("the first two jobs should be accepted")
            return
        }
        let third = try c.run(job("probe", ["sleep"]))
        #expect(third.rejected?.code == RejectCode.busy)
        try a.send(.cancel)
        try b.send(.cancel)
    }

    @Test("resolution beneath the exec root, without follow-links", arguments: [
        ("probe", "ok"), ("sub/inner", "ok"), ("link-inside", "ok"), ("sub/link-up", "ok"), ("echo.sh", "ok"),
        ("link-outside", "not_found"), ("dirlink/true", "not_found"), ("dangling", "not_found"),
        ("loop1", "not_found"), ("dir", "not_found"), ("missing", "not_found"), ("noexec", "not_executable"), ("fifo", "not_executable"),
        ("../probe", "invalid_path"), ("..", "invalid_path"), ("sub/../probe", "invalid_path"), ("sub/..", "invalid_path"),
        ("sub/inner/..", "invalid_path"), ("../../../../bin/true", "invalid_path"), ("sub/./inner", "invalid_path"),
        ("probe/", "invalid_path"),
        ("./probe", "invalid_path"), ("/bin/true", "invalid_path"), ("", "invalid_path"), ("sub//inner", "invalid_path"),
        ("probe\0x", "invalid_path"),
    ])
    func resolutionNoFollow(_ command: String, _ expected: String) throws {
        let fixture = try LauncherFixture(followLinks: false)
        let out = try LauncherClient.connected(fixture.socketPath).run(job(command, ["exit", "0"]))
        if expected == "ok" {
            #expect(out.rejected == nil, "\(command): \(out.rejected.map { "\($0.code) \($0.message)" } ?? "")")
            #expect(out.summary?.termination == .exited(0))
        } else {
            #expect(out.rejected?.code == expected, "\(command)")
            #expect(out.rejected?.message.contains(fixture.root) == false, "messages must not leak host paths")
        }
    }

    @Test("follow-links: a final link may leave the root, an intermediate one may not", arguments: [
        ("link-outside", "ok"), ("link-inside", "ok"), ("dirlink/true", "not_found"), ("dangling", "not_found"),
        ("loop1", "not_found"),
    ])
    func resolutionFollow(_ command: String, _ expected: String) throws {
        let fixture = try LauncherFixture(followLinks: true)
        let out = try LauncherClient.connected(fixture.socketPath).run(job(command, ["exit", "0"]))
        if expected == "ok" {
            #expect(out.summary?.termination == .exited(0), "\(command): \(out.rejected.map { $0.code } ?? "")")
        } else {
            #expect(out.rejected?.code == expected, "\(command)")
        }
    }

    @Test("the environment is the policy's base plus allowed client variables")
    func environment() throws {
        let fixture = try LauncherFixture()
        let client = try LauncherClient.connected(fixture.socketPath)
        let out = try client.run(job("probe", ["environ"], env: [EnvironmentEntry(name: "GREETING", value: "hi there")]))
        let lines = Set(out.stdoutText.split(separator: "\n").map(String.init))
        #expect(lines == ["PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "GREETING=hi there"])
        for name in ["LD_PRELOAD", "GCONV_PATH", "GLIBC_TUNABLES", "BASH_ENV", "PYTHONPATH", "NODE_OPTIONS"] {
            let refused = try client.run(job("probe", ["environ"], env: [EnvironmentEntry(name: name, value: "/tmp/x")]))
            #expect(refused.rejected?.code == RejectCode.deniedEnvironment, "\(name)")
        }
        for name in ["", "A=B", "X\0Y"] {
            let refused = try client.run(job("probe", ["environ"], env: [EnvironmentEntry(name: name, value: "v")]))
            #expect(refused.rejected?.code == RejectCode.invalidEnvironment, "\(name.debugDescription)")
        }
    }

    @Test("a peer whose uid may not talk is closed at once and logged")
    func peerCheck() throws {
        try #require(runningAsRoot, "needs root to connect as another uid")
        let fixture = try LauncherFixture()
        let setpriv = Process()
        setpriv.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        setpriv.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", fixture.root + "/probe", "connect", fixture.socketPath]
        let pipe = Pipe()
        setpriv.standardOutput = pipe
        try setpriv.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        setpriv.waitUntilExit()
        // It reaches the socket (group nogroup) but gets no answer: EOF, or a reset because the
        // launcher closed without reading what it had sent.
        #expect(output == "connect=0\neof\n" || output == "connect=0\nread=\(ECONNRESET)\n", "got \(output.debugDescription)")
        #expect(fixture.log.contains("peer refused: pid="))
        #expect(fixture.log.contains("uid=65534"))
        // The launcher still serves allowed peers.
        #expect(try LauncherClient.connected(fixture.socketPath).run(job("probe", ["exit", "0"])).summary?.termination == .exited(0))
    }

    @Test("garbage, oversized and truncated frames end only that connection")
    func protocolAbuse() throws {
        let fixture = try LauncherFixture()
        let garbage = try LauncherClient(path: fixture.socketPath)
        try garbage.sendRaw(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(garbage.waitForClose())

        let oversized = try LauncherClient(path: fixture.socketPath)
        try oversized.sendRaw([0x7f, 0xff, 0xff, 0xff])
        #expect(oversized.waitForClose())

        let outOfOrder = try LauncherClient(path: fixture.socketPath)
        try outOfOrder.send(.start(job("probe", ["exit", "0"])))
        if case .protocolError? = try outOfOrder.receive() {} else { Issue.record("expected a protocol error for start before hello") }

        do {
            let truncated = try LauncherClient(path: fixture.socketPath)
            try truncated.sendRaw([0, 0, 0, 40, 2, 0, 0])
        } // closed mid-frame
        #expect(try LauncherClient.connected(fixture.socketPath).run(job("probe", ["exit", "4"])).summary?.termination == .exited(4))
    }

    @Test("SIGTERM while a job runs: the job is cancelled, its result still reported, the launcher exits 0")
    func drainOnSigterm() throws {
        let fixture = try LauncherFixture()
        let client = try LauncherClient.connected(fixture.socketPath)
        let out = try client.run(job("probe", ["sleep"])) { _ in
            kill(fixture.process!.processIdentifier, SIGTERM)
        }
        #expect(out.summary?.cancelled == true)
        #expect(client.waitForClose())
        let end = Date().addingTimeInterval(20)
        while fixture.process!.isRunning && Date() < end { usleep(10_000) }
        #expect(fixture.process?.isRunning == false)
        #expect(fixture.process?.terminationStatus == 0)
    }

    @Test("the launcher refuses a socket directory that other users can write")
    func refusesOpenDirectory() throws {
        let fixture = try LauncherFixture(start: false)
        chmod(fixture.directory, 0o777)
        let (status, output) = try runTool("httpexec-launcher", ["--policy", fixture.policyPath])
        #expect(status != 0)
        #expect(output.contains("writable by other users"), "\(output)")
    }

    @Test("single-uid mode: a job cannot read the launcher's /proc entries (the launcher is not dumpable)")
    func launcherNotDumpable() throws {
        try #require(runningAsRoot, "needs root to start the launcher as another uid")
        let fixture = try LauncherFixture(socketGroup: nil, start: false)
        chown(fixture.directory, 4242, 4242)
        try "#!/bin/sh\nfor f in environ mem; do if cat /proc/$PPID/$f >/dev/null 2>&1; then echo $f=readable; else echo $f=denied; fi; done\n"
            .write(toFile: fixture.root + "/peek-parent.sh", atomically: true, encoding: .utf8)
        chmod(fixture.root + "/peek-parent.sh", 0o755)
        try fixture.start(arguments: ["--reuid=4242", "--regid=4242", "--clear-groups",
                                      buildDirectory + "/httpexec-launcher", "--policy", fixture.policyPath],
                          executable: "/usr/bin/setpriv")
        let client = try LauncherClient.connected(fixture.socketPath)
        let ids = try client.run(job("probe", ["ids"])).stdoutText
        #expect(ids.hasPrefix("uid=4242,4242,4242"), "single-uid mode: the job shares the launcher's uid; got \(ids)")
        #expect(try client.run(job("peek-parent.sh")).stdoutText == "environ=denied\nmem=denied\n")
    }

    @Test("a second launcher refuses a socket path that a live one serves")
    func refusesLiveSocket() throws {
        let fixture = try LauncherFixture()
        let (status, output) = try runTool("httpexec-launcher", ["--policy", fixture.policyPath])
        #expect(status != 0)
        #expect(output.contains("served by a live process"))
        #expect(try LauncherClient.connected(fixture.socketPath).run(job("probe", ["exit", "0"])).summary?.termination == .exited(0))
    }

    @Test("READY=1 reaches NOTIFY_SOCKET once serving, WATCHDOG=1 keeps coming, STOPPING=1 on SIGTERM")
    func readinessNotification() throws {
        let fixture = try LauncherFixture(start: false)
        let notify = try NotifyListener(path: fixture.directory + "/notify.sock")
        try fixture.start(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        let untilReady = notify.receive(until: "READY=1")
        #expect(untilReady.last?.contains("READY=1") == true, "\(untilReady)")
        // Pings every half interval (100 ms), from the service's event loop.
        let pings = (0..<3).map { _ in notify.receive() }
        #expect(pings.allSatisfy { $0 == "WATCHDOG=1" }, "\(pings)")
        // The variables are gone before any job runs.
        let env = try LauncherClient.connected(fixture.socketPath).run(job("probe", ["environ"])).stdoutText
        #expect(!env.contains("NOTIFY_SOCKET") && !env.contains("WATCHDOG_"), "\(env)")
        kill(fixture.process!.processIdentifier, SIGTERM)
        let untilStopping = notify.receive(until: "STOPPING=1")
        #expect(untilStopping.last?.contains("STOPPING=1") == true, "\(untilStopping)")
    }

    @Test("socket activation with systemd-socket-activate")
    func socketActivation() throws {
        let activator = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: activator), "systemd-socket-activate is not installed")
        let fixture = try LauncherFixture(start: false)
        try fixture.start(arguments: ["-l", fixture.socketPath, "--fdname=launcher",
                                      buildDirectory + "/httpexec-launcher", "--policy", fixture.policyPath],
                          executable: activator)
        let out = try LauncherClient.connected(fixture.socketPath).run(job("probe", ["environ"]))
        #expect(out.summary?.termination == .exited(0))
        #expect(!out.stdoutText.contains("LISTEN_"), "no job may inherit the activation variables")
        #expect(fixture.log.contains("inherited fd 3 (launcher)"))
    }

}
