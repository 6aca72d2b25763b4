import LauncherProtocol
import Metrics
import Synchronization

/// The front-end's own metrics, recorded through swift-metrics and rendered for `GET /metrics`.
///
/// Every counter of a fixed label set is created once, here, so recording on the request path is
/// an array index or a dictionary lookup and an atomic add — never string building. The label
/// values that come from outside (rejection codes) are a small closed set: the known ones are
/// created up front, others are cached on first use, up to `maxExtraReasons`; past that they
/// count as `other`, so a misbehaving launcher cannot grow the series without bound.
///
/// The handles are made from the factory passed in (not `MetricsSystem`'s), so tests and several
/// instances work without the process-wide bootstrap; `bootstrapMetricsSystem()` makes the same
/// factory the process's default once, at start-up.
public final class MetricsCollector: Sendable {
    /// How a job the launcher was asked to run ended, as counted in `httpexec_executions_total`.
    enum Result: String, CaseIterable, Sendable {
        /// Exited on its own (any exit status).
        case exited
        /// Killed by a signal it did not get from the timeout.
        case signaled
        /// Stopped at its timeout.
        case timeout
        /// The HTTP client went away (or the request was cancelled) before the job ended.
        case cancelled
        /// The launcher connection broke or the launcher did not answer after `start` was sent.
        case failed

        /// The position in `allCases` (and in the collector's counters).
        var index: Int {
            switch self {
            case .exited: 0
            case .signaled: 1
            case .timeout: 2
            case .cancelled: 3
            case .failed: 4
            }
        }
    }

    /// Which stream bytes went over the launcher connection on.
    enum Stream: Int, CaseIterable, Sendable {
        case stdin, stdout, stderr
        var label: String {
            switch self {
            case .stdin: "stdin"
            case .stdout: "stdout"
            case .stderr: "stderr"
            }
        }
    }

    private let factory: any MetricsFactory
    private let emitRegistry: @Sendable (inout [UInt8]) -> Void
    /// `2xx`, `3xx`, `4xx`, `5xx`.
    private let responses: [Counter]
    private let results: [Counter]
    private let launcherRejections: ReasonCounters
    private let frontEndRejections: ReasonCounters
    private let duration: Timer
    private let inFlight: Meter
    private let launcherUp: Meter
    private let truncations: Counter
    private let streamed: [Counter]

    /// Creates every metric with `factory`; `emit` appends the backend's exposition text.
    init(factory: any MetricsFactory, emit: @escaping @Sendable (inout [UInt8]) -> Void) {
        self.factory = factory
        self.emitRegistry = emit
        responses = ["2xx", "3xx", "4xx", "5xx"].map {
            Counter(label: Names.httpRequests, dimensions: [("status_class", $0)], factory: factory)
        }
        results = Result.allCases.map {
            Counter(label: Names.executions, dimensions: [("result", $0.rawValue)], factory: factory)
        }
        launcherRejections = ReasonCounters(known: Self.launcherRejectCodes) {
            Counter(label: Names.executions, dimensions: [("result", "rejected"), ("reason", $0)], factory: factory)
        }
        frontEndRejections = ReasonCounters(known: Self.frontEndRejectCodes) {
            Counter(label: Names.requestsRejected, dimensions: [("code", $0)], factory: factory)
        }
        duration = Timer(label: Names.executionDuration, factory: factory)
        inFlight = Meter(label: Names.jobsInFlight, factory: factory)
        launcherUp = Meter(label: Names.launcherUp, factory: factory)
        launcherUp.set(0)
        truncations = Counter(label: Names.outputTruncations, factory: factory)
        streamed = Stream.allCases.map {
            Counter(label: Names.bytesStreamed, dimensions: [("stream", $0.label)], factory: factory)
        }
    }

    /// Makes this collector's factory the process-wide `MetricsSystem` backend, so metrics that
    /// libraries record through swift-metrics land on the same `/metrics`. Call once per process.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }

    // MARK: Recording

    /// A response went out (or was produced for a client that had gone).
    func responded(status: Int) {
        responses[min(max(status / 100, 2), 5) - 2].increment()
    }

    /// The front-end refused a request itself before asking the launcher (`APIError.code`).
    func requestRejected(code: String) {
        frontEndRejections.counter(for: code).increment()
    }

    /// The launcher refused a job (`LauncherMessage.rejected`); nothing ran.
    func jobRejected(reason: String) {
        launcherRejections.counter(for: reason).increment()
    }

