// Support for the launcher-facing adversarial tests (SecurityProtocolTests, SecurityFaultTests):
// a launcher on its own, raw sockets that survive a peer's close, a client of a foreign uid.
import Foundation
import LauncherProtocol
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `httpexec-launcher` on its own (a `LauncherFixture`, no front-end in front of it) whose
/// jobs run under a uid of their own, with a world-writable marker directory and the same health
/// check `SecurityFixture` makes for `serve`: no new fd, no zombie, no job process left, still
/// runs a job.
final class SecurityLauncher: @unchecked Sendable {
    let fixture: LauncherFixture
    /// The uid (and gid) of every job; no account has it, so "no job left" is exact.
    let jobUID: UInt32
    /// `<fixture directory>/markers`, mode 1777.
    let markers: String

    /// Starts the launcher; `forFrontEnd` lets the standalone front-end (uid 60999) talk to it.
    /// - Throws: when not root, or when the launcher does not start.
    init(forFrontEnd: Bool = false, extraPolicy: String = "") throws {
        guard runningAsRoot else { throw LauncherClient.Failure(description: "SecurityLauncher needs root (jobs switch to their own uid)") }
        jobUID = SecurityFixture.freshJobUID()
        let runAs = "[run_as]\nuser = \"\(jobUID)\"\ngroup = \"\(jobUID)\"\n" + extraPolicy
        fixture = forFrontEnd ? try LauncherFixture.forFrontEnd(extraPolicy: runAs) : try LauncherFixture(extraPolicy: runAs)
        markers = fixture.directory + "/markers"
        try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
        chmod(markers, 0o1777)
        // The socket accepts before start-up is over: the signal sources (3 signalfds) come after
        // it, and a snapshot taken earlier would count them as leaked.
        guard waitFor(within: .seconds(20), { Self.isReady(fixture.log) }) else {
            throw LauncherClient.Failure(description: "the launcher never logged ready:\n\(fixture.log)")
        }
    }

    /// Whether the launcher's log has its `ready` line (logfmt `msg=ready`, or the plain form).
    private static func isReady(_ log: String) -> Bool {
        log.split(separator: "\n").contains { $0.contains("msg=ready") || $0.hasSuffix(" ready") }
    }

    /// The running launcher's pid (a new one after `fixture.start()`).
    var pid: Int32 { fixture.process?.processIdentifier ?? -1 }
    var socketPath: String { fixture.socketPath }
    var log: String { fixture.log }

    /// Writes `contents` at `path` (relative to the exec root unless absolute) with `mode`.
    func write(_ path: String, _ contents: String, mode: Int = 0o755) throws {
        let full = path.hasPrefix("/") ? path : fixture.root + "/" + path
        try contents.write(toFile: full, atomically: false, encoding: .utf8)
        chmod(full, mode_t(mode))
    }

    /// A `/bin/sh` script that records that it ran (a new file in `markers`).
    var markerScript: String { "#!/bin/sh\n: > '\(markers)/ran.'$$\necho ran\n" }

    func markerFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: markers)) ?? []).sorted()
    }

    /// A start request with a unique request id (`prefix-N`).
    func job(_ command: String, _ arguments: [String] = [], environment: [EnvironmentEntry] = [], id: String? = nil) -> StartJob {
        StartJob(
            requestID: id ?? "sec-\(UInt32.random(in: 0...UInt32.max))", command: command, arguments: arguments,
            environment: environment, clientAddress: "127.0.0.1")
    }

    /// Live processes of the job uid (zombies are the parent's business, see `healthProblems`).
    func jobProcesses() -> [SecurityProcess] {
        SecurityFixture.processTable().filter { $0.uid == jobUID && $0.state != "Z" }
    }

    // MARK: Health

    /// The launcher's fds and the processes below it, now.
    func snapshot() -> LauncherSnapshot {
        LauncherSnapshot(
            fds: SecurityFixture.openFDs(pid),
            descendants: SecurityFixture.descendants(of: pid, in: SecurityFixture.processTable()))
    }

    /// Records an issue unless the launcher is alive, runs a trivial job for a root client, and —
    /// within `seconds` — holds no fd it did not hold at `snapshot`, has no zombie child, nothing
    /// new below it, and no process of the job uid is alive.
    func assertHealthy(since snapshot: LauncherSnapshot, within seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation) {
        let state = SecurityFixture.stat(of: pid)?.state
        #expect(state != nil && state != "Z", "the launcher (pid \(pid)) is gone\n\(tail)", sourceLocation: sourceLocation)
        do {
            let client = try LauncherClient.connected(socketPath)
            let outcome = try client.run(job("probe", ["exit", "0"], id: "health-check"))
            #expect(outcome.summary?.termination == .exited(0), "\(outcome)\n\(tail)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("the launcher does not run a job: \(error)\n\(tail)", sourceLocation: sourceLocation)
        }
        var problems: [String] = []
        _ = waitFor(within: .milliseconds(Int64(seconds * 1000))) {
            problems = healthProblems(since: snapshot)
            return problems.isEmpty
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(tail)", sourceLocation: sourceLocation)
    }

    /// What `assertHealthy` complains about, now.
    func healthProblems(since snapshot: LauncherSnapshot) -> [String] {
        var problems: [String] = []
        let table = SecurityFixture.processTable()
        let zombies = table.filter { $0.state == "Z" && $0.parent == pid }
        if !zombies.isEmpty { problems.append("zombies: \(zombies)") }
        let before = Set(snapshot.descendants.map(\.pid))
        let below = SecurityFixture.descendants(of: pid, in: table).filter { !before.contains($0.pid) && $0.state != "Z" }
        if !below.isEmpty { problems.append("processes left below the launcher: \(below)") }
        let jobs = table.filter { $0.uid == jobUID && $0.state != "Z" }
        if !jobs.isEmpty { problems.append("processes of the job uid \(jobUID) alive: \(jobs)") }
        // libdispatch opens a signalfd per signal source lazily, on its own thread, some time after
        // the sources were made (after `ready`): no attack can make one, so they are not counted.
        let added = SecurityFixture.openFDs(pid).filter { snapshot.fds[$0.key] != $0.value && $0.value != "anon_inode:[signalfd]" }
        if !added.isEmpty {
            problems.append("new fds in the launcher (\(added.count)): \(added.sorted { $0.key < $1.key }.prefix(20).map { "\($0.key)→\($0.value)" })")
        }
        return problems
    }

    private var tail: String { "--- launcher log (end):\n" + String(log.suffix(3000)) }
}

