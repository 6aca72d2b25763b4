import HTTPTypes
import Hummingbird
import LauncherProtocol
import NIOCore

/// What a listener serves besides commands — `GET /healthz`, `/readyz`, `/metrics` — and where
/// it counts its responses.
///
/// - `/healthz`: 200 `{"status":"ok"}` while the process serves at all.
/// - `/readyz`: 200 `{"status":"ready"}` when the launcher answers a `statsRequest` in time;
///   otherwise the client's 503 (`launcher_unavailable`, or `shutting_down`), with `Retry-After`.
/// - `/metrics`: the Prometheus text; the launcher's counters are added when it answers, and the
///   page is served (200) either way, with `httpexec_launcher_up` saying which.
public struct HealthEndpoints: Sendable {
    let launcher: LauncherClient
    let metrics: MetricsCollector?
    let routing: HealthRouting
    /// Longest wait for the launcher's `stats` answer.
    let launcherTimeout: Duration

    /// The endpoints of a main listener (one that runs commands). `/metrics` is served here when
    /// `metrics` is given and `servesMetrics` is true (false when a metrics listener of its own
    /// serves it, or metrics are off).
    public static func mainListener(
        launcher: LauncherClient, metrics: MetricsCollector?, servesMetrics: Bool, launcherTimeout: Duration = .seconds(2)
    ) -> HealthEndpoints {
        HealthEndpoints(
            launcher: launcher, metrics: metrics,
            routing: HealthRouting(runsCommands: true, servesMetrics: servesMetrics && metrics != nil),
            launcherTimeout: launcherTimeout)
    }

    /// The endpoints of a listener that serves only them (`METRICS_BIND`, `METRICS_UNIX`).
    public static func metricsListener(
        launcher: LauncherClient, metrics: MetricsCollector, launcherTimeout: Duration = .seconds(2)
    ) -> HealthEndpoints {
        HealthEndpoints(
            launcher: launcher, metrics: metrics, routing: HealthRouting(runsCommands: false, servesMetrics: true),
            launcherTimeout: launcherTimeout)
    }

    /// The answer of `route`.
    func respond(to route: HealthRoute) async -> Response {
        switch route {
        case .healthz:
            return Self.status("ok")
        case .readyz:
            do {
                _ = try await launcher.stats(timeout: launcherTimeout)
                return Self.status("ready")
            } catch {
                return error.response
            }
        case .metrics:
            // The launcher first: its answer (or silence) also sets `httpexec_launcher_up`.
            let entries = try? await launcher.stats(timeout: launcherTimeout)
            let bytes = metrics?.exposition(launcher: entries) ?? []
            return Response(
                status: .ok, headers: [.contentType: MetricsCollector.contentType],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    private static func status(_ word: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: APIError.contentType],
            body: .init(byteBuffer: ByteBuffer(string: #"{"status":""# + word + #""}"#)))
    }
}

extension APIError {
    /// 405 `method_not_allowed` naming the methods of the path in `Allow`: the original's error
    /// on command paths, and its like on the endpoint paths.
    static func methodNotAllowed(allow: String) -> APIError {
        switch allow {
        case HealthRouting.commandMethods:
            return .methodNotAllowed
        case HealthRouting.endpointMethods:
            return APIError(
                status: 405, code: .methodNotAllowed, message: "Only GET and POST are allowed.",
                headers: [Header(name: "Allow", value: allow)])
        default:
            return APIError(
                status: 405, code: .methodNotAllowed, message: "Only GET is allowed.",
                headers: [Header(name: "Allow", value: allow)])
        }
    }
}
