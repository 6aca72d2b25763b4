import Audit
import Host
import CSpawn
import Logging
import LauncherProtocol
import NIOCore
import NIOPosix
import Policy
import Sandbox
import Synchronization
import Systemd

#if canImport(Glibc)
import Glibc
#endif

/// The launcher process: listens on its Unix socket(s), checks every peer, admits jobs against
/// the policy and runs them with the spawn engine.
public final class LauncherService: Sendable {
    let policy: LauncherPolicy
    let admission: JobAdmission
    let peers: PeerPolicy
    let gate: ConcurrencyGate
    /// Per-job uids, when the policy sets `run_as.uid_range`.
    let uidPool: UIDPool?
    let engine: SpawnEngine
    let logger: Logger
    /// What `statsRequest` answers.
    let counters = LauncherCounters()
    /// Where every decision is recorded.
    let audit: LauncherAudit
    /// Kills running jobs' process groups if the launcher dies abruptly.
    let reaper: GroupReaper?
    let group: MultiThreadedEventLoopGroup
    private let state = Mutex(State())

    private struct State {
        var servers: [any Channel] = []
        var connections: [ObjectIdentifier: ConnectionRef] = [:]
        var shuttingDown = false
    }

    /// A connection as seen from outside its event loop.
    struct ConnectionRef: Sendable {
        let eventLoop: any EventLoop
        let handler: NIOLoopBound<LauncherConnectionHandler>
    }

    /// Loads everything that can fail before a single connection is accepted: the exec root,
    /// the run-as identity (and its separation from the peers), every seccomp profile.
    /// - Throws: a description of the first problem (start-up refuses rather than degrades).
    public init(policy: LauncherPolicy, logger: Logger) throws {
        self.policy = policy
        self.logger = logger
        // Not dumpable: no process of our uid (a job in single-uid mode, above all) may open
        // /proc/<launcher>/mem, fd/ or environ, or ptrace us.
        _ = hx_set_dumpable(0)
        // A file-size limit (RLIMIT_FSIZE, systemd's LimitFSIZE=) reached by the audit file must
        // make that write fail with EFBIG — the record is cut back and the job refused — not kill
        // the launcher with SIGXFSZ. (Jobs get every signal back at its default in the child.)
        signal(SIGXFSZ, SIG_IGN)
        let capabilities = SandboxCapabilities.probe()
        for line in capabilities.layerReport { logger.info("layer \(line)") }

        let identity = try JobIdentity.resolve(policy.runAs, capabilities: capabilities)
        let peers = try PeerPolicy(policy.peers)
        if policy.runAs.allowPeerIdentity {
            logger.warning("layer job/launcher separation: relaxed by policy (run_as.allow_peer_identity): jobs run as an identity that may connect to the launcher socket")
        } else {
            try peers.checkJobIdentity(identity)
        }
        self.peers = peers
        if let range = policy.runAs.uidRange {
            guard capabilities.canSwitchIdentity else {
                throw Rejection(RejectCode.policy, "run_as.uid_range needs a launcher that can switch users (root, or CAP_SETUID and CAP_SETGID)")
            }
            if let overlap = peers.uids.first(where: range.contains) ?? peers.gids.first(where: range.contains) {
                throw Rejection(RejectCode.policy, "run_as.uid_range contains id \(overlap), which may talk to the launcher socket")
            }
            if let taken = PeerPolicy.firstAccount(in: range) {
                logger.warning("run_as.uid_range contains uid \(taken), which belongs to an account; jobs running under it share that account's files")
            }
            uidPool = UIDPool(range: range)
        } else {
            uidPool = nil
        }

        let compiler = SeccompCompiler()
        var defaultFilter: CompiledSeccompFilter?
        if let profile = policy.seccompProfile {
            defaultFilter = try compiler.load(contentsOf: profile)
        } else {
            logger.warning("seccomp: disabled by the policy (seccomp = \"unconfined\")")
        }
        var commandFilters: [String: CompiledSeccompFilter?] = [:]
        for command in policy.commands {
            if command.unconfined {
                commandFilters[command.path] = .some(nil)
                logger.warning("seccomp: disabled for command \(command.path) by the policy")
            } else if let profile = command.seccompProfile {
                commandFilters[command.path] = .some(try compiler.load(contentsOf: profile))
            }
        }
        let profileHashes = ([defaultFilter] + commandFilters.values.map { $0 }).compactMap { $0?.profileHash }
        audit = try LauncherAudit(policy: policy, profileHashes: profileHashes, logger: logger)
        do {
            try audit.chainStart(layers: capabilities.layerReport)
        } catch {
            throw Rejection(RejectCode.policy, "audit: cannot write the chain start record: \(error.message)")
        }
        admission = JobAdmission(
            policy: policy, execRoot: try ExecRoot(path: policy.execRoot, followLinks: policy.followLinks),
            identity: identity, defaultFilter: defaultFilter, commandFilters: commandFilters)
        gate = ConcurrencyGate(maxJobs: policy.concurrency.maxJobs)
        engine = try SpawnEngine(options: .init(becomeSubreaper: true))
        reaper = GroupReaper.start()
        if reaper != nil {
            logger.info("layer job trees: killed with their process group if the launcher dies (group reaper)")
        } else {
            logger.warning("layer job trees: no group reaper (\(String(cString: strerror(errno)))): a job's children may outlive a launcher killed with SIGKILL unless its cgroup is killed")
        }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        if let range = policy.runAs.uidRange {
            logger.info("jobs run as a uid of their own from \(range.lowerBound)-\(range.upperBound)")
        } else {
            switch identity {
            case .launcher: logger.info("jobs run as the launcher's own uid \(geteuid()) (single-uid mode)")
            case .user(let uid, let gid, _): logger.info("jobs run as uid \(uid) gid \(gid)")
            }
        }
    }

