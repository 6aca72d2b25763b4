import ArgumentParser
import CSeccomp
import FrontEnd
import Logging
import NIOCore
import NIOPosix
import OperationalLog
import ServiceLifecycle
import Settings
import Systemd
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// `httpexec-server`: the unprivileged half. Parses HTTP, validates requests and forwards them to
/// the launcher over its Unix socket; it never runs anything itself.
///
/// Start-up order is the security argument: read settings → bind every listener, the metrics
/// listeners included (a port below 1024 may need root) → drop to the front-end user when root →
/// confine this process (no_new_privs + seccomp: no exec, no fork, no ptrace, no new non-Unix
/// sockets) → only then start accepting connections.
///
/// Everything up to and including confinement runs synchronously on the main thread, before any
/// other thread exists: Swift's async `main` would park the main thread in `dispatch_main()`,
/// which ends it — and an ended main thread keeps its old credentials and no filter, which is what
/// `/proc/<pid>/status` then shows. The server itself then runs on a Task while the main thread
/// waits for its exit code.
@main
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "httpexec-server",
        abstract: "Serve the httpexec HTTP API; commands run in the separate launcher (unprivileged half).",
        discussion: "Settings: defaults < HTTPEXEC_CONFIG_PATH (TOML) < HTTPEXEC_* variables < these flags. See docs/configuration.md.",
        subcommands: [Serve.self, ConfinementSelfTest.self],
        defaultSubcommand: Serve.self)
}

