// httpexec-spawn-bench: spawns/s and latency of the engine with the full sandbox on (default
// seccomp profile, rlimits, no_new_privs, new session, PDEATHSIG, uid drop when root), running a
// program with both output streams captured, at a given concurrency.
//
// usage: httpexec-spawn-bench CONCURRENCY SECONDS PROFILE.json [PROGRAM]
// prints: concurrency, spawns, spawns/s, p50 µs, p99 µs
import Policy
import Sandbox

#if canImport(Glibc)
import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 4, let concurrency = Int(args[1]), let seconds = Double(args[2]) else {
    print("usage: httpexec-spawn-bench CONCURRENCY SECONDS PROFILE.json [PROGRAM]")
    exit(64)
}
let program = args.count > 4 ? args[4] : "/bin/true"

let engine = try SpawnEngine(options: .init(becomeSubreaper: true))
let filter = try SeccompCompiler().load(contentsOf: args[3])
// Ablation switches for profiling (the make target always measures the full sandbox).
let ablate = Set((getenv("BENCH_ABLATE").map { String(cString: $0) } ?? "").split(separator: ",").map(String.init))
let identity = ablate.contains("uid") ? JobIdentity.launcher : try JobIdentity.resolve(RunAsPolicy(), capabilities: .probe())
let executable = try ExecutableFile(path: program)
let spec = JobSpec(
    executable: executable, environment: [EnvironmentVariable("PATH", "/usr/bin:/bin")],
    workingDirectory: "/", identity: identity,
    limits: ResourceLimits(core: 0, openFiles: 1024, fileSize: 1 << 30, cpuSeconds: 60),
    seccomp: ablate.contains("seccomp") ? nil : filter, timeout: .seconds(10))

let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
let start = ContinuousClock.now
let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
    for _ in 0..<concurrency {
        group.addTask {
            var samples: [Double] = []
            samples.reserveCapacity(100_000)
            while ContinuousClock.now < end {
                let t0 = ContinuousClock.now
                let out = try await engine.run(PreparedJob(spec))
                guard out.result.termination == .exited(0) else { fatalError("job failed: \(out.result.termination)") }
                let d = t0.duration(to: .now).components
                samples.append(Double(d.seconds) * 1e6 + Double(d.attoseconds) / 1e12)
            }
            return samples
        }
    }
    var all: [Double] = []
    for try await s in group { all += s }
    return all.sorted()
}
let elapsed = start.duration(to: .now).components
let secondsElapsed = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
let p50 = latencies[latencies.count / 2], p99 = latencies[Int(Double(latencies.count) * 0.99)]
print("\(concurrency) \(latencies.count) \((Double(latencies.count) / secondsElapsed * 10).rounded() / 10) \(Int(p50)) \(Int(p99))")
