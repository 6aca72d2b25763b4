import Audit
import CSpawn
import LauncherProtocol
import Logging
import Policy
import Sandbox

#if canImport(Glibc)
import Glibc
#endif

/// Turns the launcher's decisions into audit records (docs/audit.md): what the front-end asked
/// (marked as its claim), what the launcher decided, and what actually ran. Never records an
/// argument or environment *value* unless the policy says `argv = "full"` (values: never).
struct LauncherAudit: Sendable {
    let log: AuditLog?
    let policy: LauncherPolicy
    /// SHA-256 over the effective policy and every seccomp profile it names: which exact policy
    /// governed a job.
    let policyHash: String

    init(policy: LauncherPolicy, profileHashes: [String], logger: Logger) throws {
        self.policy = policy
        var material = Array(policy.effectiveSummary.utf8)
        for hash in profileHashes.sorted() { material += Array("\nprofile \(hash)".utf8) }
        policyHash = AuditDigest.sha256(material)
        let journal: String?
        switch policy.audit.journal {
        case .off: journal = nil
        case .on: journal = AuditLog.defaultJournalSocket
        case .auto: journal = AuditLog.journalAvailable() ? AuditLog.defaultJournalSocket : nil
        }
        if policy.audit.journal == .on, !AuditLog.journalAvailable() {
            throw Rejection(RejectCode.policy, "audit.journal = \"on\" but there is no journal socket at \(AuditLog.defaultJournalSocket)")
        }
        let interval: Duration? = switch policy.audit.sync {
        case .always: nil
        case .interval(let every): every
        }
        let configuration = AuditLog.Configuration(file: policy.audit.file, journalSocket: journal, syncInterval: interval)
        if configuration.file == nil && configuration.journalSocket == nil {
            log = nil
            logger.warning("layer audit: none (no audit.file and no journal): jobs run without an audit trail")
        } else {
            do {
                log = try AuditLog(configuration)
            } catch {
                throw Rejection(RejectCode.policy, "audit: \(error.message)")
            }
            let mode = policy.audit.required ? "refuse jobs when a record cannot be written" : "on_failure = continue (relaxed by policy)"
            logger.info("layer audit: \(log!.sinkDescription); argv \(policy.audit.arguments.rawValue); \(mode)")
        }
    }

    /// Whether records are written at all (the methods below do nothing, and build nothing,
    /// without a sink).
    var isRecording: Bool { log != nil }

    // MARK: Records
    //
    // Each job record names the peer as the kernel vouches for it (SO_PEERCRED) and what the
    // front-end claims about the request (its id, the HTTP client's address, the command).

    func chainStart(layers: [String]) throws(AuditError) {
        guard let log else { return }
        var fields = AuditObject()
        fields.set("version", .int(1))
        fields.set("launcher", .object(AuditObject(["pid": .int(Int64(getpid())), "uid": .int(Int64(geteuid()))])))
        fields.set("policy_path", .string(policy.sourcePath))
        fields.set("policy_sha256", .string(policyHash))
        fields.set("exec_root", .string(policy.execRoot))
        fields.set("layers", .strings(layers))
        fields.set("argv_mode", .string(policy.audit.arguments.rawValue))
        try log.record(AuditEntry(event: "chain_start", fields: fields, priority: 5,
                                   message: "httpexec launcher started (policy \(policyHash.prefix(12)))"))
    }

    func rejected(peer: hx_peer, request: StartJob, code: String, message: String) throws(AuditError) {
        guard let log else { return }
        var fields = common(peer, request)
        addRequest(request, to: &fields)
        fields.set("reason", .object(AuditObject(["code": .string(code), "message": .string(message)])))
        fields.set("policy_sha256", .string(policyHash))
        try log.record(AuditEntry(
            event: "rejected", fields: fields, journalFields: journal(peer, request, result: "rejected", extra: [("HTTPEXEC_REASON", code)]),
            priority: 5, message: "httpexec rejected \(Self.printable(request.command)): \(code)"))
    }

