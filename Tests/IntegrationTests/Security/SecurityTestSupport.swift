import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Small helpers the adversarial suites share (SecurityFixture is the main one).

extension SecurityFixture {
    /// A fresh `X-Request-ID` (the front-end passes a well-formed one on to the launcher, which
    /// names it in its per-request log lines).
    static func requestID() -> String { "sec-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// `POST target` with `body`, tagged with a fresh request ID; the response and the ID.
    func tagged(_ target: String, _ body: String = "{}") throws -> (HTTPTestResponse, String) {
        let id = Self.requestID()
        return (try post(target, body, headers: [("X-Request-ID", id)]), id)
    }

    /// The launcher's log lines about request `id` ("request ID: started …", "… rejected CODE: …",
    /// "… finished …"). The front-end never writes this form, so an empty result means the
    /// request never reached the launcher.
    func launcherLines(for id: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains("request \(id): ") }
    }

    /// Waits (bounded) for the launcher's line saying it rejected request `id` with `code`.
    func launcherRejected(_ id: String, _ code: String, within seconds: Double = 10) -> Bool {
        serve.waitForLog("request \(id): rejected \(code)", within: seconds) != nil
    }

    /// Whether a process `pid` of the job's uid is alive.
    func jobProcessAlive(_ pid: Int32) -> Bool {
        guard let process = Self.stat(of: pid) else { return false }
        return process.uid == jobUID && process.state != "Z"
    }
}

/// A rejection as docs/api.md promises it: `status`, a JSON error body with `code`.
func expectSecurityRejected(
    _ response: HTTPTestResponse, _ status: Int, _ code: String, _ fixture: SecurityFixture,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(response.status == status, "\(response)\n--- log:\n\(fixture.log.suffix(2000))", sourceLocation: sourceLocation)
    #expect(response.errorCode == code, "\(response)", sourceLocation: sourceLocation)
    #expect(!response.text.contains(fixture.directory), "the error leaks a host path: \(response)", sourceLocation: sourceLocation)
}

/// No job wrote a marker (then forgets any, so one failure does not cascade).
func expectNoMarkers(_ fixture: SecurityFixture, sourceLocation: SourceLocation = #_sourceLocation) {
    let files = fixture.markerFiles()
    #expect(files.isEmpty, "something ran: \(files)", sourceLocation: sourceLocation)
    if !files.isEmpty { fixture.clearMarkers() }
}

/// Parsers for what jobs print.
enum SecurityText {
    /// `key=value` lines (the probe's `try`, the test programs' reports) as a dictionary.
    static func keyValues(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// `Key:<tab>value` lines (/proc/PID/status, the probe's `status`), whitespace collapsed.
    static func statusFields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[String(line[..<colon])] = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        return result
    }
}

/// A loop on a thread of its own (not the cooperative pool, which the blocking test code needs),
/// run until `stop()`, which waits for the loop to end.
final class SecurityLoop: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let count = Atomic<Int>(0)

    /// Times `body` returned true so far.
    var successes: Int { count.load(ordering: .relaxed) }

    init(_ body: @escaping @Sendable (Int) -> Bool) {
        let thread = Thread { [self] in
            var iteration = 0
            while !stopped.load(ordering: .relaxed) {
                if body(iteration) { count.add(1, ordering: .relaxed) }
                iteration += 1
            }
            finished.signal()
        }
        thread.start()
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        finished.wait()
    }
}
