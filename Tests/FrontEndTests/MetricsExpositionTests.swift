@testable import FrontEnd
import LauncherProtocol
import Testing

/// The launcher's `stats` entries as Prometheus text: exact output, grouping, and what is dropped.
struct MetricsExpositionTests {
    private func render(_ entries: [StatsEntry], reserved: Set<String> = []) -> String {
        var bytes: [UInt8] = []
        MetricsExposition.appendLauncherEntries(entries, to: &bytes, reserved: reserved)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func rendersCountersAndGaugesWithTheirTypeLine() {
        let text = render([
            StatsEntry("jobs_started_total", .counter, value: 7),
            StatsEntry("jobs_running", .gauge, value: 2),
            StatsEntry("jobs_rejected_total", .counter, label: .init("reason", "spawn:exec"), value: 1),
        ])
        #expect(text == """
            # TYPE httpexec_launcher_jobs_started_total counter
            httpexec_launcher_jobs_started_total 7
            # TYPE httpexec_launcher_jobs_running gauge
            httpexec_launcher_jobs_running 2
            # TYPE httpexec_launcher_jobs_rejected_total counter
            httpexec_launcher_jobs_rejected_total{reason="spawn:exec"} 1

            """)
    }

    @Test func interleavedSamplesAreGroupedUnderOneTypeLine() {
        let text = render([
            StatsEntry("jobs_finished_total", .counter, label: .init("result", "exited"), value: 3),
            StatsEntry("connections", .gauge, value: 1),
            StatsEntry("jobs_finished_total", .counter, label: .init("result", "timeout"), value: 1),
            StatsEntry("big", .counter, value: .max),
        ])
        #expect(text == """
            # TYPE httpexec_launcher_jobs_finished_total counter
            httpexec_launcher_jobs_finished_total{result="exited"} 3
            httpexec_launcher_jobs_finished_total{result="timeout"} 1
            # TYPE httpexec_launcher_connections gauge
            httpexec_launcher_connections 1
            # TYPE httpexec_launcher_big counter
            httpexec_launcher_big 18446744073709551615

            """)
    }

    /// Entries the decoder would refuse (built by hand here), a second kind for a name, a repeated
    /// sample and a name that would shadow the front-end's own are all left out; the rest stays.
    @Test(arguments: [
        StatsEntry("Bad", .counter, value: 1),
        StatsEntry("9lives", .counter, value: 1),
        StatsEntry("", .counter, value: 1),
        StatsEntry("has space", .counter, value: 1),
        StatsEntry("quote", .counter, label: .init("reason", "a\"b"), value: 1),
        StatsEntry("backslash", .counter, label: .init("reason", "a\\b"), value: 1),
        StatsEntry("newline", .counter, label: .init("reason", "a\nb"), value: 1),
        StatsEntry("reserved_label", .counter, label: .init("__name__", "x"), value: 1),
        StatsEntry("label_name", .counter, label: .init("Reason", "x"), value: 1),
        StatsEntry("ok_total", .gauge, value: 9),
        StatsEntry("ok_total", .counter, value: 9),
        StatsEntry("up", .gauge, value: 1),
    ])
    func dropsWhatCannotBeRenderedAsIs(_ bad: StatsEntry) {
        let good = StatsEntry("ok_total", .counter, value: 5)
        let text = render([good, bad], reserved: ["httpexec_launcher_up"])
        #expect(text == "# TYPE httpexec_launcher_ok_total counter\nhttpexec_launcher_ok_total 5\n")
    }

    /// Whatever arrives, every line is a TYPE line or a sample in the strict form, every family
    /// has exactly one TYPE line, and its samples follow it.
    @Test func outputIsAlwaysWellFormed() {
        var entries: [StatsEntry] = []
        for i in 0..<40 {
            let name = ["a_total", "b", "c_total", "A", "d e"][i % 5]
            let label: StatsEntry.Label? = i % 3 == 0 ? nil : .init(i % 7 == 0 ? "__x" : "k", i % 4 == 0 ? "v\"\(i)" : "v\(i % 6)")
            entries.append(StatsEntry(name, i % 2 == 0 ? .counter : .gauge, label: label, value: UInt64(i)))
        }
        let lines = render(entries).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        var typed: [String] = []
        var current: String?
        for line in lines.dropLast() {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(parts.count == 4 && ["counter", "gauge"].contains(parts[3]), "\(line)")
                current = String(parts[2])
                #expect(!typed.contains(current!), "a second TYPE line for \(current!)")
                typed.append(current!)
                continue
            }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(name == current, "sample \(line) outside its family")
            #expect(line.wholeMatch(of: /httpexec_launcher_[a-z_][a-z0-9_]*(\{[a-z_][a-z0-9_]*="[ !#-\[\]-~]*"\})? [0-9]+/) != nil, "\(line)")
        }
        #expect(!typed.isEmpty)
    }
}