    /// Keeps the audit file synced on its interval (records written under `fsync = "interval"`
    /// reach the disk at most one interval later even when no further job comes).
    public func syncAuditPeriodically() {
        guard case .interval(let every) = policy.audit.sync, audit.isRecording else { return }
        group.next().scheduleRepeatedTask(initialDelay: .init(every), delay: .init(every)) { [self] _ in
            do throws(AuditError) {
                try audit.log?.syncIfDue()
            } catch {
                counters.auditFailed()
                logger.error("audit: \(error)")
            }
        }
    }

    /// Reopens the audit file (SIGHUP, after log rotation moved it away).
    public func reopenAudit() {
        do throws(AuditError) {
            try audit.reopen()
            counters.auditWritten()
            logger.notice("audit: file reopened")
        } catch {
            counters.auditFailed()
            logger.error("audit: cannot reopen: \(error)")
        }
    }

    // MARK: - Listening

    /// Sends `WATCHDOG=1` every half watchdog interval from the service's event loop (so a stuck
    /// loop stops the pings and systemd restarts the launcher); nothing without `WATCHDOG_USEC`.
    public func feedWatchdog() {
        guard let every = SystemdIntegration.watchdogPingInterval else { return }
        group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .init(every)) { _ in
            SystemdIntegration.notify("WATCHDOG=1")
        }
    }

    /// Binds the configured socket path (mode and group from the policy), refusing to take over a
    /// path a live process still serves.
    public func listen(path: String) async throws {
        if UnixSocketPath.directoryIsOpenToOthers(path) {
            // Anyone who can write the directory can swap the socket for a link or a look-alike.
            throw Rejection(RejectCode.policy, "the socket's directory is writable by other users; put the launcher socket in a directory only root and the front-end's group can write")
        }
        try UnixSocketPath.clearStale(path)
        // The socket is born with the policy's mode (no chmod, which would follow a swapped-in
        // symlink) under a temporary name, gets its group with lchown (which does not follow links
        // either), and only then is renamed into place: nobody can connect to `path` while its
        // group is still wrong (a peer racing the chown was refused with EACCES).
        let staging = path.utf8.count + 9 <= 107 ? path + ".binding" : path
        if staging != path { unlink(staging) }
        let oldMask = umask(mode_t(~policy.socket.mode & 0o777))
        let channel: any Channel
        do {
            channel = try await bootstrap().bind(unixDomainSocketPath: staging).get()
        } catch {
            umask(oldMask)
            throw error
        }
        umask(oldMask)
        if let groupName = policy.socket.group {
            guard let gid = Accounts.group(groupName) else { throw Rejection(RejectCode.policy, "socket.group: unknown group \"\(groupName)\"") }
            guard lchown(staging, UInt32.max, gid) == 0 else { throw Rejection(RejectCode.policy, "cannot give the socket to group \(groupName)") }
        }
        if staging != path, rename(staging, path) != 0 {
            throw Rejection(RejectCode.policy, "cannot move the socket into place: \(String(cString: strerror(errno)))")
        }
        register(channel)
        logger.info("listening on \(path) (mode \(String(policy.socket.mode, radix: 8)))")
    }

    /// Serves a socket inherited from systemd.
    public func listen(inherited socket: SystemdIntegration.InheritedSocket) async throws {
        let channel = try await bootstrap().withBoundSocket(socket.fd).get()
        register(channel)
        logger.info("listening on inherited fd \(socket.fd)\(socket.name.map { " (\($0))" } ?? "")")
    }

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.autoRead, value: false) // enabled once the peer check passed
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LauncherConnectionHandler(service: self))
                }
            }
    }

    private func register(_ channel: any Channel) {
        state.withLock { $0.servers.append(channel) }
    }

    // MARK: - Connections

    /// Returns false when the launcher is draining (the connection is then closed).
    func connectionOpened(_ id: ObjectIdentifier, _ ref: ConnectionRef) -> Bool {
        state.withLock { s in
            guard !s.shuttingDown else { return false }
            s.connections[id] = ref
            return true
        }
    }

    func connectionClosed(_ id: ObjectIdentifier) {
        state.withLock { _ = $0.connections.removeValue(forKey: id) }
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    // MARK: - Shutdown

    /// Drains: stop accepting, cancel running jobs (TERM → grace → KILL; their results are still
    /// sent), close idle connections, and return once every connection is gone or `deadline` passed.
    public func drain(deadline: Duration) async {
        SystemdIntegration.notify("STOPPING=1\nSTATUS=draining")
        let (servers, connections) = state.withLock { s in
            s.shuttingDown = true
            return (s.servers, Array(s.connections.values))
        }
        for server in servers { try? await server.close() }
        // Cancels every running job (TERM → grace → KILL); each result still reaches its client,
        // after which the state machine closes the connection.
        engine.shutdown()
        for ref in connections {
            ref.eventLoop.execute { ref.handler.value.beginShutdown() }
        }
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if state.withLock({ $0.connections.isEmpty }) && engine.activeJobCount == 0 { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? await group.shutdownGracefully()
        do throws(AuditError) { try audit.log?.flush() } catch { logger.error("audit: \(error)") }
        logger.info("launcher stopped")
    }
}
