import ArgumentParser
import CSpawn
import Launcher
import Systemd
import Logging
import OperationalLog
import Policy

#if canImport(Glibc)
import Glibc
#endif

/// `httpexec-launcher`: the privileged half. Serves only the front-end, over a Unix socket.
@main
struct LauncherCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "httpexec-launcher",
        abstract: "Run whitelisted programs for the httpexec front-end, sandboxed (privileged half).")

    @Option(help: "Policy file (TOML).")
    var policy: String = "/etc/httpexec/policy.toml"

    @Option(help: "Unix socket path; overrides the policy's socket.path. Ignored under socket activation.")
    var socket: String?

    @Option(help: "Log level: CRITICAL, ERROR, WARNING, INFO, DEBUG, NOTSET (any case), trace, notice, or a Python number 0…50. Default: HTTPEXEC_LOGGING_LEVEL, else info.")
    var logLevel: String?

    @Option(help: .hidden)
    var exitWithParent: Int32?

    func run() async throws {
        ShutdownSignal.install()
        if let parent = exitWithParent, hx_exit_with_parent(parent) != 0 {
            throw ExitCode(1) // `httpexec serve` is already gone (or prctl failed): never run unsupervised
        }
        // The flag wins over HTTPEXEC_LOGGING_LEVEL; a bad value stops start-up (EX_CONFIG).
        let level: Logger.Level
        do {
            level = try LogLevelSetting.resolve(
                flag: logLevel, environment: { getenv($0).map { String(cString: $0) } }, fallback: .info)
        } catch {
            OperationalLog.bootstrap(level: .info)
            Logger(label: "httpexec-launcher").critical("\(error)")
            throw ExitCode(78)
        }
        OperationalLog.bootstrap(level: level)
        let logger = Logger(label: "httpexec-launcher")
        let inherited = SystemdIntegration.takeServiceEnvironment()

        let loaded: LauncherPolicy
        do {
            loaded = try LauncherPolicy.load(contentsOf: policy)
        } catch {
            logger.critical("policy: \(error)")
            throw ExitCode(78) // EX_CONFIG
        }
        let service: LauncherService
        do {
            service = try LauncherService(policy: loaded, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(78)
        }
        do {
            if !inherited.isEmpty {
                for s in inherited { try await service.listen(inherited: s) }
            } else if let path = socket ?? loaded.socket.path {
                try await service.listen(path: path)
            } else {
                logger.critical("no socket: set socket.path in the policy, pass --socket, or use socket activation")
                throw ExitCode(78)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            logger.critical("cannot listen: \(error)")
            throw ExitCode(1)
        }
        service.feedWatchdog()
        service.syncAuditPeriodically()
        ShutdownSignal.onHangup { service.reopenAudit() }
        SystemdIntegration.notify("READY=1\nSTATUS=serving")
        logger.info("ready")
        await ShutdownSignal.wait()
        logger.info("SIGTERM/SIGINT: draining")
        await service.drain(deadline: .seconds(Int64(max(5, loaded.limits.killGrace.components.seconds * 3))))
    }
}
