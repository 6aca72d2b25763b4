// Adversarial tests of issue #7: the launcher's socket attacked directly, with the front-end out
// of the way. docs/security.md lists them with the defence each one proves.
import Foundation
import LauncherProtocol
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(
    "security: launcher protocol abuse", .serialized,
    .enabled(if: runningAsRoot, "needs root: jobs run as their own uid, peers connect as other uids"))
struct SecurityProtocolTests {
    private static let hello = try! FrameEncoder.encode(ClientMessage.hello(version: ProtocolVersion.current))

    /// A peer of a uid the policy does not list (nobody; the socket's group lets it connect)
    /// sends a valid hello and a valid start for a marker at once. The SO_PEERCRED check closes
    /// it before a byte is read: the kernel then reports the unread bytes as a reset (a launcher
    /// that read them before closing would give EOF, one that answered would give data), the
    /// launcher logs the refused pid, and the marker never runs.
    @Test(.enabled(if: ForeignPeer.python != nil, "needs python3 to connect as another uid"))
    func foreignUIDIsClosedUnread() throws {
        let launcher = try SecurityLauncher()
        try launcher.write("marker", launcher.markerScript)
        let before = launcher.snapshot()
        let frames = Self.hello + (try FrameEncoder.encode(ClientMessage.start(launcher.job("marker", id: "foreign-1"))))

        let result = try ForeignPeer.exchange(path: launcher.socketPath, uid: 65534, bytes: frames)
        #expect(result.connectError == 0, "the socket's group (nogroup) should let uid 65534 connect: \(result)")
        if result.sendError == 0 {
            #expect(result.receive == "errno=\(ECONNRESET)", "sent bytes were read or answered: \(result)")
        } else {
            #expect([EPIPE, ECONNRESET].contains(result.sendError), "\(result)")
        }
        #expect(waitFor(within: .seconds(10)) { launcher.log.contains("peer refused: pid=\(result.pid) uid=65534") }, "\(launcher.log)")
        #expect(!launcher.log.contains("request foreign-1"), "\(launcher.log)")
        #expect(launcher.markerFiles().isEmpty, "the foreign peer's job ran")
        launcher.assertHealthy(since: before)
    }

    /// After the handshake, a length prefix of 4 GiB followed by a 64 MiB flood. The decoder
    /// refuses the prefix as soon as its 4 bytes are in: `protocolError` naming the limit, then
    /// the close, which cuts the flood short (the writes fail). The launcher never buffers it: its
    /// peak resident memory grows by far less than the flood.
    @Test func oversizedLengthIsRefusedBeforeBuffering() throws {
        let launcher = try SecurityLauncher()
        let before = launcher.snapshot()
        let client = try LauncherClient.connected(launcher.socketPath)
        let peakBefore = try #require(ProcessMemory.peakKiB(launcher.pid))

        let flood = 64 << 20
        let chunk = [UInt8](repeating: UInt8(ascii: "j"), count: 1 << 16)
        var failure = client.sendWithoutSignal([0xFF, 0xFF, 0xFF, 0xFF])
        var sent = 0
        while failure == 0 && sent < flood {
            failure = client.sendWithoutSignal(chunk)
            if failure == 0 { sent += chunk.count }
        }
        #expect(failure == EPIPE || failure == ECONNRESET, "the launcher kept reading: \(sent) bytes of the flood went in (errno \(failure))")
        let peakAfter = try #require(ProcessMemory.peakKiB(launcher.pid))
        #expect(peakAfter - peakBefore < 16 * 1024, "peak RSS grew by \(peakAfter - peakBefore) KiB during a \(flood >> 20) MiB flood")

        let messages = client.receiveUntilDone()
        guard case .protocolError(let message)? = messages.first else {
            Issue.record("expected a protocol error, got \(messages)")
            return
        }
        #expect(message.contains("frame.oversized") && message.contains("\(ProtocolLimits.maxFrameSize)"), "\(message)")
        #expect(client.waitForClose())
        launcher.assertHealthy(since: before)
    }