    func started(peer: hx_peer, request: StartJob, spec: JobSpec) throws(AuditError) {
        guard let log else { return }
        var fields = common(peer, request)
        addRequest(request, to: &fields)
        let (uid, gid) = Self.ids(spec.identity)
        fields.set("run_as", .object(AuditObject(["uid": .int(Int64(uid)), "gid": .int(Int64(gid))])))
        fields.set("limits", .object(Self.limits(spec)))
        fields.set("layers", .object(Self.plannedLayers(spec)))
        fields.set("policy_sha256", .string(policyHash))
        try log.record(AuditEntry(
            event: "started", fields: fields, journalFields: journal(peer, request, result: "started", extra: []),
            message: "httpexec started \(Self.printable(request.command))"))
    }

    func finished(peer: hx_peer, request: StartJob, result: JobResult, outcome: JobSummary.Outcome) throws(AuditError) {
        guard let log else { return }
        var fields = common(peer, request)
        fields.set("pid", .int(Int64(result.pid)))
        switch result.termination {
        case .exited(let code):
            fields.set("exit_code", .int(Int64(code)))
            fields.set("signal", .null)
        case .signaled(let signal):
            fields.set("exit_code", .null)
            fields.set("signal", .int(Int64(signal)))
        }
        fields.set("timed_out", .bool(result.timedOut))
        fields.set("cancelled", .bool(result.cancelled))
        fields.set("output_limit_exceeded", .bool(result.outputLimitExceeded))
        fields.set("truncated", .object(AuditObject(["stdout": .bool(result.stdout.truncated), "stderr": .bool(result.stderr.truncated)])))
        fields.set("bytes", .object(AuditObject([
            "stdin": .int(Int64(result.stdinBytes)),
            "stdout": .int(Int64(result.stdout.bytesSeen)),
            "stderr": .int(Int64(result.stderr.bytesSeen)),
        ])))
        fields.set("wall_ms", .int(Self.milliseconds(result.wallTime)))
        fields.set("cpu_ms", .object(AuditObject([
            "user": .int(Self.milliseconds(result.userTime)), "system": .int(Self.milliseconds(result.systemTime)),
        ])))
        fields.set("max_rss_kib", .int(Int64(result.maxRSSKiB)))
        fields.set("layers", .object(Self.appliedLayers(result.layers)))
        let label = outcome.rawValue
        var extra: [(name: String, value: String)] = [("OBJECT_PID", String(result.pid))]
        switch result.termination {
        case .exited(let code): extra.append(("HTTPEXEC_EXIT_CODE", String(code)))
        case .signaled(let signal): extra.append(("HTTPEXEC_SIGNAL", String(signal)))
        }
        extra.append(("HTTPEXEC_WALL_MS", String(Self.milliseconds(result.wallTime))))
        try log.record(AuditEntry(
            event: "finished", fields: fields, journalFields: journal(peer, request, result: label, extra: extra),
            message: "httpexec finished \(Self.printable(request.command)): \(label)"))
    }

    func reopen() throws(AuditError) {
        try log?.reopen(fields: AuditObject(["policy_sha256": .string(policyHash)]))
    }

    // MARK: Pieces

    private func common(_ peer: hx_peer, _ request: StartJob) -> AuditObject {
        var fields = AuditObject()
        fields.set("request_id", .string(request.requestID))
        fields.set("peer", .object(AuditObject([
            "uid": .int(Int64(peer.uid)), "gid": .int(Int64(peer.gid)), "pid": .int(Int64(peer.pid)),
        ])))
        fields.set("client", .object(AuditObject(["address": .string(request.clientAddress), "asserted_by": .string("front-end")])))
        fields.set("command", .string(request.command))
        return fields
    }

