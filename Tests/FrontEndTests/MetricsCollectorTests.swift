@testable import FrontEnd
import LauncherProtocol
import Testing

/// What the collector records shows up on its exposition, series by series, with no global
/// bootstrap (each test has a registry of its own).
struct MetricsCollectorTests {
    /// The value of the sample written exactly as `series` (name and labels as rendered).
    private func value(_ series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    private func text(_ metrics: MetricsCollector, launcher: [StatsEntry]? = nil) -> String {
        String(decoding: metrics.exposition(launcher: launcher), as: UTF8.self)
    }

    @Test func everyFixedSeriesExistsFromTheStart() {
        let text = text(MetricsCollector())
        for series in [
            #"httpexec_http_requests_total{status_class="2xx"}"#, #"httpexec_http_requests_total{status_class="5xx"}"#,
            #"httpexec_executions_total{result="exited"}"#, #"httpexec_executions_total{result="cancelled"}"#,
            #"httpexec_executions_total{result="rejected",reason="not_found"}"#,
            #"httpexec_requests_rejected_total{code="invalid_json"}"#, #"httpexec_requests_rejected_total{code="other"}"#,
            "httpexec_jobs_in_flight", "httpexec_launcher_up", "httpexec_output_truncations_total",
            #"httpexec_bytes_streamed_total{stream="stdin"}"#, "httpexec_execution_duration_seconds_count",
        ] {
            #expect(value(series, in: text) == 0, "\(series) in\n\(text)")
        }
        #expect(text.contains("# TYPE httpexec_execution_duration_seconds histogram"))
        #expect(text.contains(#"httpexec_execution_duration_seconds_bucket{le="0.001"} 0"#), "\(text)")
        #expect(text.contains(#"httpexec_execution_duration_seconds_bucket{le="600.0"} 0"#), "\(text)")
    }

    @Test(arguments: [(200, "2xx"), (204, "2xx"), (301, "3xx"), (405, "4xx"), (413, "4xx"), (502, "5xx"), (503, "5xx")])
    func responsesCountByStatusClass(_ status: Int, _ statusClass: String) {
        let metrics = MetricsCollector()
        metrics.responded(status: status)
        metrics.responded(status: status)
        let text = text(metrics)
        for other in ["2xx", "3xx", "4xx", "5xx"] {
            #expect(value(#"httpexec_http_requests_total{status_class="\#(other)"}"#, in: text) == (other == statusClass ? 2 : 0))
        }
    }

    @Test func jobsCountByResultWithDurationAndTruncation() {
        let metrics = MetricsCollector()
        metrics.jobFinished(JobSummary(termination: .exited(3), wallMicroseconds: 1_500))
        metrics.jobFinished(JobSummary(termination: .signaled(9), wallMicroseconds: 200_000))
        metrics.jobFinished(JobSummary(
            termination: .signaled(15), timedOut: true, stdoutBytesSeen: 10, stdoutBytesKept: 4, wallMicroseconds: 2_000_000))
        metrics.jobEnded(.cancelled)
        metrics.jobEnded(.failed)
        metrics.jobRejected(reason: RejectCode.notExecutable)
        metrics.jobRejected(reason: "spawn:exec")
        metrics.jobRejected(reason: "spawn:exec")
        let text = text(metrics)
        for (result, count) in [("exited", 1.0), ("signaled", 1), ("timeout", 1), ("cancelled", 1), ("failed", 1)] {
            #expect(value(#"httpexec_executions_total{result="\#(result)"}"#, in: text) == count, "\(result)")
        }
        #expect(value(#"httpexec_executions_total{result="rejected",reason="not_executable"}"#, in: text) == 1)
        #expect(value(#"httpexec_executions_total{result="rejected",reason="spawn:exec"}"#, in: text) == 2)
        #expect(value("httpexec_output_truncations_total", in: text) == 1)
        // Only jobs that ran to their end have a duration: 1.5 ms, 200 ms, 2 s.
        #expect(value("httpexec_execution_duration_seconds_count", in: text) == 3)
        #expect(value(#"httpexec_execution_duration_seconds_bucket{le="0.001"}"#, in: text) == 0)
        #expect(value(#"httpexec_execution_duration_seconds_bucket{le="0.0025"}"#, in: text) == 1)
        #expect(value(#"httpexec_execution_duration_seconds_bucket{le="0.25"}"#, in: text) == 2)
        #expect(value(#"httpexec_execution_duration_seconds_bucket{le="2.5"}"#, in: text) == 3)
        #expect(value("httpexec_execution_duration_seconds_sum", in: text) == 2.2015)
    }

    @Test func resultIndexesFollowTheirOrder() {
        #expect(MetricsCollector.Result.allCases.map(\.index) == Array(0..<MetricsCollector.Result.allCases.count))
    }

    /// Unknown codes get a series of their own up to a bound, then share `other`; a code that
    /// could not be rendered as it is never becomes a label.
    @Test func rejectionReasonsAreBounded() {
        let metrics = MetricsCollector()
        metrics.requestRejected(code: "invalid_json")
        metrics.requestRejected(code: "bad\"code")
        for i in 0..<(MetricsCollector.maxExtraReasons + 5) { metrics.jobRejected(reason: "spawn:step\(i)") }
        let text = text(metrics)
        #expect(value(#"httpexec_requests_rejected_total{code="invalid_json"}"#, in: text) == 1)
        #expect(value(#"httpexec_requests_rejected_total{code="other"}"#, in: text) == 1)
        #expect(!text.contains("bad"))
        #expect(value(#"httpexec_executions_total{result="rejected",reason="spawn:step0"}"#, in: text) == 1)
        #expect(value(#"httpexec_executions_total{result="rejected",reason="other"}"#, in: text) == 5)
        #expect(!text.contains("spawn:step\(MetricsCollector.maxExtraReasons)\""))
    }

    @Test func gaugesAndStreamedBytes() {
        let metrics = MetricsCollector()
        metrics.jobInFlight(1)
        metrics.jobInFlight(1)
        metrics.jobInFlight(-1)
        metrics.launcherReachable(true)
        metrics.streamed(.stdin, bytes: 5)
        metrics.streamed(.stdout, bytes: 7)
        metrics.streamed(.stdout, bytes: 1)
        let text = text(metrics)
        #expect(value("httpexec_jobs_in_flight", in: text) == 1)
        #expect(value("httpexec_launcher_up", in: text) == 1)
        #expect(value(#"httpexec_bytes_streamed_total{stream="stdin"}"#, in: text) == 5)
        #expect(value(#"httpexec_bytes_streamed_total{stream="stdout"}"#, in: text) == 8)
        #expect(value(#"httpexec_bytes_streamed_total{stream="stderr"}"#, in: text) == 0)
        metrics.launcherReachable(false)
        #expect(value("httpexec_launcher_up", in: self.text(metrics)) == 0)
    }

    /// The launcher's entries follow the registry's, and cannot replace `httpexec_launcher_up`.
    @Test func launcherEntriesComeAfterTheFrontEndsOwn() {
        let metrics = MetricsCollector()
        metrics.launcherReachable(true)
        let text = text(metrics, launcher: [
            StatsEntry("jobs_started_total", .counter, value: 4), StatsEntry("up", .gauge, value: 7),
        ])
        let own = text.firstRange(of: "httpexec_launcher_up 1")
        let launcher = text.firstRange(of: "# TYPE httpexec_launcher_jobs_started_total counter\nhttpexec_launcher_jobs_started_total 4\n")
        #expect(own != nil && launcher != nil, "\(text)")
        if let own, let launcher { #expect(own.upperBound <= launcher.lowerBound) }
        #expect(text.ranges(of: "# TYPE httpexec_launcher_up ").count == 1)
        #expect(value("httpexec_launcher_up", in: text) == 1)
        #expect(!self.text(metrics).contains("jobs_started_total"), "no launcher lines without an answer")
    }
}
