/// The GET endpoints beside the command API.
public enum HealthRoute: String, Sendable, CaseIterable {
    /// The process is up.
    case healthz = "/healthz"
    /// The launcher answers, so commands can run.
    case readyz = "/readyz"
    /// Prometheus metrics.
    case metrics = "/metrics"
}

/// How a listener's router treats a request, from its method and path alone (pure, so the whole
/// table is unit-tested).
///
/// On a main listener paths are commands: `POST` runs one whatever its name (`POST /healthz` runs
/// `healthz`), `OPTIONS` answers with `Allow`, and only `GET` on an endpoint path is served
/// (`/metrics` only where metrics are served); every other method answers 405 — before the
/// command is looked up, as in the original. A metrics listener runs no commands: `GET` on the
/// three endpoints, 405 for other methods on them, 404 for every other path.
///
/// Paths are compared as sent, without the query string and without percent-decoding: the
/// endpoints have one spelling each.
struct HealthRouting: Sendable, Hashable {
    /// Whether this listener runs commands (a main listener) or only serves the endpoints.
    let runsCommands: Bool
    /// Whether `GET /metrics` is served here.
    let servesMetrics: Bool

    /// What to do with a request.
    enum Decision: Sendable, Hashable {
        /// Serve an endpoint.
        case endpoint(HealthRoute)
        /// Hand it to the command route (`POST`).
        case command
        /// 200 with this `Allow` and no body.
        case options(allow: String)
        /// 405 with this `Allow`.
        case methodNotAllowed(allow: String)
        /// 404 `not_found`.
        case notFound
    }

    /// `Allow` on a main listener's command paths.
    static let commandMethods = "OPTIONS, POST"
    /// `Allow` on a main listener's endpoint paths.
    static let endpointMethods = "GET, OPTIONS, POST"
    /// `Allow` on a metrics listener's endpoint paths.
    static let endpointOnlyMethods = "GET"

    /// The decision for `method` (e.g. `GET`) on the request target `target` (query ignored).
    func decide(method: String, target: String) -> Decision {
        let route = self.route(at: target.firstIndex(of: "?").map { target[..<$0] } ?? target[...])
        guard runsCommands else {
            guard let route else { return .notFound }
            return method == "GET" ? .endpoint(route) : .methodNotAllowed(allow: Self.endpointOnlyMethods)
        }
        if method == "GET", let route { return .endpoint(route) }
        let allow = route == nil ? Self.commandMethods : Self.endpointMethods
        switch method {
        case "POST": return .command
        case "OPTIONS": return .options(allow: allow)
        default: return .methodNotAllowed(allow: allow)
        }
    }

    /// The endpoint served here at `path`, compared in place (this runs for every request).
    private func route(at path: Substring) -> HealthRoute? {
        switch path {
        case "/healthz": .healthz
        case "/readyz": .readyz
        case "/metrics" where servesMetrics: .metrics
        default: nil
        }
    }
}
