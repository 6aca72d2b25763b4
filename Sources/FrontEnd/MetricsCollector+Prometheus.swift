import Prometheus

/// The Prometheus backend: a registry of its own (not the library's shared default) behind
/// swift-metrics, so two collectors — in tests, say — never see each other's numbers.
extension MetricsCollector {
    /// A collector backed by a new `PrometheusCollectorRegistry`.
    public convenience init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Names.executionDuration] = Self.durationBuckets
        self.init(factory: factory, emit: { registry.emit(into: &$0) })
    }

    /// Buckets of `httpexec_execution_duration_seconds`: 1 ms to the default job timeout (10 min),
    /// about three per decade.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        .seconds(300), .seconds(600),
    ]

    /// The media type of `exposition(launcher:)`: the Prometheus text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
