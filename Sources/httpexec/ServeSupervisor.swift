import Host
import CSpawn
import Logging
import Sandbox
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// Runs and watches the two processes of `httpexec serve`.
///
/// Start-up: a private runtime directory (root: `root:<front-end gid>` mode 0710, so only the
/// front-end's group can reach the sockets in it; otherwise 0700), the generated policy and seccomp
/// profile in it, then the launcher, then the front-end — each awaited on `NOTIFY_SOCKET` until it
/// reports `READY=1`, so start-up is event-driven and a child that dies is noticed at once.
/// Running: one `poll` over a signalfd and both children's pidfds. SIGTERM/SIGINT/SIGHUP stop the
/// front-end first (it finishes running requests), then the launcher. Either child dying on its
/// own stops the other and makes `serve` exit 1 with the reason.
final class ServeSupervisor {
    private let settings: HTTPExecSettings
    private let runtimeDirectory: String
    private let launcherSocket: String
    private let notifySocketPath: String
    private let notifyFD: Int32
    private let signalFD: Int32
    private let policyPath: String
    private let frontEnd: (uid: UInt32, gid: UInt32)
    private let isRoot = geteuid() == 0

    /// Prepares everything but starts nothing.
    init(settings: HTTPExecSettings) throws {
        self.settings = settings
        frontEnd = isRoot ? Self.frontEndIdentity(settings.frontendUser) : (getuid(), getgid())
        if isRoot, let job = Accounts.user(settings.jobUser), job.uid == frontEnd.uid {
            throw ServeError("FRONTEND_USER and JOB_USER are the same uid \(job.uid): a job could reach the launcher socket")
        }
        runtimeDirectory = try Self.makeRuntimeDirectory(isRoot: isRoot, frontEndGID: frontEnd.gid)
        launcherSocket = runtimeDirectory + "/launcher.sock"
        notifySocketPath = runtimeDirectory + "/notify.sock"
        notifyFD = try Self.bindDatagramSocket(notifySocketPath)
        if isRoot {
            // The confined front-end (its own uid) reports READY here too.
            chown(notifySocketPath, 0, frontEnd.gid)
            chmod(notifySocketPath, 0o620)
        }
        if let policy = settings.policy {
            policyPath = policy
        } else {
            let profile = runtimeDirectory + "/seccomp-default.json"
            try Self.write(PackageResources.default_json, to: profile)
            let text = ServePolicy(
                execRoot: settings.execRoot ?? ".", followLinks: settings.followLinks,
                workingDirectory: ProcessEnvironment.currentDirectory, seccompProfile: profile,
                jobUser: isRoot ? settings.jobUser : nil, jobGroup: isRoot ? settings.jobGroup : nil,
                jobTimeoutSeconds: Double(settings.jobTimeout.components.seconds)
                    + Double(settings.jobTimeout.components.attoseconds) / 1e18,
                stdinCapBytes: settings.maxContentLength,
                frontEndUID: frontEnd.uid, frontEndGID: frontEnd.gid, socketPath: launcherSocket,
                auditFile: settings.auditFile
            ).text
            policyPath = runtimeDirectory + "/policy.toml"
            try Self.write(Array(text.utf8), to: policyPath)
        }
        let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]
        signalFD = signals.withUnsafeBufferPointer { hx_block_signals_fd($0.baseAddress, Int32($0.count)) }
        guard signalFD >= 0 else { throw ServeError("signalfd: \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(notifyFD)
        close(signalFD)
        Self.removeRuntimeDirectory(runtimeDirectory)
    }

    /// Starts both processes and supervises them; returns the exit status for `serve`.
    func run() -> Int32 {
        if !isRoot {
            Self.say("not started as root: jobs run as this user (uid \(getuid())), the same as the front-end, and so could reach the launcher socket; start as root for separate users", level: .warning)
        }
        // Orphans of a launcher that dies abruptly come here, not to init (killed on the way out).
        if !OrphanReaper.adopt() { Self.say("cannot become a child subreaper: \(String(cString: strerror(errno)))", level: .warning) }
        let executables = Self.siblingExecutables()
        var launcherArguments = [executables.launcher, "--policy", policyPath, "--socket", launcherSocket]
        // The launcher's start-up report of sandbox layers is at info: always shown.
        launcherArguments += ["--log-level", String(describing: min(settings.loggingLevel, .info))]
        launcherArguments += ["--exit-with-parent", String(getpid())]
        guard let launcher = ChildProcess.spawn(launcherArguments, notifySocket: notifySocketPath) else {
            Self.say("cannot start \(executables.launcher): \(String(cString: strerror(errno)))", level: .error)
            return 1
        }
        switch waitReady(launcher, others: []) {
        case .ready: break
        case .failed(let reason):
            Self.say("the launcher did not start: \(reason)", level: .error)
            return 1
        case .signal:
            stop(launcher, name: "launcher")
            return 0
        }

        var frontEndArguments = [executables.server, "serve", "--launcher-socket", launcherSocket]
        for address in settings.bind { frontEndArguments += ["--bind", address.description] }
        for path in settings.unix { frontEndArguments += ["--unix", path] }
        if isRoot { frontEndArguments += ["--user", String(frontEnd.uid)] }
        frontEndArguments += ["--log-level", String(describing: settings.loggingLevel)]
        // Flags given to serve reach the front-end too (variables and the config file it reads itself).
        frontEndArguments += ["--max-content-length", String(settings.maxContentLength)]
        frontEndArguments += ["--exit-with-parent", String(getpid())]
        guard let server = ChildProcess.spawn(frontEndArguments, notifySocket: notifySocketPath) else {
            Self.say("cannot start \(executables.server): \(String(cString: strerror(errno)))", level: .error)
            stop(launcher, name: "launcher")
            return 1
        }
        switch waitReady(server, others: [launcher]) {
        case .ready(let status):
            let on = status.hasPrefix("serving on ") ? String(status.dropFirst("serving on ".count)) : status
            Self.say("serving on \(on) — exec root \(settings.execRoot ?? "(policy)"); launcher pid \(launcher.pid), front-end pid \(server.pid)")
        case .failed(let reason):
            Self.say("the front-end did not start: \(reason)", level: .error)
            stop(launcher, name: "launcher")
            return 1
        case .signal:
            stop(server, name: "front-end")
            stop(launcher, name: "launcher")
            return 0
        }
        return supervise(launcher: launcher, server: server)
    }

    // MARK: Running

    private func supervise(launcher: ChildProcess, server: ChildProcess) -> Int32 {
        while true {
            var fds = [
                pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                pollfd(fd: launcher.pidfd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: server.pidfd, events: Int16(POLLIN), revents: 0),
            ]
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 else {
                if errno == EINTR { continue }
                Self.say("poll: \(String(cString: strerror(errno)))", level: .error)
                return 1
            }
            if fds[0].revents != 0 {
                let signal = hx_read_signal(signalFD)
                Self.say("signal \(signal): stopping (running requests finish first)")
                let serverStatus = stop(server, name: "front-end")
                let launcherStatus = stop(launcher, name: "launcher")
                return serverStatus == 0 && launcherStatus == 0 ? 0 : 1
            }
            if fds[1].revents != 0 {
                Self.say("the launcher exited (\(launcher.reap())); stopping the front-end", level: .error)
                let orphans = OrphanReaper.killOrphans(except: [server.pid])
                if orphans > 0 { Self.say("killed \(orphans) process(es) the launcher's jobs left behind", level: .warning) }
                stop(server, name: "front-end")
                return 1
            }
            if fds[2].revents != 0 {
                Self.say("the front-end exited (\(server.reap())); stopping the launcher", level: .error)
                stop(launcher, name: "launcher")
                return 1
            }
        }
    }

    /// SIGTERM, then wait (the child has its own drain deadline; SIGKILL after it plus a margin).
    @discardableResult
    private func stop(_ child: ChildProcess, name: String) -> Int32 {
        let grace = Int32(min(Int64(Int32.max / 1000 - 10), settings.shutdownTimeout.components.seconds + 10)) * 1000
        kill(child.pid, SIGTERM)
        var fd = pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)
        while poll(&fd, 1, grace) < 0 && errno == EINTR {}
        if fd.revents == 0 {
            Self.say("the \(name) did not stop in time; killing it", level: .warning)
            kill(child.pid, SIGKILL)
        }
        let status = child.reap()
        return status.exitCode
    }

