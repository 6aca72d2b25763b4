// Adversarial tests of issue #7 share this fixture (docs/security.md lists them).
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `SecurityFixture`: a real `httpexec serve` (launcher and front-end as separate processes,
/// started as root) for adversarial tests, and the checks that an attack left nothing behind.
///
/// What it gives a test:
/// - an exec root made by `LauncherFixture.populate` (`probe`, `sub/inner`, `echo.sh`, links that
///   stay inside or leave, `dirlink -> /bin`, `dangling`, `loop1`/`loop2`, `fifo`, `noexec`), plus
///   whatever the test adds with `write`, `link`, `copyProbe` and `compile` (a C program or
///   `-shared` library built with the system `cc` at test time);
/// - `markers`, a world-writable directory, and `markerScript`: a test proves that something did
///   *not* run by finding `markerFiles()` empty (`clearMarkers()` after a deliberate run);
/// - jobs run under a uid of their own (`jobUID`, no account; unique per fixture), so "no job
///   process is left" is exact even while other suites run jobs as `nobody`;
/// - the policy: `.generated(jobTimeout:)` is the one `serve` writes itself from its settings
///   (what operators run); `.limited(SecurityLimits)` is a `--policy` file with small limits
///   (`processes`, `address_space`, `cpu_seconds`, `output_cap`, `max_jobs`, …) that `serve`'s
///   settings cannot set, so resource tests are fast and bounded;
/// - `snapshot()` and `assertHealthy(since:)`: after an attack both processes hold no fd they did
///   not hold before (waiting, with a deadline, for fds of finished jobs and closed connections to
///   go; the one tolerance is the front-end's pool of idle launcher connections, see
///   `pooledConnectionAllowance`), no zombie and no job process is left, both processes are the
///   same live ones, and a trivial command still answers 200 with `return` 0;
/// - `checked { fixture in … }`: snapshot, body, `assertHealthy` — the usual shape of a test.
///
/// Share one fixture per suite with the `.securityServer { try SecurityFixture(…) }` trait and
/// reach it with `SecurityFixture.current()`; mark such suites `.serialized` (tests of one suite
/// share the processes, and a health check must not see another test's job).
final class SecurityFixture: @unchecked Sendable {
    /// The running `httpexec serve` (its `log`, `port`, `launcherPID`, `frontEndPID`, `request`).
    let serve: ServeFixture
    /// This fixture's private directory (0755): the exec root, markers, the policy, build files.
    let directory: String
    let root: String
    /// World-writable (1777): marker scripts create files here.
    let markers: String
    /// The uid (and gid) every job runs as; no account has it.
    let jobUID: UInt32
    /// The policy file given to `serve` (`.limited`), or nil (`.generated`).
    let policyPath: String?

    var launcherPID: Int32 { serve.launcherPID }
    var frontEndPID: Int32 { serve.frontEndPID }
    var log: String { serve.log }

    /// New Unix-socket fds allowed per process after a test: the front-end keeps up to this many
    /// idle connections to the launcher for reuse (`LauncherClient.Configuration.maxIdleConnections`),
    /// each one fd in either process. Any other new fd (pipe, file, TCP socket, pidfd…) is a leak.
    static let pooledConnectionAllowance = 64

    /// Starts `serve` as root over a fresh exec root; `setup` adds files before the first request
    /// (the launcher resolves commands on every request, so files may also be added later).
    /// - Throws: when not root (tests should check `runningAsRoot` first and skip), or when
    ///   `serve` does not start.
    init(
        policy: SecurityPolicy = .limited(), followLinks: Bool = false, environment: [String: String] = [:],
        setup: (SecurityFixture) throws -> Void = { _ in }
    ) throws {
        guard runningAsRoot else { throw ServeFixtureError(description: "SecurityFixture needs root (jobs switch to their own uid)") }
        var template = Array("/tmp/httpexec-sec-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        directory = String(cString: made)
        chmod(directory, 0o755)
        root = directory + "/root"
        markers = directory + "/markers"
        jobUID = Self.freshJobUID()
        try LauncherFixture.populate(root)
        try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
        chmod(markers, 0o1777)

        var env = environment
        var arguments: [String] = []
        switch policy {
        case .generated(let jobTimeout):
            policyPath = nil
            env["HTTPEXEC_JOB_USER"] = String(jobUID)
            env["HTTPEXEC_JOB_GROUP"] = String(jobUID)
            env["HTTPEXEC_JOB_TIMEOUT"] = jobTimeout
            if followLinks { arguments.append("--follow-links") }
        case .limited(let limits):
            let path = directory + "/policy.toml"
            try Self.policyText(root: root, followLinks: followLinks, jobUID: jobUID, limits: limits)
                .write(toFile: path, atomically: true, encoding: .utf8)
            policyPath = path
            arguments += ["--policy", path]
        }
        do {
            serve = try ServeFixture(environment: env, arguments: arguments, execRoot: root)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        try setup(self)
    }

    deinit {
        serve.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The fixture of the innermost running suite that has a `.securityServer` trait.
    static func current() throws -> SecurityFixture {
        try #require(SecurityScope.current, "the suite's .securityServer trait did not start a server")
    }

    // MARK: Building the exec root

    /// Writes `contents` at `path` (relative to the exec root unless absolute) with `mode`.
    func write(_ path: String, _ contents: String, mode: Int = 0o755) throws {
        let full = absolute(path)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: false, encoding: .utf8)
        chmod(full, mode_t(mode))
    }

    /// Creates the symlink `path` (relative to the exec root unless absolute) → `target`.
    func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: absolute(path), withDestinationPath: target)
    }

    /// A copy of `httpexec-probe` at `path` (relative to the exec root unless absolute), mode 0755.
    func copyProbe(to path: String) throws {
        let full = absolute(path)
        try FileManager.default.copyItem(atPath: buildDirectory + "/httpexec-probe", toPath: full)
        chmod(full, 0o755)
    }

    /// Compiles C `source` with the system `cc` into `path` (relative to the exec root unless
    /// absolute), mode 0755; `shared` builds a `-shared -fPIC` library. Returns the absolute path.
    /// - Throws: when `cc` is missing or the compilation fails (its output in the message).
    @discardableResult
    func compile(_ source: String, to path: String, shared: Bool = false) throws -> String {
        let output = absolute(path)
        try FileManager.default.createDirectory(
            atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let sourcePath = directory + "/build-\(UUID().uuidString).c"
        try source.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        defer { unlink(sourcePath) }
        let (status, text) = try Self.runTool("/usr/bin/cc", ["-O1", "-w"] + (shared ? ["-shared", "-fPIC"] : []) + ["-o", output, sourcePath])
        guard status == 0 else { throw ServeFixtureError(description: "cc failed (\(status)):\n\(text)") }
        chmod(output, 0o755)
        return output
    }

    /// A `/bin/sh` script that records that it ran (a new file in `markers`) and prints `ran`.
    var markerScript: String { "#!/bin/sh\n: > '\(markers)/ran.'$$\necho ran\n" }

    /// The files marker scripts (or any job) created in `markers` so far.
    func markerFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: markers)) ?? []).sorted()
    }

    /// Forgets previous runs.
    func clearMarkers() {
        for name in markerFiles() { try? FileManager.default.removeItem(atPath: markers + "/" + name) }
    }

    // MARK: Requests

    /// `POST target` with a JSON body on a fresh connection.
    func post(_ target: String, _ body: String = "{}", headers: [(String, String)] = []) throws -> HTTPTestResponse {
        try serve.request("POST", target, body: body, headers: headers)
    }

    /// The `return` of a 200 body.
    static func returnValue(_ response: HTTPTestResponse) -> Int? { response.json?["return"] as? Int }

    /// The captured stdout text of a 200 body (`encode` null).
    static func stdout(_ response: HTTPTestResponse) -> String? {
        (response.json?["stdout"] as? [String: Any])?["content"] as? String
    }

    // MARK: Health

    /// Both processes' fds and the processes below them, now.
    func snapshot() -> SecuritySnapshot {
        let table = Self.processTable()
        return SecuritySnapshot(
            launcherFDs: Self.openFDs(launcherPID), frontEndFDs: Self.openFDs(frontEndPID),
            launcherDescendants: Self.descendants(of: launcherPID, in: table),
            frontEndChildren: table.filter { $0.parent == frontEndPID })
    }

    /// Records an issue for each way the fixture is worse off than at `snapshot`: a new fd in
    /// either process (beyond `pooledConnectionAllowance` Unix sockets), a zombie, a process below
    /// the launcher or one of `jobUID` still alive, a process that died or was replaced, or a
    /// trivial `POST /probe` that does not answer 200 with `return` 0. Waits up to `within`
    /// seconds for finished jobs' fds and processes to go before it judges.
    func assertHealthy(since snapshot: SecuritySnapshot, within seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, pid) in [("launcher", launcherPID), ("front-end", frontEndPID)] {
            let state = Self.stat(of: pid)?.state
            #expect(state != nil && state != "Z", "the \(name) (pid \(pid)) is gone\n\(tail)", sourceLocation: sourceLocation)
        }
        // Still serving: a trivial command runs and answers as usual.
        do {
            let response = try post("/probe", #"{"args":["exit","0"]}"#)
            #expect(response.status == 200, "\(response)\n\(tail)", sourceLocation: sourceLocation)
            #expect(Self.returnValue(response) == 0, "\(response)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("the server does not answer: \(error)\n\(tail)", sourceLocation: sourceLocation)
        }
        var problems: [String] = []
        _ = waitFor(within: .milliseconds(Int64(seconds * 1000))) {
            problems = healthProblems(since: snapshot)
            return problems.isEmpty
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(tail)", sourceLocation: sourceLocation)
    }

    /// `snapshot()`, `body`, `assertHealthy(since:)` (also when `body` throws).
    func checked(sourceLocation: SourceLocation = #_sourceLocation, _ body: (SecurityFixture) throws -> Void) rethrows {
        let before = snapshot()
        defer { assertHealthy(since: before, sourceLocation: sourceLocation) }
        try body(self)
    }

    /// What `assertHealthy` complains about, now (empty when healthy).
    func healthProblems(since snapshot: SecuritySnapshot) -> [String] {
        var problems: [String] = []
        let table = Self.processTable()
        let before = Set(snapshot.launcherDescendants.map(\.pid))
        let below = Self.descendants(of: launcherPID, in: table)
        let zombies = table.filter { $0.state == "Z" && ($0.parent == launcherPID || $0.parent == frontEndPID) }
        if !zombies.isEmpty { problems.append("zombies: \(zombies)") }
        let left = below.filter { !before.contains($0.pid) && $0.state != "Z" }
        if !left.isEmpty { problems.append("processes left below the launcher: \(left)") }
        let jobs = table.filter { $0.uid == jobUID }
        if !jobs.isEmpty { problems.append("processes of the job uid \(jobUID) alive: \(jobs)") }
        let frontEndChildren = table.filter { $0.parent == frontEndPID }
        if !frontEndChildren.isEmpty { problems.append("children of the front-end: \(frontEndChildren)") }
        let unixInodes = Self.unixSocketInodes()
        for (name, pid, old) in [("launcher", launcherPID, snapshot.launcherFDs), ("front-end", frontEndPID, snapshot.frontEndFDs)] {
            let now = Self.openFDs(pid)
            let added = now.filter { old[$0.key] != $0.value }
            let pooled = added.filter { Self.socketInode($0.value).map(unixInodes.contains) == true }
            let others = added.filter { pooled[$0.key] == nil }
            if !others.isEmpty {
                problems.append("new fds in the \(name): \(others.sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" })")
            }
            if pooled.count > Self.pooledConnectionAllowance {
                problems.append("\(pooled.count) new Unix-socket fds in the \(name) (allowed: \(Self.pooledConnectionAllowance) pooled connections)")
            }
        }
        return problems
    }

    private var tail: String { "--- serve log (end):\n" + String(log.suffix(3000)) }

    // MARK: /proc

    /// fd → link target of `pid` (empty when the process is gone).
    static func openFDs(_ pid: Int32) -> [Int32: String] {
        let directory = "/proc/\(pid)/fd"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var result: [Int32: String] = [:]
        for name in names {
            guard let fd = Int32(name) else { continue }
            var buffer = [CChar](repeating: 0, count: 4096)
            let n = readlink(directory + "/" + name, &buffer, buffer.count - 1)
            if n >= 0 { result[fd] = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        }
        return result
    }

    /// Every process on the host, as /proc shows it.
    static func processTable() -> [SecurityProcess] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { Int32($0).flatMap(stat(of:)) }
    }

    /// One process from /proc/PID/stat and /proc/PID/status; nil when it is gone.
    static func stat(of pid: Int32) -> SecurityProcess? {
        let text = readProcFile("/proc/\(pid)/stat")
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        // comm may contain spaces and parentheses: the fields follow the last ')'.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]) else { return nil }
        let status = readProcFile("/proc/\(pid)/status")
        let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
        let uid = uidLine?.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap { UInt32($0) } ?? UInt32.max
        return SecurityProcess(pid: pid, parent: parent, state: state, uid: uid, name: String(text[text.index(after: open)..<close]))
    }

    /// The processes below `pid` (children, theirs, …) in `table`.
    static func descendants(of pid: Int32, in table: [SecurityProcess]) -> [SecurityProcess] {
        var children: [Int32: [SecurityProcess]] = [:]
        for process in table { children[process.parent, default: []].append(process) }
        var result: [SecurityProcess] = []
        var queue = [pid]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where child.pid != pid {
                result.append(child)
                queue.append(child.pid)
            }
        }
        return result
    }

    /// Inodes of every Unix socket (/proc/net/unix).
    static func unixSocketInodes() -> Set<UInt64> {
        let text = readProcFile("/proc/net/unix")
        return Set(text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 6 ? UInt64(fields[6]) : nil
        })
    }

    /// A /proc file read to its end ("" when unreadable). /proc files report size 0 and hand out
    /// a page per read, so they are read in a loop rather than by size.
    static func readProcFile(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// N of `socket:[N]`.
    static func socketInode(_ target: String) -> UInt64? {
        guard target.hasPrefix("socket:[") && target.hasSuffix("]") else { return nil }
        return UInt64(target.dropFirst(8).dropLast())
    }

    // MARK: Helpers

    private func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : root + "/" + path }

    /// A uid in 62000..<65000 with no account and no live process, different for every fixture
    /// (`SecurityLauncher`'s too).
    static func freshJobUID() -> UInt32 {
        let inUse = Set(processTable().map(\.uid))
        return nextUID.withLock { next in
            while true {
                let uid = 62_000 + next % 3_000
                next += 1
                if !inUse.contains(uid) && getpwuid(uid) == nil { return uid }
            }
        }
    }

    private static let nextUID = Mutex<UInt32>(UInt32.random(in: 0..<3_000))

    /// The policy of `.limited`: the generated one's shape (ServePolicy) with `limits`.
    private static func policyText(root: String, followLinks: Bool, jobUID: UInt32, limits: SecurityLimits) -> String {
        // `serve` runs the front-end as FRONTEND_USER `httpexec`, or the fixed uid 60999 when that
        // account does not exist; the front-end must be the policy's peer and own the socket group.
        let frontEnd = getpwnam("httpexec").map { ($0.pointee.pw_uid, $0.pointee.pw_gid) } ?? (60999, 60999)
        var lines = [
            "exec_root = \"\(root)\"",
            "follow_links = \(followLinks)",
            "working_directory = \"/\"",
            "seccomp = \"\(repositoryRoot)/policy/seccomp/default.json\"",
            "",
            "[run_as]",
            "user = \"\(jobUID)\"",
            "group = \"\(jobUID)\"",
            "",
            "[environment]",
            "base = { PATH = \"/usr/local/bin:/usr/bin:/bin\", LANG = \"C.UTF-8\" }",
            "deny_extra = [\"HTTPEXEC_*\"]",
            "",
            "[limits]",
            "timeout = \"\(limits.timeout)\"",
            "kill_grace = \"\(limits.killGrace)\"",
            "output_cap = \"\(limits.outputCap)\"",
            "on_output_overflow = \"\(limits.onOutputOverflow)\"",
            "stdin_cap = \"\(limits.stdinCap)\"",
            "open_files = \(limits.openFiles)",
            "core = 0",
        ]
        if let processes = limits.processes { lines.append("processes = \(processes)") }
        if let cpu = limits.cpuSeconds { lines.append("cpu_seconds = \(cpu)") }
        if let size = limits.addressSpace { lines.append("address_space = \"\(size)\"") }
        if let size = limits.fileSize { lines.append("file_size = \"\(size)\"") }
        lines += [
            "",
            "[concurrency]",
            "max_jobs = \(limits.maxJobs)",
            "max_per_command = \(limits.maxPerCommand)",
            "",
            "[peers]",
            "users = [\"\(frontEnd.0)\"]",
            "",
            "[socket]",
            "group = \"\(frontEnd.1)\"",
            "mode = \"0660\"",
            "",
            limits.extraPolicy,
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs a program to completion; its exit status and combined output.
    static func runTool(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Limits of a `.limited` policy. The defaults are small so attacks end fast, yet leave room for
/// ordinary jobs (a `/bin/sh` script, the probe).
struct SecurityLimits: Sendable {
    var timeout = "20s"
    var killGrace = "300ms"
    var outputCap = "1MiB"
    var onOutputOverflow = "truncate"
    var stdinCap = "1MiB"
    var openFiles = 256
    /// RLIMIT_NPROC: counts every process of `jobUID` (one uid per fixture, so only this fixture's jobs).
    var processes: Int? = 48
    var cpuSeconds: Int? = 5
    var addressSpace: String? = "512MiB"
    var fileSize: String? = "64MiB"
    var maxJobs = 16
    var maxPerCommand = 16
    /// Appended to the policy verbatim (e.g. `[[command]]` tables).
    var extraPolicy = ""
}

/// Which launcher policy the fixture's `serve` runs with.
enum SecurityPolicy: Sendable {
    /// The policy `serve` generates from its settings (`HTTPEXEC_JOB_TIMEOUT`, `JOB_USER`, …).
    case generated(jobTimeout: String = "20s")
    /// A `--policy` file with these limits; otherwise the same as the generated one (base
    /// environment, `HTTPEXEC_*` denied, the default seccomp profile, the front-end as only peer).
    case limited(SecurityLimits = SecurityLimits())
}

/// What both processes hold at one moment (see `SecurityFixture.snapshot()`).
struct SecuritySnapshot: Sendable {
    /// fd number → `readlink` target (`socket:[N]`, `pipe:[N]`, `anon_inode:[eventfd]`, a path).
    let launcherFDs: [Int32: String]
    let frontEndFDs: [Int32: String]
    /// Processes below the launcher (its jobs and their descendants), zombies included.
    let launcherDescendants: [SecurityProcess]
    /// Children of the front-end (it cannot fork: expected empty).
    let frontEndChildren: [SecurityProcess]
}

/// One process as /proc shows it.
struct SecurityProcess: Sendable, Hashable, CustomStringConvertible {
    let pid: Int32
    let parent: Int32
    /// The state letter of /proc/PID/stat (`Z` for a zombie).
    let state: Character
    let uid: UInt32
    let name: String
    var description: String { "\(pid)(\(name) state=\(state) uid=\(uid) ppid=\(parent))" }
}

/// A suite trait that starts one `SecurityFixture` for the whole suite and stops it afterwards;
/// tests reach it with `SecurityFixture.current()`. Not root: the suite's tests run without a
/// fixture and `current()` fails — guard suites with `.enabled(if: runningAsRoot, …)`.
struct SecurityScope: SuiteTrait, TestScoping {
    @TaskLocal static var current: SecurityFixture?

    let make: @Sendable () throws -> SecurityFixture

    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let fixture = try make()
        defer { fixture.serve.stop() }
        try await Self.$current.withValue(fixture) { try await function() }
    }
}

extension Trait where Self == SecurityScope {
    /// One shared `SecurityFixture` for the suite.
    static func securityServer(_ make: @escaping @Sendable () throws -> SecurityFixture) -> Self { SecurityScope(make: make) }
}
