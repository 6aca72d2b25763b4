import Settings
import Testing

@Suite("METRICS, METRICS_BIND, METRICS_UNIX")
struct MetricsSettingsTests {
    @Test("Defaults: /metrics on, on the main listeners")
    func defaults() throws {
        let s = try load()
        #expect(s.metrics)
        #expect(s.metricsBind.isEmpty && s.metricsUnix.isEmpty && s.metricsListenAddresses.isEmpty)
        #expect(s.summaryLines.contains("METRICS = true (default)"))
        #expect(s.summaryLines.contains("METRICS_BIND = (not set) (default)"))
    }

    @Test("Every layer, with file < environment < flags")
    func layers() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", """
            METRICS_BIND = ["127.0.0.1:9100", "[::1]:9100"]
            METRICS_UNIX = "metrics.sock"
            """)
        let fromFile = try load(["HTTPEXEC_CONFIG_PATH": file])
        #expect(fromFile.metricsBind == [.tcp(host: "127.0.0.1", port: 9100), .tcp(host: "::1", port: 9100)])
        #expect(fromFile.metricsUnix == ["/srv/work/metrics.sock"])
        #expect(fromFile.metricsListenAddresses == [
            .tcp(host: "127.0.0.1", port: 9100), .tcp(host: "::1", port: 9100), .unix(path: "/srv/work/metrics.sock"),
        ])
        #expect(fromFile.source(of: .metricsUnix) == .file(path: file, line: 2))

        let environment = ["HTTPEXEC_CONFIG_PATH": file, "HTTPEXEC_METRICS_BIND": "0.0.0.0:9101, 127.0.0.1:0"]
        let fromEnvironment = try load(environment)
        #expect(fromEnvironment.metricsBind == [.tcp(host: "0.0.0.0", port: 9101), .tcp(host: "127.0.0.1", port: 0)])
        #expect(fromEnvironment.summaryLines.contains("METRICS_BIND = 0.0.0.0:9101,127.0.0.1:0 (env HTTPEXEC_METRICS_BIND)"))

        let fromFlags = try load(environment, SettingsOverrides(metricsBind: ["127.0.0.1:9102"], metricsUnix: ["/run/m.sock"]))
        #expect(fromFlags.metricsBind == [.tcp(host: "127.0.0.1", port: 9102)])
        #expect(fromFlags.metricsUnix == ["/run/m.sock"])
        #expect(fromFlags.source(of: .metricsBind) == .flag(name: "--metrics-bind"))
    }

    @Test("METRICS is a boolean in every layer", arguments: [
        (["HTTPEXEC_METRICS": "0"], SettingsOverrides(), false),
        (["HTTPEXEC_METRICS": "false"], SettingsOverrides(), false),
        (["HTTPEXEC_METRICS": "TRUE"], SettingsOverrides(), true),
        (["HTTPEXEC_METRICS": "0"], SettingsOverrides(metrics: true), true),
        ([:], SettingsOverrides(metrics: false), false),
    ])
    func metricsSwitch(_ environment: [String: String], _ overrides: SettingsOverrides, _ expected: Bool) throws {
        #expect(try load(environment, overrides).metrics == expected)
    }

    @Test("Bad values are one-line errors naming the setting and its source", arguments: [
        (["HTTPEXEC_METRICS": "yes"], "settings.invalid_value: METRICS (env HTTPEXEC_METRICS): \"yes\" is not a boolean; use 1, 0, true or false"),
        (["HTTPEXEC_METRICS_BIND": "9100"], "settings.invalid_value: METRICS_BIND (env HTTPEXEC_METRICS_BIND): \"9100\" has no port; write HOST:PORT, e.g. 127.0.0.1:8000"),
        (["HTTPEXEC_METRICS_BIND": "unix:/run/m.sock"], "settings.invalid_value: METRICS_BIND (env HTTPEXEC_METRICS_BIND): \"unix:/run/m.sock\" is a Unix socket; list Unix sockets in METRICS_UNIX, not METRICS_BIND"),
        (["HTTPEXEC_METRICS_UNIX": "/run/" + String(repeating: "m", count: 120)], nil),
    ] as [([String: String], String?)])
    func badValues(_ environment: [String: String], _ message: String?) {
        let error = settingsError { () throws(SettingsError) in try load(environment) }
        #expect(error?.code == .invalidValue)
        if let message { #expect(error?.description == message) }
        #expect(error?.description.contains("\n") == false)
    }

    @Test("A metrics listener with METRICS = false, or on a main listener's address, is a conflict")
    func conflicts() {
        let off = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_METRICS": "false", "HTTPEXEC_METRICS_UNIX": "/run/m.sock"])
        }
        #expect(off?.description
            == "settings.conflict: METRICS_UNIX (env HTTPEXEC_METRICS_UNIX): METRICS is false (env HTTPEXEC_METRICS), so there is nothing to serve on METRICS_UNIX")

        let sameTCP = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_BIND": "127.0.0.1:8000"], SettingsOverrides(metricsBind: ["127.0.0.1:8000"]))
        }
        #expect(sameTCP?.code == .conflict)
        #expect(sameTCP?.setting == "METRICS_BIND")
        #expect(sameTCP?.description.contains("\"127.0.0.1:8000\" is also in BIND (env HTTPEXEC_BIND)") == true)

        let sameUnix = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_UNIX": "/run/h.sock", "HTTPEXEC_METRICS_UNIX": "/run/h.sock"])
        }
        #expect(sameUnix?.code == .conflict)
        #expect(sameUnix?.setting == "METRICS_UNIX")

        // Port 0 is a fresh port each time; METRICS left at its default with listeners is fine.
        #expect(settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_BIND": "127.0.0.1:0", "HTTPEXEC_METRICS_BIND": "127.0.0.1:0"])
        } == nil)
        #expect(settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_METRICS": "true", "HTTPEXEC_METRICS_BIND": "127.0.0.1:9100"])
        } == nil)
    }
}