/// What a launcher holds at one moment.
struct LauncherSnapshot: Sendable {
    let fds: [Int32: String]
    let descendants: [SecurityProcess]
}

// MARK: - Raw launcher sockets

extension LauncherClient {
    /// Writes all of `bytes` unless the launcher closes first; returns 0 or the errno of the
    /// failed write (EPIPE/ECONNRESET once the launcher closed; never SIGPIPE). Bounded: a write
    /// the launcher never drains fails with EAGAIN after `SO_SNDTIMEO` (set here, 30 s).
    func sendWithoutSignal(_ bytes: [UInt8]) -> Int32 {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    /// Every message until EOF or a reset (a reset after a protocol error is the kernel
    /// reporting bytes the launcher never read); stops early at `finished` or `protocolError`.
    func receiveUntilDone() -> [LauncherMessage] {
        var messages: [LauncherMessage] = []
        while let message = try? receive() {
            messages.append(message)
            switch message {
            case .finished, .protocolError: return messages
            default: continue
            }
        }
        return messages
    }
}

/// Peak and current resident memory of a process (`VmHWM`, `VmRSS` in /proc/PID/status).
enum ProcessMemory {
    static func peakKiB(_ pid: Int32) -> Int? { field("VmHWM", pid) }
    static func residentKiB(_ pid: Int32) -> Int? { field("VmRSS", pid) }

    private static func field(_ name: String, _ pid: Int32) -> Int? {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
        return line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { Int($0) }
    }
}

/// Makes sure this process (and the launchers it starts, which inherit it) may open `wanted`
/// files; root may raise the hard limit too.
func raiseOpenFileLimit(to wanted: rlim_t) -> Bool {
    let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    var limit = rlimit()
    guard getrlimit(resource, &limit) == 0 else { return false }
    if limit.rlim_cur >= wanted { return true }
    limit.rlim_cur = wanted
    limit.rlim_max = max(limit.rlim_max, wanted)
    return setrlimit(resource, &limit) == 0
}

// MARK: - A peer of a foreign uid

/// A client that connects to a Unix socket as another uid. The test process cannot safely fork
/// and setuid itself (it is multi-threaded), so a `python3` child started as root drops to `uid`
/// (setgroups, setgid, setuid) before it connects.
enum ForeignPeer {
    /// The system python3, or nil (tests that need it skip).
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].first { access($0, X_OK) == 0 }

    /// What the foreign client saw.
    struct Exchange: CustomStringConvertible {
        /// Its pid (what the launcher logs).
        var pid: Int32 = 0
        /// 0, or the errno of `connect`.
        var connectError: Int32 = -1
        /// 0, or the errno of sending the bytes.
        var sendError: Int32 = -1
        /// `eof`, `data` (the launcher answered), `timeout`, or `errno=N`.
        var receive = ""
        var output = ""
        var description: String { output.debugDescription }
    }

    private static let script = """
    import os, socket, sys
    uid = int(sys.argv[2])
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
    print("pid=%d" % os.getpid(), flush=True)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    try:
        s.connect(sys.argv[1])
    except OSError as e:
        print("connect=%d" % e.errno); sys.exit(0)
    print("connect=0")
    try:
        s.sendall(bytes.fromhex(sys.argv[3])); print("send=0")
    except OSError as e:
        print("send=%d" % e.errno)
    try:
        d = s.recv(65536); print("recv=" + ("data" if d else "eof"))
    except socket.timeout:
        print("recv=timeout")
    except OSError as e:
        print("recv=errno=%d" % e.errno)
    """

    /// Connects to `path` as `uid`, sends `bytes` at once, and reads the first answer.
    static func exchange(path: String, uid: UInt32, bytes: [UInt8]) throws -> Exchange {
        let python = try #require(python, "python3 is needed to connect as another uid")
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let (status, output) = try runProgram(python, ["-I", "-c", script, path, String(uid), hex])
        #expect(status == 0, "python3 failed: \(output)")
        var result = Exchange(output: output)
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "pid": result.pid = Int32(parts[1]) ?? 0
            case "connect": result.connectError = Int32(parts[1]) ?? -1
            case "send": result.sendError = Int32(parts[1]) ?? -1
            case "recv": result.receive = parts[1]
            default: break
            }
        }
        return result
    }
}