    /// Bad input while a job runs, each ending the connection: the job must not outlive it
    /// (cancelled, its process gone, `cancelled=true` in the log).
    enum MidJobAbuse: String, CaseIterable, Sendable {
        /// A frame type nobody sends.
        case unknownType
        /// A launcher→front-end type sent the wrong way.
        case wrongDirection
        /// A second `start` while the first job runs.
        case secondStart
        /// The start of a stdin frame (length 40, 3 bytes of it), then the client closes.
        case truncatedThenClose
    }

    @Test(arguments: MidJobAbuse.allCases)
    func abuseMidJobCancelsTheJob(_ abuse: MidJobAbuse) throws {
        let launcher = try SecurityLauncher()
        let before = launcher.snapshot()
        let id = "midjob-\(abuse.rawValue)"
        var client: LauncherClient? = try LauncherClient.connected(launcher.socketPath)
        try client!.send(.start(launcher.job("probe", ["sleep"], id: id)))
        guard case .accepted? = try client!.receive(), case .started(let pid)? = try client!.receive() else {
            Issue.record("the job did not start:\n\(launcher.log)")
            return
        }
        #expect(launcher.jobProcesses().map(\.pid) == [pid])

        switch abuse {
        case .unknownType: _ = client!.sendWithoutSignal([0, 0, 0, 1, 0x7E])
        case .wrongDirection: _ = client!.sendWithoutSignal([0, 0, 0, 1, 0x82])
        case .secondStart: _ = client!.sendWithoutSignal(try FrameEncoder.encode(ClientMessage.start(launcher.job("probe", ["exit", "0"]))))
        case .truncatedThenClose: _ = client!.sendWithoutSignal([0, 0, 0, 40, 0x03, 1, 2])
        }
        if abuse == .truncatedThenClose {
            client = nil // closes the socket mid-frame
        } else {
            let messages = client!.receiveUntilDone()
            #expect(messages.contains { if case .protocolError = $0 { true } else { false } }, "\(messages)")
            #expect(client!.waitForClose())
        }
        // The policy's timeout is 20 s: a job left running would still be there.
        #expect(waitFor(within: .seconds(10)) { launcher.log.contains("request \(id): finished") }, "\(launcher.log)")
        let finished = launcher.log.split(separator: "\n").first { $0.contains("request \(id): finished") } ?? ""
        #expect(finished.contains("cancelled=true"), "\(finished)")
        #expect(waitFor(within: .seconds(10)) { launcher.jobProcesses().isEmpty }, "\(launcher.jobProcesses())")
        #expect(!launcher.log.contains("started probe exit"), "the second start ran")
        client = nil
        launcher.assertHealthy(since: before)
    }

    /// Frames dripped one byte per write, a millisecond apart, with the length prefixes split
    /// too: the decoder reassembles them, so the job runs exactly as if sent at once. While the
    /// drip holds half a frame, another connection is served. The launcher sets no handshake or
    /// frame deadline on purpose: only its peers (root, the front-end) may connect at all, and the
    /// front-end bounds slow HTTP clients itself.
    @Test func slowDripFramesStillWork() throws {
        let launcher = try SecurityLauncher()
        let before = launcher.snapshot()
        do {
            let drip = try LauncherClient(path: launcher.socketPath)
            var job = launcher.job("probe", ["cat"], id: "drip-1")
            job.stdin = .stream
            let opening = Self.hello + (try FrameEncoder.encode(ClientMessage.start(job)))
            let half = opening.count / 2
            func dribble(_ bytes: ArraySlice<UInt8>) {
                for byte in bytes {
                    #expect(drip.sendWithoutSignal([byte]) == 0)
                    usleep(1_000) // the attack's pace, not a synchronisation
                }
            }
            dribble(opening[..<half])
            let other = try LauncherClient.connected(launcher.socketPath).run(launcher.job("probe", ["exit", "7"]))
            #expect(other.summary?.termination == .exited(7), "a half-sent frame blocked another connection")
            dribble(opening[half...])

            guard case .helloAck? = try drip.receive(), case .accepted? = try drip.receive() else {
                Issue.record("no handshake or no accepted:\n\(launcher.log)")
                return
            }
            let input = (try FrameEncoder.encode(ClientMessage.stdinData(Array("dripped\n".utf8))))
                + (try FrameEncoder.encode(ClientMessage.stdinClose))
            dribble(input[...])
            var stdout: [UInt8] = []
            var summary: JobSummary?
            for message in drip.receiveUntilDone() {
                if case .output(.stdout, let bytes) = message { stdout += bytes }
                if case .finished(let s) = message { summary = s }
            }
            #expect(String(decoding: stdout, as: UTF8.self) == "dripped\n")
            #expect(summary?.termination == .exited(0))
            #expect(summary?.stdinBytes == 8)
        }
        launcher.assertHealthy(since: before)
    }

