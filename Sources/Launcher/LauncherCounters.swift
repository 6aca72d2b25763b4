import LauncherProtocol
import Synchronization

/// The launcher's own counters, answered to `statsRequest` so the front-end's `/metrics` shows what
/// the component that actually runs jobs saw (jobs it refused for its own reasons, peers it turned
/// away, audit failures) — not only what the front-end inferred.
final class LauncherCounters: Sendable {
    private struct Values {
        var started: UInt64 = 0
        var finished: [JobSummary.Outcome: UInt64] = [:]
        var cancelled: UInt64 = 0
        var rejected: [String: UInt64] = [:]
        var outputTruncations: UInt64 = 0
        var stdoutBytes: UInt64 = 0
        var stderrBytes: UInt64 = 0
        var stdinBytes: UInt64 = 0
        var peersRefused: UInt64 = 0
        var protocolErrors: UInt64 = 0
        var auditRecords: UInt64 = 0
        var auditFailures: UInt64 = 0
        var running: Int = 0
        var connections: Int = 0
    }

    private let values = Mutex(Values())

    /// A job's child has exec'd (a spawn that fails before is a rejection, counted there).
    func jobStarted() { values.withLock { $0.started += 1; $0.running += 1 } }

    func jobFinished(_ summary: JobSummary) {
        values.withLock { v in
            v.finished[summary.outcome, default: 0] += 1
            if summary.cancelled { v.cancelled += 1 }
            if summary.truncated { v.outputTruncations += 1 }
            v.stdoutBytes &+= summary.stdoutBytesSeen
            v.stderrBytes &+= summary.stderrBytesSeen
            v.stdinBytes &+= summary.stdinBytes
            v.running -= 1
        }
    }

    /// A job refused before it ran. `code` is a `RejectCode` or `spawn:<step>`.
    func jobRejected(code: String) {
        // The code set is closed (ours), but keep the label bounded and renderable regardless.
        let label = StatsEntry.isValidLabelValue(code) ? code : "other"
        values.withLock { $0.rejected[label, default: 0] += 1 }
    }

    func peerRefused() { values.withLock { $0.peersRefused += 1 } }
    func protocolError() { values.withLock { $0.protocolErrors += 1 } }
    func auditWritten() { values.withLock { $0.auditRecords += 1 } }
    func auditFailed() { values.withLock { $0.auditFailures += 1 } }
    func connectionOpened() { values.withLock { $0.connections += 1 } }
    func connectionClosed() { values.withLock { $0.connections -= 1 } }

    /// Every counter and gauge, in a stable order (names without the `httpexec_launcher_` prefix
    /// the front-end adds).
    func snapshot() -> [StatsEntry] {
        let v = values.withLock { $0 }
        var entries: [StatsEntry] = [
            StatsEntry("jobs_started_total", .counter, value: v.started),
            StatsEntry("jobs_cancelled_total", .counter, value: v.cancelled),
            StatsEntry("output_truncations_total", .counter, value: v.outputTruncations),
            StatsEntry("stdout_bytes_total", .counter, value: v.stdoutBytes),
            StatsEntry("stderr_bytes_total", .counter, value: v.stderrBytes),
            StatsEntry("stdin_bytes_total", .counter, value: v.stdinBytes),
            StatsEntry("peers_refused_total", .counter, value: v.peersRefused),
            StatsEntry("protocol_errors_total", .counter, value: v.protocolErrors),
            StatsEntry("audit_records_total", .counter, value: v.auditRecords),
            StatsEntry("audit_failures_total", .counter, value: v.auditFailures),
            StatsEntry("jobs_running", .gauge, value: UInt64(max(0, v.running))),
            StatsEntry("connections", .gauge, value: UInt64(max(0, v.connections))),
        ]
        for result in JobSummary.Outcome.allCases {
            entries.append(StatsEntry("jobs_finished_total", .counter, label: .init("result", result.rawValue), value: v.finished[result] ?? 0))
        }
        // At most one entry per distinct code; the protocol's entry limit bounds the answer.
        for (code, count) in v.rejected.sorted(by: { $0.key < $1.key }).prefix(ProtocolLimits.maxStatsEntries - entries.count) {
            entries.append(StatsEntry("jobs_rejected_total", .counter, label: .init("reason", code), value: count))
        }
        return entries
    }
}
