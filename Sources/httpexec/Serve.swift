import ArgumentParser
import Logging
import OperationalLog
import Sandbox
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// `httpexec serve`: the drop-in for `hypercorn httpexec.asgi:app`.
///
/// `HTTPEXEC_EXEC_ROOT=DIR httpexec serve --bind 127.0.0.1:8000` starts the launcher and the
/// front-end as two processes joined by a Unix socket in a private directory that only the
/// front-end's user can reach, waits until both say READY, forwards SIGTERM/SIGINT, and exits
/// non-zero with a clear message when either dies. Started as root, the front-end drops to its
/// own user (`FRONTEND_USER`) and jobs run as `JOB_USER` — never the same uid, so no job can reach
/// the launcher socket.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API: launcher and front-end as two processes.",
        discussion: "Settings: defaults < HTTPEXEC_CONFIG_PATH (TOML) < HTTPEXEC_* variables < these flags. See docs/configuration.md.")

    @Option(help: "Directory of programs clients may run (EXEC_ROOT).")
    var execRoot: String?

    @Flag(inversion: .prefixedNo, help: "Allow a final-component symlink out of the exec root (FOLLOW_LINKS).")
    var followLinks: Bool?

    @Option(name: .customLong("bind"), help: "Listen on HOST:PORT (repeatable; IPv6 as [::1]:8000).")
    var bind: [String] = []

    @Option(name: .customLong("unix"), help: "Listen on a Unix socket PATH (repeatable).")
    var unix: [String] = []

    @Option(help: "Log level (LOGGING_LEVEL: Python names or numbers).")
    var logLevel: String?

    @Option(help: "Largest request body (MAX_CONTENT_LENGTH: bytes, or e.g. 16MiB).")
    var maxContentLength: String?

    @Option(help: "A launcher policy file to use instead of the generated one (POLICY).")
    var policy: String?

    @Option(help: "The launcher's audit trail: an append-only file of hash-chained records (AUDIT_FILE; docs/audit.md).")
    var auditFile: String?

    func run() throws {
        let settings: HTTPExecSettings
        do {
            settings = try HTTPExecSettings.load(
                environment: ProcessEnvironment.current,
                overrides: SettingsOverrides(
                    execRoot: execRoot, followLinks: followLinks, loggingLevel: logLevel,
                    bind: bind.isEmpty ? nil : bind, unix: unix.isEmpty ? nil : unix,
                    maxContentLength: maxContentLength, policy: policy, auditFile: auditFile),
                currentDirectory: ProcessEnvironment.currentDirectory)
            try settings.validatedForServe()
            if settings.listenAddresses.isEmpty {
                throw ValidationError("nothing to listen on: pass --bind HOST:PORT or --unix PATH (or set HTTPEXEC_BIND)")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        // serve's own lines are notices or worse: shown whatever LOGGING_LEVEL says.
        OperationalLog.bootstrap(level: min(settings.loggingLevel, .notice))
        let supervisor: ServeSupervisor
        do {
            supervisor = try ServeSupervisor(settings: settings)
        } catch {
            ServeSupervisor.say("cannot start: \(error)", level: .error)
            throw ExitCode(1)
        }
        throw ExitCode(supervisor.run())
    }
}