    /// 1,000 connections that never finish a handshake (half send nothing, half half a hello):
    /// the launcher holds them all (one fd each) and still serves a valid client at once; when
    /// they close, every fd is released.
    @Test func thousandIdleConnections() throws {
        try #require(raiseOpenFileLimit(to: 4096), "cannot allow 4096 open files")
        let launcher = try SecurityLauncher()
        let before = launcher.snapshot()
        do {
            var idle: [LauncherClient] = []
            for index in 0..<1000 {
                let client = try LauncherClient(path: launcher.socketPath)
                if index % 2 == 1 { #expect(client.sendWithoutSignal(Array(Self.hello.prefix(5))) == 0) }
                idle.append(client)
            }
            // Each connection is a socket fd the launcher did not have before.
            func added() -> Int { SecurityFixture.openFDs(launcher.pid).filter { before.fds[$0.key] != $0.value }.count }
            #expect(waitFor(within: .seconds(20)) { added() >= 1000 }, "the launcher holds \(added()) of 1000 connections")
            let outcome = try LauncherClient.connected(launcher.socketPath).run(launcher.job("probe", ["exit", "5"]))
            #expect(outcome.summary?.termination == .exited(5))
            // None of the idle ones was answered or closed by the launcher meanwhile.
            #expect(idle.allSatisfy { $0.hasNothingToRead() })
        } // all 1,000 close here
        launcher.assertHealthy(since: before)
    }

    /// What the front-end refuses first, sent to the launcher directly by an allowed peer (root):
    /// the launcher refuses it too, with the stable code, and nothing runs — not the marker
    /// outside the root reached by `..` or an absolute path, not `BASH_ENV` pointing at a marker.
    @Test(arguments: [
        ("../outside-marker", "", RejectCode.invalidPath),
        ("sub/../../outside-marker", "", RejectCode.invalidPath),
        ("{dir}/outside-marker", "", RejectCode.invalidPath),
        ("../etc/passwd", "", RejectCode.invalidPath),
        ("/bin/sh", "", RejectCode.invalidPath),
        ("%2e%2e/outside-marker", "", RejectCode.notFound),
        ("bash-job", "BASH_ENV", RejectCode.deniedEnvironment),
        ("bash-job", "LD_PRELOAD", RejectCode.deniedEnvironment),
    ])
    func launcherRefusesWhatTheFrontEndWould(command: String, variable: String, code: String) throws {
        let launcher = try SecurityLauncher()
        try launcher.write(launcher.fixture.directory + "/outside-marker", launcher.markerScript)
        try launcher.write(launcher.fixture.directory + "/bash-env", launcher.markerScript)
        try launcher.write("bash-job", "#!/bin/bash\necho bash\n")
        let before = launcher.snapshot()
        let path = command.replacingOccurrences(of: "{dir}", with: launcher.fixture.directory)
        let environment = variable.isEmpty ? [] : [EnvironmentEntry(name: variable, value: launcher.fixture.directory + "/bash-env")]
        let outcome = try LauncherClient.connected(launcher.socketPath).run(launcher.job(path, environment: environment, id: "refuse-1"))
        #expect(outcome.rejected?.code == code, "\(outcome)")
        #expect(outcome.rejected?.message.contains(launcher.fixture.directory) == false, "a host path leaked")
        #expect(outcome.pid == nil && outcome.summary == nil)
        #expect(launcher.markerFiles().isEmpty, "a marker ran")
        launcher.assertHealthy(since: before)
    }
}

private extension LauncherClient {
    /// True when nothing is waiting to be read and the peer has not closed (non-blocking).
    func hasNothingToRead() -> Bool {
        var watch = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&watch, 1, 0) == 0
    }
}