    /// A job ran to its end; `summary` is the launcher's.
    func jobFinished(_ summary: JobSummary) {
        let result: Result = switch summary.outcome {
        case .exited: .exited
        case .signaled: .signaled
        case .timeout: .timeout
        }
        results[result.index].increment()
        duration.recordMicroseconds(summary.wallMicroseconds)
        if summary.truncated { truncations.increment() }
    }

    /// A job ended without a summary: cancelled for its client, or lost with its connection.
    func jobEnded(_ result: Result) {
        results[result.index].increment()
    }

    /// A job request started or stopped waiting on the launcher.
    func jobInFlight(_ delta: Int) {
        if delta > 0 { inFlight.increment(by: Double(delta)) } else { inFlight.decrement(by: Double(-delta)) }
    }

    /// Whether the last connection attempt (or stats round trip) to the launcher succeeded.
    func launcherReachable(_ reachable: Bool) {
        launcherUp.set(reachable ? 1 : 0)
    }

    /// `count` bytes of `stream` went over the launcher connection.
    func streamed(_ stream: Stream, bytes count: Int) {
        if count > 0 { streamed[stream.rawValue].increment(by: count) }
    }

    // MARK: Rendering

    /// The Prometheus text exposition: the front-end's metrics, then the launcher's `entries`
    /// (when the launcher answered) as `httpexec_launcher_<name>`.
    public func exposition(launcher entries: [StatsEntry]?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8192)
        emitRegistry(&bytes)
        if let entries {
            MetricsExposition.appendLauncherEntries(entries, to: &bytes, reserved: Names.all)
        }
        return bytes
    }

    // MARK: Names and label sets

    /// The metric names (one place, so the exposition can keep the launcher's out of them).
    enum Names {
        static let httpRequests = "httpexec_http_requests_total"
        static let executions = "httpexec_executions_total"
        static let requestsRejected = "httpexec_requests_rejected_total"
        static let executionDuration = "httpexec_execution_duration_seconds"
        static let jobsInFlight = "httpexec_jobs_in_flight"
        static let launcherUp = "httpexec_launcher_up"
        static let outputTruncations = "httpexec_output_truncations_total"
        static let bytesStreamed = "httpexec_bytes_streamed_total"
        static let all: Set<String> = [
            httpRequests, executions, requestsRejected, executionDuration, jobsInFlight, launcherUp,
            outputTruncations, bytesStreamed,
        ]
    }

    /// The launcher's rejection codes this build knows (`spawn:<step>` codes are cached as met).
    static let launcherRejectCodes = [
        RejectCode.invalidPath, RejectCode.notFound, RejectCode.notExecutable, RejectCode.invalidArgument,
        RejectCode.invalidEnvironment, RejectCode.deniedEnvironment, RejectCode.busy, RejectCode.shuttingDown,
        RejectCode.policy, RejectCode.internalError,
    ]

    /// The codes the front-end's own checks answer with before a job reaches the launcher.
    static let frontEndRejectCodes: [String] = [
        APIError.Code.invalidJSON, .invalidRequest, .invalidEncoding, .invalidArgument, .invalidEnvironment,
        .deniedEnvironment, .argumentsTooLarge, .environmentTooLarge, .notFound, .bodyTooLarge,
        .unsupportedMediaType,
    ].map(\.rawValue)

    /// At most this many label values beyond the known ones, per counter family.
    static let maxExtraReasons = 32

    /// The label value that stands for codes past `maxExtraReasons` (or not safe to render).
    static let otherReason = "other"

    /// Counters by a reason label: the known reasons made up front (read without a lock), others
    /// made on first use behind a lock.
    private final class ReasonCounters: Sendable {
        private let known: [String: Counter]
        private let extra = Mutex<[String: Counter]>([:])
        private let make: @Sendable (String) -> Counter

        init(known reasons: [String], make: @escaping @Sendable (String) -> Counter) {
            var known: [String: Counter] = [:]
            for reason in reasons + [MetricsCollector.otherReason] { known[reason] = make(reason) }
            self.known = known
            self.make = make
        }

        func counter(for reason: String) -> Counter {
            if let counter = known[reason] { return counter }
            return extra.withLock { extra in
                if let counter = extra[reason] { return counter }
                guard extra.count < MetricsCollector.maxExtraReasons, StatsEntry.isValidLabelValue(reason), !reason.isEmpty else {
                    return known[MetricsCollector.otherReason]!
                }
                let counter = make(reason)
                extra[reason] = counter
                return counter
            }
        }
    }
}
