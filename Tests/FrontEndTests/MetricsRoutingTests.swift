@testable import FrontEnd
import Testing

/// Which requests reach the endpoints, the commands, or an error — on a main listener (with and
/// without `/metrics`) and on a metrics listener.
struct MetricsRoutingTests {
    typealias Decision = HealthRouting.Decision

    static let main = HealthRouting(runsCommands: true, servesMetrics: true)
    static let mainWithoutMetrics = HealthRouting(runsCommands: true, servesMetrics: false)
    static let metricsListener = HealthRouting(runsCommands: false, servesMetrics: true)

    static let mainCases: [(String, String, Decision)] = [
        ("GET", "/healthz", .endpoint(.healthz)),
        ("GET", "/readyz", .endpoint(.readyz)),
        ("GET", "/metrics", .endpoint(.metrics)),
        ("GET", "/metrics?name[]=x", .endpoint(.metrics)),
        // Paths are commands: POST runs one whatever it is called.
        ("POST", "/healthz", .command),
        ("POST", "/metrics", .command),
        ("POST", "/echo", .command),
        // GET elsewhere, and other spellings of the endpoints, stay 405.
        ("GET", "/echo", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("GET", "/healthz/", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("GET", "//healthz", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("GET", "/%68ealthz", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("GET", "/HEALTHZ", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("GET", "/", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("HEAD", "/healthz", .methodNotAllowed(allow: "GET, OPTIONS, POST")),
        ("PUT", "/readyz", .methodNotAllowed(allow: "GET, OPTIONS, POST")),
        ("DELETE", "/echo", .methodNotAllowed(allow: "OPTIONS, POST")),
        ("OPTIONS", "/metrics", .options(allow: "GET, OPTIONS, POST")),
        ("OPTIONS", "/echo", .options(allow: "OPTIONS, POST")),
        ("get", "/healthz", .methodNotAllowed(allow: "GET, OPTIONS, POST")),
    ]

    @Test(arguments: mainCases)
    func mainListener(_ method: String, _ target: String, _ expected: Decision) {
        #expect(Self.main.decide(method: method, target: target) == expected)
    }

    /// `METRICS = false`, or a metrics listener of its own: `/metrics` is a command path like any.
    @Test(arguments: [
        ("GET", "/metrics", Decision.methodNotAllowed(allow: "OPTIONS, POST")),
        ("OPTIONS", "/metrics", .options(allow: "OPTIONS, POST")),
        ("POST", "/metrics", .command),
        ("GET", "/healthz", .endpoint(.healthz)),
        ("GET", "/readyz", .endpoint(.readyz)),
    ])
    func mainListenerWithoutMetrics(_ method: String, _ target: String, _ expected: Decision) {
        #expect(Self.mainWithoutMetrics.decide(method: method, target: target) == expected)
    }

    @Test(arguments: [
        ("GET", "/metrics", Decision.endpoint(.metrics)),
        ("GET", "/healthz", .endpoint(.healthz)),
        ("GET", "/readyz?verbose", .endpoint(.readyz)),
        ("POST", "/metrics", .methodNotAllowed(allow: "GET")),
        ("OPTIONS", "/healthz", .methodNotAllowed(allow: "GET")),
        // No commands here, whatever the method.
        ("POST", "/echo", .notFound),
        ("GET", "/echo", .notFound),
        ("GET", "/", .notFound),
    ])
    func metricsListenerRunsNoCommands(_ method: String, _ target: String, _ expected: Decision) {
        #expect(Self.metricsListener.decide(method: method, target: target) == expected)
    }

    @Test func methodNotAllowedNamesThePathsMethods() {
        #expect(APIError.methodNotAllowed(allow: "OPTIONS, POST") == .methodNotAllowed)
        let endpoint = APIError.methodNotAllowed(allow: "GET, OPTIONS, POST")
        #expect(endpoint.status == 405 && endpoint.code == .methodNotAllowed)
        #expect(endpoint.headers == [APIError.Header(name: "Allow", value: "GET, OPTIONS, POST")])
        let only = APIError.methodNotAllowed(allow: "GET")
        #expect(only.headers == [APIError.Header(name: "Allow", value: "GET")])
        #expect(only.message == "Only GET is allowed.")
    }
}