    private func addRequest(_ request: StartJob, to fields: inout AuditObject) {
        switch policy.audit.arguments {
        case .full:
            fields.set("argv", .object(AuditObject(["count": .int(Int64(request.arguments.count)), "values": .strings(request.arguments)])))
        case .sha256:
            var material: [UInt8] = []
            for argument in request.arguments {
                material += argument.utf8
                material.append(0)
            }
            fields.set("argv", .object(AuditObject([
                "count": .int(Int64(request.arguments.count)), "sha256": .string(AuditDigest.sha256(material)),
            ])))
        case .redacted:
            fields.set("argv", .object(AuditObject(["count": .int(Int64(request.arguments.count))])))
        }
        fields.set("env_names", .strings(request.environment.map(\.name)))
        fields.set("stdin", .string(request.stdin == .stream ? "stream" : "none"))
    }

    private func journal(_ peer: hx_peer, _ request: StartJob, result: String, extra: [(name: String, value: String)]) -> [(name: String, value: String)] {
        [
            ("HTTPEXEC_REQUEST_ID", request.requestID),
            ("HTTPEXEC_RESULT", result),
            ("HTTPEXEC_COMMAND", request.command),
            ("HTTPEXEC_PEER_UID", String(peer.uid)),
            ("HTTPEXEC_POLICY_SHA256", policyHash),
        ] + extra
    }

    private static func ids(_ identity: JobIdentity) -> (UInt32, UInt32) {
        switch identity {
        case .launcher: (geteuid(), getegid())
        case .user(let uid, let gid, _): (uid, gid)
        }
    }

    private static func limits(_ spec: JobSpec) -> AuditObject {
        var out = AuditObject()
        out.set("timeout_ms", spec.timeout.map { .int(milliseconds($0)) } ?? .null)
        out.set("kill_grace_ms", .int(milliseconds(spec.killGrace)))
        func cap(_ mode: OutputMode) -> AuditValue {
            if case .capture(let cap) = mode { return .int(Int64(cap.limit)) }
            return .null
        }
        out.set("stdout_cap", cap(spec.stdout))
        out.set("stderr_cap", cap(spec.stderr))
        let l = spec.limits
        for (name, value) in [("open_files", l.openFiles), ("processes", l.processes), ("file_size", l.fileSize),
                              ("cpu_seconds", l.cpuSeconds), ("address_space", l.addressSpace), ("stack", l.stack), ("core", l.core)] {
            out.set(name, value.map(AuditValue.uint) ?? .null)
        }
        return out
    }

    private static func plannedLayers(_ spec: JobSpec) -> AuditObject {
        var out = AuditObject()
        out.set("seccomp", .string(spec.seccomp == nil ? "unconfined" : "enforced"))
        out.set("seccomp_profile_sha256", spec.seccomp.map { .string($0.profileHash) } ?? .null)
        out.set("no_new_privs", .bool(true))
        switch spec.identity {
        case .launcher: out.set("identity", .string("launcher"))
        case .user: out.set("identity", .string("switched"))
        }
        return out
    }

    private static func appliedLayers(_ layers: AppliedLayers) -> AuditObject {
        var out = AuditObject()
        out.set("seccomp", .string(layers.seccompProfileHash == nil ? "unconfined" : "enforced"))
        out.set("seccomp_profile_sha256", layers.seccompProfileHash.map(AuditValue.string) ?? .null)
        out.set("no_new_privs", .bool(layers.noNewPrivileges))
        switch layers.identity {
        case .launcher: out.set("identity", .string("launcher"))
        case .switched(let uid, let gid): out.set("identity", .object(AuditObject(["uid": .int(Int64(uid)), "gid": .int(Int64(gid))])))
        }
        out.set("rlimits", .int(Int64(layers.rlimits)))
        out.set("new_session", .bool(layers.newSession))
        out.set("parent_death_signal", .bool(layers.parentDeathSignal))
        out.set("closed_inherited_fds", .bool(layers.closedInheritedFds))
        return out
    }

    static func milliseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1000 + c.attoseconds / 1_000_000_000_000_000
    }

    /// For journal MESSAGE lines: control characters shown as `\xNN`.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