    private enum Readiness {
        case ready(status: String)
        case failed(String)
        case signal
    }

    /// Waits for `READY=1` from `child` (up to 60 s: a debug build starts slowly), watching for it
    /// or any of `others` dying and for a stop signal.
    private func waitReady(_ child: ChildProcess, others: [ChildProcess]) -> Readiness {
        let deadline = ContinuousClock.now + .seconds(60)
        var status = ""
        while true {
            let left = deadline - .now
            guard left > .zero else { return .failed("no READY=1 within 60 s") }
            var fds = [pollfd(fd: notifyFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: child.pidfd, events: Int16(POLLIN), revents: 0)]
            fds += others.map { pollfd(fd: $0.pidfd, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&fds, nfds_t(fds.count), milliseconds) >= 0 else {
                if errno == EINTR { continue }
                return .failed("poll: \(String(cString: strerror(errno)))")
            }
            if fds[1].revents != 0 {
                _ = hx_read_signal(signalFD)
                return .signal
            }
            if fds[2].revents != 0 { return .failed("it exited (\(child.reap()))") }
            for (index, other) in others.enumerated() where fds[3 + index].revents != 0 {
                return .failed("pid \(other.pid) exited (\(other.reap()))")
            }
            if fds[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(notifyFD, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                guard count > 0 else { continue }
                var ready = false
                for line in String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n") {
                    if line == "READY=1" { ready = true }
                    if line.hasPrefix("STATUS=") { status = String(line.dropFirst("STATUS=".count)) }
                }
                if ready { return .ready(status: status) }
            }
        }
    }

    // MARK: Set-up helpers

    private static func frontEndIdentity(_ user: String) -> (uid: UInt32, gid: UInt32) {
        if let found = Accounts.user(user) { return found }
        return (HTTPExecSettings.fallbackFrontEndUID, HTTPExecSettings.fallbackFrontEndUID)
    }

    private static func makeRuntimeDirectory(isRoot: Bool, frontEndGID: UInt32) throws -> String {
        let base = isRoot ? "/run" : (getenv("XDG_RUNTIME_DIR").map { String(cString: $0) } ?? "/tmp")
        var template = Array("\(base)/httpexec-serve.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw ServeError("cannot create a runtime directory in \(base): \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        if isRoot {
            guard chown(path, 0, frontEndGID) == 0, chmod(path, 0o710) == 0 else {
                let reason = String(cString: strerror(errno))
                rmdir(path)
                throw ServeError("cannot secure \(path): \(reason)")
            }
        }
        return path
    }

    private static func removeRuntimeDirectory(_ path: String) {
        for name in ["launcher.sock", "notify.sock", "policy.toml", "seccomp-default.json"] {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }

    private static func bindDatagramSocket(_ path: String) throws -> Int32 {
        guard let address = UnixSocketPath.address(path) else { throw ServeError("runtime directory path too long: \(path)") }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServeError("socket: \(String(cString: strerror(errno)))") }
        guard UnixSocketPath.withSockaddr(address, { Glibc.bind(fd, $0, $1) }) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ServeError("cannot bind \(path): \(reason)")
        }
        return fd
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServeError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { throw ServeError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// `httpexec-launcher` and `httpexec-server` from the directory this binary is in.
    private static func siblingExecutables() -> (launcher: String, server: String) {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "./httpexec"
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (directory + "/httpexec-launcher", directory + "/httpexec-server")
    }

    /// One entry of serve's own log (`logger=httpexec-serve`); notices and above are always shown.
    static func say(_ message: String, level: Logger.Level = .notice) {
        Logger(label: "httpexec-serve").log(level: level, "\(message)")
    }
}

/// A start-up failure of `serve`, in words.
struct ServeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
