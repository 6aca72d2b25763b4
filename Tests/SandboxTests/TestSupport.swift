import Foundation
import Policy
import Sandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every test that spawns runs inside this suite, one at a time: the leak checks count this
/// process's pipes, pidfds and zombies, which concurrent spawning tests would disturb.
@Suite(.serialized) struct Engine {}

/// One engine for the whole test process. Not a subreaper here: its orphan sweep reaps any exited
/// child that is not a job, which would steal the integration tests' launcher processes from
/// Foundation's Process (the launcher binary, a subreaper, is tested from the outside).
let engine: SpawnEngine = {
    do { return try SpawnEngine(options: .init(becomeSubreaper: false)) } catch { fatalError("engine: \(error)") }
}()

let isRoot = geteuid() == 0

/// The repository root, found from this file's path.
let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

let compiler = SeccompCompiler()

func profile(_ name: String) throws -> CompiledSeccompFilter {
    try compiler.load(contentsOf: "\(repoRoot)/policy/seccomp/\(name).json")
}

/// A world-readable temporary directory holding a copy of the probe, so an unprivileged job uid
/// can execute it wherever the build tree lives.
let fixtureDirectory: String = {
    var template = Array("/tmp/httpexec-tests-XXXXXX".utf8CString)
    guard let dir = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    let path = String(cString: dir)
    chmod(path, 0o755)
    let buildDir = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
        .deletingLastPathComponent().path
    let source = "\(buildDir)/httpexec-probe"
    guard FileManager.default.fileExists(atPath: source) else { fatalError("probe not built at \(source)") }
    try? FileManager.default.copyItem(atPath: source, toPath: "\(path)/probe")
    chmod("\(path)/probe", 0o755)
    return path
}()

var probePath: String { "\(fixtureDirectory)/probe" }

/// A probe spec whose program is a script written into the fixture directory.
func scriptSpec(_ name: String, _ body: String, mode: mode_t = 0o755) throws -> JobSpec {
    let path = "\(fixtureDirectory)/\(name)"
    try body.write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, mode)
    var spec = try probeSpec([])
    spec.executable = try ExecutableFile(path: path)
    spec.argv0 = name
    return spec
}

/// The identity jobs get in these tests: nobody/nogroup as root, the test's own uid otherwise.
func testIdentity() throws -> JobIdentity {
    try JobIdentity.resolve(RunAsPolicy(), capabilities: .probe())
}

/// A spec that runs the probe with the full sandbox (default profile, uid drop when root).
func probeSpec(_ args: [String], profileName: String = "default") throws -> JobSpec {
    JobSpec(
        executable: try ExecutableFile(path: probePath), argv0: "probe", arguments: args,
        environment: [EnvironmentVariable("PATH", "/usr/bin:/bin")], workingDirectory: "/",
        identity: try testIdentity(), seccomp: try profile(profileName), timeout: .seconds(30))
}

func runProbe(_ args: [String], profileName: String = "default", configure: (inout JobSpec) -> Void = { _ in }) async throws -> JobOutput {
    var spec = try probeSpec(args, profileName: profileName)
    configure(&spec)
    return try await engine.run(PreparedJob(spec))
}

extension JobOutput {
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// `key=value` lines of stdout as a dictionary.
    var keyValues: [String: String] {
        var out: [String: String] = [:]
        for line in stdoutText.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }
    /// `/proc/self/status`-style `Key:\tvalue` lines.
    var statusFields: [String: String] {
        var out: [String: String] = [:]
        for line in stdoutText.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }
}

/// Polls `condition` until it holds or `deadline` passes (events we cannot subscribe to, such as
/// another process's exit, are observed this way with a bound — never a fixed sleep).
func eventually(within deadline: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let end = ContinuousClock.now + deadline
    while ContinuousClock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Open fds of this process that are pipes or pidfds (what a leak in the engine would look like).
func engineLikeFds() -> Set<String> {
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    var out = Set<String>()
    for fd in fds {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)") else { continue }
        if target.hasPrefix("pipe:") || target.contains("pidfd") { out.insert("\(fd)->\(target)") }
    }
    return out
}

/// Pipes and pidfds opened since `before` that could be the engine's and are still open.
///
/// The engine's pipes are non-blocking on our side (it multiplexes them with epoll), and its
/// children's ends are closed right after the spawn; the servers other test targets start through
/// Foundation keep *blocking* pipes for as long as those tests run, shared with no one once their
/// process has exited. So a pipe counts only when it is non-blocking and no other process holds it.
func leakedEngineFds(since before: Set<String>) -> Set<String> {
    let new = engineLikeFds().subtracting(before).filter { entry in
        guard entry.contains("->pipe:"), let fd = entry.split(separator: "-").first else { return true }
        return isNonBlocking(fd: String(fd))
    }
    let pipes = Set(new.compactMap { entry in entry.range(of: "->pipe:").map { String(entry[entry.index($0.lowerBound, offsetBy: 2)...]) } })
    let shared = pipesHeldByOtherProcesses(pipes)
    return new.filter { entry in !shared.contains(where: { entry.hasSuffix("->" + $0) }) }
}

/// Whether `/proc/self/fdinfo/FD` shows O_NONBLOCK (true when it cannot be read: count it).
func isNonBlocking(fd: String) -> Bool {
    guard let info = try? String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
          let flags = Int(line.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8)
    else { return true }
    return flags & Int(O_NONBLOCK) != 0
}

/// Which of `pipes` (`pipe:[inode]`) an open fd of another process refers to.
func pipesHeldByOtherProcesses(_ pipes: Set<String>) -> Set<String> {
    guard !pipes.isEmpty else { return [] }
    let me = String(getpid())
    var found = Set<String>()
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where entry != me && Int32(entry) != nil {
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(entry)/fd")) ?? [] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)"),
               pipes.contains(target) {
                found.insert(target)
            }
        }
    }
    return found
}

/// Zombie children of this process that were jobs (session leaders: the engine's children call
/// setsid; processes other test targets start through Foundation do not).
func zombieChildren() -> [Int32] {
    let me = getpid()
    var zombies: [Int32] = []
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        if fields.count > 3, fields[0] == "Z", Int32(fields[1]) == me, Int32(fields[3]) == pid { zombies.append(pid) }
    }
    return zombies
}