/// The server itself (the default subcommand, so `httpexec-server --bind …` works).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the HTTP API.")

    @Option(name: .customLong("bind"), help: "Listen on HOST:PORT (repeatable; IPv6 as [::1]:8000).")
    var bind: [String] = []

    @Option(name: .customLong("unix"), help: "Listen on a Unix socket PATH (repeatable).")
    var unix: [String] = []

    @Option(help: "The launcher's socket.")
    var launcherSocket: String?

    @Flag(inversion: .prefixedNo, help: "Serve GET /metrics (METRICS; on by default).")
    var metrics: Bool?

    @Option(name: .customLong("metrics-bind"), help: "Serve /metrics (and /healthz, /readyz) only on HOST:PORT (repeatable).")
    var metricsBind: [String] = []

    @Option(name: .customLong("metrics-unix"), help: "Serve /metrics (and /healthz, /readyz) only on a Unix socket PATH (repeatable).")
    var metricsUnix: [String] = []

    @Option(help: "Largest request body (bytes, or e.g. 16MiB).")
    var maxContentLength: String?

    @Option(help: "Most open connections per listener.")
    var maxConnections: String?

    @Option(help: "Log level (Python names or numbers, or swift-log names).")
    var logLevel: String?

    @Option(help: "When started as root: the user to switch to after binding (name or uid).")
    var user: String?

    @Option(help: .hidden)
    var exitWithParent: Int32?

    func run() throws {
        let inherited = SystemdIntegration.takeServiceEnvironment()

        let settings: HTTPExecSettings
        do {
            var overrides = SettingsOverrides(
                loggingLevel: logLevel, bind: bind.isEmpty ? nil : bind, unix: unix.isEmpty ? nil : unix,
                launcherSocket: launcherSocket, maxContentLength: maxContentLength, maxConnections: maxConnections,
                frontendUser: user, metrics: metrics, metricsBind: metricsBind.isEmpty ? nil : metricsBind,
                metricsUnix: metricsUnix.isEmpty ? nil : metricsUnix)
            overrides.flagNames[.frontendUser] = "--user"
            settings = try HTTPExecSettings.load(
                environment: ProcessEnvironment.current, overrides: overrides,
                currentDirectory: ProcessEnvironment.currentDirectory)
            try settings.validatedForFrontEnd(socketsInherited: !inherited.isEmpty)
        } catch {
            fail("httpexec-server: \(error)", code: 78)
        }

        // Start-up reports (listeners, privileges, confinement) are notices: shown whatever
        // LOGGING_LEVEL says, so an operator always sees what protects the process.
        OperationalLog.bootstrap(level: min(settings.loggingLevel, .notice))
        let logger = Logger(label: "httpexec-server")
        for line in settings.summaryLines { logger.debug("setting \(line)") }
        // From here on failures go through the log handler too (one escaped line, the format the
        // journal or a log shipper expects); the handler writes synchronously, so exit is safe.
        func fatal(_ message: String, code: Int32) -> Never {
            logger.critical("\(message)")
            Glibc.exit(code)
        }

        // Every listener now: once confined, this process may not create a non-Unix socket.
        var listeners = inherited.map { ListeningSocket(inheritedFD: $0.fd, name: $0.name) }
        var metricsListeners: [ListeningSocket] = []
        do {
            for address in settings.listenAddresses { listeners.append(try Self.bind(address)) }
            for address in settings.metricsListenAddresses { metricsListeners.append(try Self.bind(address)) }
        } catch {
            fatal("\(error)", code: 1)
        }

        do {
            if geteuid() == 0 {
                let target = PrivilegeDrop.resolveUser(settings.frontendUser, fallbackUID: HTTPExecSettings.fallbackFrontEndUID)
                try PrivilegeDrop.drop(toUID: target.uid, gid: target.gid)
                logger.notice("privileges: dropped to uid \(target.uid) gid \(target.gid)\(target.name.map { " (\($0))" } ?? "")")
            } else {
                logger.notice("privileges: running as uid \(getuid()) (not root: nothing to drop)")
            }
            // After the drop (a credential change clears the parent-death signal).
            if let parent = exitWithParent, hx_fe_exit_with_parent(parent) != 0 {
                fatal("the supervising process \(parent) is gone", code: 1)
            }
            let report = try SelfConfinement.apply()
            for line in report.lines { logger.notice("confinement: \(line)") }
        } catch {
            fatal("cannot confine itself, refusing to serve: \(error)", code: 1)
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        if let every = SystemdIntegration.watchdogPingInterval {
            // From an event loop: a wedged loop stops the pings and systemd restarts the service.
            group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .init(every)) { _ in
                SystemdIntegration.notify("WATCHDOG=1")
            }
        }
        // One registry per process, also swift-metrics' default backend.
        let metrics: MetricsCollector? = settings.metrics ? MetricsCollector() : nil
        metrics?.bootstrapMetricsSystem()
        let launcher = LauncherClient(
            configuration: .init(socketPath: settings.launcherSocket), group: group, logger: logger, metrics: metrics)
        var limits = RequestLimits()
        limits.maxBodyBytes = settings.maxContentLength
        let router = ExecRouter.make(
            handler: ExecHandler(launcher: launcher, limits: limits, metrics: metrics),
            endpoints: .mainListener(launcher: launcher, metrics: metrics, servesMetrics: metricsListeners.isEmpty))
        var serverConfiguration = HTTPServer.Configuration()
        serverConfiguration.maxConnections = settings.maxConnections
        serverConfiguration.headerTimeout = settings.headerTimeout
        serverConfiguration.bodyTimeout = settings.bodyTimeout
        serverConfiguration.idleTimeout = settings.idleTimeout
        serverConfiguration.shutdownTimeout = settings.shutdownTimeout
        let addresses = listeners.map(\.description).joined(separator: " ")
        let server = HTTPServer(
            listeners: listeners, router: router, configuration: serverConfiguration, group: group, logger: logger,
            onReady: {
                logger.notice("serving", metadata: ["on": .string(addresses), "launcher": .string(settings.launcherSocket)])
                SystemdIntegration.notify("READY=1\nSTATUS=serving on \(addresses)")
            })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let metrics, !metricsListeners.isEmpty {
            let metricsAddresses = metricsListeners.map(\.description).joined(separator: " ")
            let metricsServer = HTTPServer(
                listeners: metricsListeners,
                router: ExecRouter.makeEndpointsOnly(.metricsListener(launcher: launcher, metrics: metrics)),
                configuration: serverConfiguration, group: group, logger: logger,
                onReady: { logger.notice("serving metrics", metadata: ["on": .string(metricsAddresses)]) })
            services.append(.init(service: metricsServer, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let serviceGroup = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        let finished = group.next().makePromise(of: Int32.self)
        Task {
            var code: Int32 = 0
            do {
                try await serviceGroup.run()
            } catch {
                logger.error("server stopped: \(error)")
                code = 1
            }
            SystemdIntegration.notify("STOPPING=1\nSTATUS=stopped")
            launcher.shutdown()
            finished.succeed(code)
        }
        let code = (try? finished.futureResult.wait()) ?? 1
        try? group.syncShutdownGracefully()
        if code != 0 { throw ExitCode(code) }
    }
}

extension Serve {
    /// Binds one listener of the settings.
    static func bind(_ address: ListenAddress) throws(ListenError) -> ListeningSocket {
        switch address {
        case .tcp(let host, let port): try ListeningSocket.bindTCP(host: host, port: port)
        case .unix(let path): try ListeningSocket.bindUnix(path: path)
        }
    }
}

/// Applies the same confinement as the server, then tries what it forbids; prints one line per
/// attempt and exits 0 only if every forbidden call failed and every needed one worked. Tests
/// run it to show the filter bites (the server itself offers no way to try an exec).
struct ConfinementSelfTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confinement-self-test", abstract: "Check the front-end's self-confinement.", shouldDisplay: false)

    func run() throws {
        throw ExitCode(ConfinementProbe.run())
    }
}

/// Writes `message` to stderr and exits (settings and start-up failures: one line, no trace).
func fail(_ message: String, code: Int32) -> Never {
    let line = message + "\n"
    line.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
    exit(code)
}
