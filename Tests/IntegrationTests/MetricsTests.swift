import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `GET /metrics`, `/healthz`, `/readyz` on the real processes: every counter moves by exactly
/// what was sent (front-end and launcher alike), the probes answer, and the settings that move or
/// remove `/metrics` do so.
@Suite(.serialized) struct MetricsTests {
    /// A known mix of requests, then the difference between two parsed expositions.
    @Test func countersMoveByExactlyWhatWasSent() throws {
        let server = try ServeFixture()
        var scraper = Scraper(port: server.port)
        let before = try scraper.scrape()
        var statuses: [String: Double] = [:]
        func send(_ target: String, _ body: String?, method: String = "POST", expect status: Int) throws {
            let response = try server.request(method, target, body: body)
            #expect(response.status == status, "\(method) \(target): \(response)\n\(server.log)")
            statuses["\(response.status / 100)xx", default: 0] += 1
        }

        try send("/probe", #"{"args":["exit","0"]}"#, expect: 200)
        try send("/probe", #"{"args":["exit","0"]}"#, expect: 200)
        try send("/probe", #"{"args":["cat"],"stdin":{"content":"aGVsbG8=","encode":"base64"},"stdout":{"capture":true}}"#, expect: 200)
        try send("/probe", #"{"args":["exit","3"]}"#, expect: 200)
        try send("/probe", #"{"args":["signal","9"]}"#, expect: 200)
        try send("/probe", #"{"args":["spew-stdout","\#((16 << 20) + 1)"],"stdout":{"capture":true}}"#, expect: 200)
        try send("/probe", #"{"args":["sleep"],"timeout":0.5}"#, expect: 200)
        try send("/probe", #"{"args":5}"#, expect: 400)
        try send("/probe", "{", expect: 400)
        try send("/missing", "{}", expect: 404)
        try send("/noexec", "{}", expect: 500)
        try send("/probe", nil, method: "GET", expect: 405)
        try send("/healthz", nil, method: "GET", expect: 200)
        try send("/readyz", nil, method: "GET", expect: 200)

        // A client that goes away while its job runs: the job is stopped and counted once.
        do {
            let client = try server.client()
            try client.send(Array("POST /probe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Request-ID: metrics-gone\r\nContent-Length: 18\r\n\r\n{\"args\":[\"sleep\"]}".utf8))
            #expect(server.waitForLog("request metrics-gone: started") != nil, "\(server.log)")
        }
        statuses["5xx", default: 0] += 1 // the 502 made for the client that left

        // Wait (bounded) until the cancelled job is counted on both sides, then compare everything.
        var after = try scraper.scrape()
        let settled = waitFor(within: .seconds(20)) {
            guard let now = try? scraper.scrape() else { return false }
            after = now
            return now.delta(from: before, "httpexec_executions_total", ["result": "cancelled"]) == 1
                && now.delta(from: before, "httpexec_http_requests_total", ["status_class": "5xx"]) == statuses["5xx"]
                && now.delta(from: before, "httpexec_launcher_jobs_cancelled_total") == 1
                && now.value("httpexec_jobs_in_flight") == 0
        }
        #expect(settled, "the disconnected job was not counted:\n\(after.text)\n\(server.log)")
        // Every scrape but the last was a 200 by the time the last was made.
        statuses["2xx", default: 0] += Double(scraper.count - 1)

        let expected: [(String, [String: String], Double)] = [
            ("httpexec_http_requests_total", ["status_class": "2xx"], statuses["2xx"] ?? 0),
            ("httpexec_http_requests_total", ["status_class": "3xx"], 0),
            ("httpexec_http_requests_total", ["status_class": "4xx"], statuses["4xx"] ?? 0),
            ("httpexec_http_requests_total", ["status_class": "5xx"], statuses["5xx"] ?? 0),
            ("httpexec_executions_total", ["result": "exited"], 5),
            ("httpexec_executions_total", ["result": "signaled"], 1),
            ("httpexec_executions_total", ["result": "timeout"], 1),
            ("httpexec_executions_total", ["result": "cancelled"], 1),
            ("httpexec_executions_total", ["result": "failed"], 0),
            ("httpexec_executions_total", ["result": "rejected", "reason": "not_found"], 1),
            ("httpexec_executions_total", ["result": "rejected", "reason": "not_executable"], 1),
            ("httpexec_requests_rejected_total", ["code": "invalid_request"], 1),
            ("httpexec_requests_rejected_total", ["code": "invalid_json"], 1),
            ("httpexec_requests_rejected_total", ["code": "not_found"], 0),
            ("httpexec_execution_duration_seconds_count", [:], 7),
            ("httpexec_output_truncations_total", [:], 1),
            ("httpexec_bytes_streamed_total", ["stream": "stdin"], 5),
            ("httpexec_bytes_streamed_total", ["stream": "stdout"], Double(5 + (16 << 20))),
            ("httpexec_bytes_streamed_total", ["stream": "stderr"], 0),
            // The launcher's own view of the same requests.
            ("httpexec_launcher_jobs_started_total", [:], 8),
            ("httpexec_launcher_jobs_finished_total", ["result": "exited"], 5),
            // The disconnected job was stopped with a signal.
            ("httpexec_launcher_jobs_finished_total", ["result": "signaled"], 2),
            ("httpexec_launcher_jobs_finished_total", ["result": "timeout"], 1),
            ("httpexec_launcher_jobs_cancelled_total", [:], 1),
            ("httpexec_launcher_jobs_rejected_total", ["reason": "not_found"], 1),
            ("httpexec_launcher_jobs_rejected_total", ["reason": "not_executable"], 1),
            ("httpexec_launcher_output_truncations_total", [:], 1),
            ("httpexec_launcher_stdin_bytes_total", [:], 5),
            ("httpexec_launcher_stdout_bytes_total", [:], Double(5 + (16 << 20) + 1)),
        ]
        for (name, labels, delta) in expected {
            #expect(after.delta(from: before, name, labels) == delta, "\(name)\(labels)\n\(after.text)")
        }
        #expect(after.value("httpexec_launcher_up") == 1)
        #expect(after.value("httpexec_jobs_in_flight") == 0)
        #expect(after.value("httpexec_launcher_jobs_running") == 0)
        #expect(after.types["httpexec_execution_duration_seconds"] == "histogram")
        #expect(after.types["httpexec_launcher_jobs_finished_total"] == "counter")
        #expect(after.types["httpexec_launcher_jobs_running"] == "gauge")
        // The histogram's buckets are cumulative and end with everything.
        let count = after.value("httpexec_execution_duration_seconds_count") ?? -1
        #expect(after.value("httpexec_execution_duration_seconds_bucket", ["le": "+Inf"]) == count)
        #expect((after.value("httpexec_execution_duration_seconds_bucket", ["le": "0.25"]) ?? .infinity) < count, "the timeout took 0.5 s")
    }

    /// The probes: fixed bodies, `X-Request-ID`, and the paths stay commands for `POST`.
    @Test func healthAndReadinessAnswerGETAndLeavePOSTToCommands() throws {
        let server = try ServeFixture(extraFiles: ["healthz": ("#!/bin/sh\necho ran\n", 0o755)])
        let health = try server.request("GET", "/healthz", headers: [("X-Request-ID", "probe-1")])
        #expect(health.status == 200 && health.text == #"{"status":"ok"}"#, "\(health)")
        #expect(health.headers["content-type"] == "application/json")
        #expect(health.headers["x-request-id"] == "probe-1")
        let ready = try server.request("GET", "/readyz?full=1")
        #expect(ready.status == 200 && ready.text == #"{"status":"ready"}"#, "\(ready)")
        #expect(ready.headers["x-request-id"]?.count == 32)
        let metrics = try server.request("GET", "/metrics")
        #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.headers["x-request-id"] != nil)

        let ran = try server.request("POST", "/healthz", body: #"{"stdout":{"capture":true}}"#)
        #expect(ran.status == 200 && ran.text.contains(#""content":"ran\n""#), "\(ran)")
        #expect(try server.request("POST", "/metrics", body: "{}").status == 404, "no command named metrics here")

        let put = try server.request("PUT", "/healthz", body: "{}")
        #expect(put.status == 405 && put.headers["allow"] == "GET, OPTIONS, POST", "\(put)")
        #expect(put.errorCode == "method_not_allowed")
        let options = try server.request("OPTIONS", "/readyz")
        #expect(options.status == 200 && options.headers["allow"] == "GET, OPTIONS, POST")
        let elsewhere = try server.request("GET", "/probe")
        #expect(elsewhere.status == 405 && elsewhere.headers["allow"] == "OPTIONS, POST")
        #expect(try server.request("GET", "/healthz/").status == 405)
    }

    /// Launcher gone: `/readyz` is 503 with Retry-After, `/healthz` still 200, `/metrics` still
    /// 200 with `httpexec_launcher_up 0` and no launcher counters; back: ready again.
    @Test func readinessFollowsTheLauncher() throws {
        let launcher = try LauncherFixture.forFrontEnd()
        let server = try FrontEndProcess(launcherSocket: launcher.socketPath)
        var scraper = Scraper(port: server.port)
        #expect(try server.request("/readyz", method: "GET").status == 200, "\(server.log)\n\(launcher.log)")
        let up = try scraper.scrape()
        #expect(up.value("httpexec_launcher_up") == 1)
        #expect(up.value("httpexec_launcher_jobs_started_total") != nil, "\(up.text)")

        #expect(launcher.stop() == 0)
        let notReady = try server.request("/readyz", method: "GET", headers: [("X-Request-ID", "ready-2")])
        #expect(notReady.status == 503, "\(notReady)")
        #expect(notReady.errorCode == "launcher_unavailable")
        #expect(notReady.headers["retry-after"] == "1")
        #expect(notReady.headers["x-request-id"] == "ready-2")
        #expect(try server.request("/healthz", method: "GET").status == 200)
        let down = try scraper.scrape()
        #expect(down.value("httpexec_launcher_up") == 0, "\(down.text)")
        #expect(down.samples.keys.allSatisfy { !$0.hasPrefix("httpexec_launcher_") || $0 == "httpexec_launcher_up" }, "\(down.text)")
        #expect(down.value("httpexec_http_requests_total", ["status_class": "2xx"]) != nil)

        try launcher.start()
        // The backoff is at most 2 s; the first probe after it reconnects.
        #expect(waitFor(within: .seconds(20)) { (try? server.request("/readyz", method: "GET"))?.status == 200 }, "\(server.log)")
        let back = try scraper.scrape()
        #expect(back.value("httpexec_launcher_up") == 1)
        #expect(back.value("httpexec_launcher_jobs_started_total") != nil)
    }

    @Test func metricsCanBeTurnedOff() throws {
        let server = try ServeFixture(environment: ["HTTPEXEC_METRICS": "false"])
        let metrics = try server.request("GET", "/metrics")
        #expect(metrics.status == 405 && metrics.headers["allow"] == "OPTIONS, POST", "\(metrics)")
        #expect(metrics.errorCode == "method_not_allowed")
        #expect(try server.request("GET", "/healthz").status == 200)
        #expect(try server.request("GET", "/readyz").status == 200)
    }

    /// `METRICS_BIND` and `METRICS_UNIX`: `/metrics` only there (bound before the front-end
    /// confined itself, or it could not have been), the probes on both, no commands there.
    @Test func aMetricsListenerServesOnlyTheEndpoints() throws {
        var template = Array("/tmp/httpexec-metrics-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/metrics.sock"
        let server = try ServeFixture(environment: ["HTTPEXEC_METRICS_BIND": "127.0.0.1:0", "HTTPEXEC_METRICS_UNIX": socket])
        let line = try #require(server.waitForLog("serving metrics"), "\(server.log)")
        let match = try #require(line.firstMatch(of: /127\.0\.0\.1:([0-9]+)/), "\(line)")
        let port = try #require(Int(match.1))
        #expect(port != server.port)

        let main = try server.request("GET", "/metrics")
        #expect(main.status == 405 && main.headers["allow"] == "OPTIONS, POST", "\(main)")
        #expect(try server.request("GET", "/healthz").status == 200)

        let client = try HTTPTestClient(port: port)
        let metrics = try client.request("GET", "/metrics")
        #expect(metrics.status == 200, "\(metrics)")
        let parsed = try Exposition(parsing: metrics.text)
        #expect(parsed.value("httpexec_http_requests_total", ["status_class": "4xx"]) == 1, "the 405 on the main listener")
        #expect(parsed.value("httpexec_launcher_up") == 1)
        #expect(try client.request("GET", "/healthz").text == #"{"status":"ok"}"#)
        #expect(try client.request("GET", "/readyz").status == 200)
        let command = try client.request("POST", "/probe", body: Array(#"{"args":["exit","0"]}"#.utf8))
        #expect(command.status == 404 && command.errorCode == "not_found", "no commands on a metrics listener: \(command)")
        let post = try client.request("POST", "/metrics", body: Array("{}".utf8))
        #expect(post.status == 405 && post.headers["allow"] == "GET", "\(post)")

        let overUnix = try HTTPTestClient(unixPath: socket).request("GET", "/metrics")
        #expect(overUnix.status == 200 && overUnix.text.contains("# TYPE httpexec_http_requests_total counter"), "\(overUnix)")
    }
}

/// `GET /metrics` on one port, parsed; counts its scrapes (each is a 2xx the next one shows).
private struct Scraper {
    let port: Int
    private(set) var count = 0

    init(port: Int) {
        self.port = port
    }

    mutating func scrape() throws -> Exposition {
        let response = try HTTPTestClient(port: port).request("GET", "/metrics")
        count += 1
        guard response.status == 200, response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8" else {
            throw ExpositionError(description: "GET /metrics: \(response)")
        }
        return try Exposition(parsing: response.text)
    }
}

struct ExpositionError: Error, CustomStringConvertible {
    let description: String
}

/// The Prometheus text format (0.0.4), parsed strictly: every line a comment, a `# TYPE` (once per
/// family, before its samples) or a sample `name{label="value",…} number`; label values unescaped;
/// no sample twice.
struct Exposition {
    let text: String
    /// Value by series key: the name, then the labels sorted by name (`name{a="1",b="2"}`).
    private(set) var samples: [String: Double] = [:]
    /// The `# TYPE` of every family.
    private(set) var types: [String: String] = [:]

    init(parsing text: String) throws {
        self.text = text
        guard text.isEmpty || text.hasSuffix("\n") else { throw ExpositionError(description: "no final newline") }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("#") {
                try parseComment(line)
            } else if !line.isEmpty {
                try parseSample(line)
            }
        }
    }

    /// The value of `name` with exactly `labels`, or nil when there is no such sample.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples[Self.key(name, labels)]
    }

    /// `value` now minus `value` in `earlier`, a missing sample counting as 0 in `earlier` only.
    func delta(from earlier: Exposition, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        value(name, labels).map { $0 - (earlier.value(name, labels) ?? 0) }
    }

    private static func key(_ name: String, _ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    /// The family a sample belongs to: histogram series carry a suffix.
    private func family(of name: String) -> String? {
        if types[name] != nil { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || types[base] == "summary" { return base }
        }
        return nil
    }

    private mutating func parseComment(_ line: Substring) throws {
        let parts = line.split(separator: " ", maxSplits: 3)
        guard parts.count >= 2, parts[0] == "#" else { return }
        guard parts[1] == "TYPE" else { return }
        guard parts.count == 4, Self.isName(parts[2]),
              ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
        else { throw ExpositionError(description: "bad TYPE line: \(line)") }
        let name = String(parts[2])
        guard types[name] == nil else { throw ExpositionError(description: "second TYPE line for \(name)") }
        guard !samples.keys.contains(where: { $0 == name || $0.hasPrefix(name + "{") }) else {
            throw ExpositionError(description: "TYPE after samples of \(name)")
        }
        types[name] = String(parts[3])
    }

    private mutating func parseSample(_ line: Substring) throws {
        func bad(_ why: String) -> ExpositionError { ExpositionError(description: "\(why): \(line)") }
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard Self.isName(name) else { throw bad("bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = rest.prefix { $0 != "=" }
                guard Self.isName(labelName), !labelName.hasPrefix("__") else { throw bad("bad label name") }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw bad("label without a quoted value") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.first else { throw bad("unterminated label value") }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { throw bad("dangling escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw bad("unknown escape")
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels.updateValue(value, forKey: String(labelName)) == nil else { throw bad("label twice") }
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw bad("no value") }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count), let value = Double(fields[0]) ?? (fields[0] == "+Inf" ? .infinity : nil) else {
            throw bad("bad value")
        }
        guard family(of: String(name)) != nil else { throw bad("sample before its TYPE line") }
        let key = Self.key(String(name), labels)
        guard samples.updateValue(value, forKey: key) == nil else { throw bad("sample twice") }
    }
}
