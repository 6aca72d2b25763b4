import Settings
import Testing

@Suite("Startup summary and error messages")
struct SummaryTests {
    @Test("One line per setting with its value and source")
    func summary() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", "JOB_TIMEOUT = 90\nMAX_CONTENT_LENGTH = 524288\n")
        let s = try load(
            ["HTTPEXEC_CONFIG_PATH": file, "HTTPEXEC_BIND": "127.0.0.1:8000,[::1]:8000", "HTTPEXEC_IDLE_TIMEOUT": "1500ms"],
            SettingsOverrides(execRoot: "/srv/exec"))
        let lines = s.summaryLines
        #expect(lines.count == SettingKey.allCases.count + 1)
        #expect(lines.allSatisfy { !$0.contains("\n") })
        #expect(lines.first == "HTTPEXEC_CONFIG_PATH = \(file) (env HTTPEXEC_CONFIG_PATH)")
        #expect(lines.contains("EXEC_ROOT = /srv/exec (flag --exec-root)"))
        #expect(lines.contains("FOLLOW_LINKS = false (default)"))
        #expect(lines.contains("LOGGING_LEVEL = warning (default)"))
        #expect(lines.contains("BIND = 127.0.0.1:8000,[::1]:8000 (env HTTPEXEC_BIND)"))
        #expect(lines.contains("UNIX = (not set) (default)"))
        #expect(lines.contains("MAX_CONTENT_LENGTH = 512KiB (\(file):2)"))
        #expect(lines.contains("JOB_TIMEOUT = 90s (\(file):1)"))
        #expect(lines.contains("IDLE_TIMEOUT = 1500ms (env HTTPEXEC_IDLE_TIMEOUT)"))
        #expect(lines.contains("HEADER_TIMEOUT = 10s (default)"))
        #expect(lines.contains("SHUTDOWN_TIMEOUT = 30s (default)"))
        #expect(lines.contains("POLICY = (not set) (default)"))
    }

    @Test("Without a settings file the summary has exactly one line per setting")
    func summaryWithoutFile() throws {
        let lines = try load().summaryLines
        #expect(lines.count == SettingKey.allCases.count)
        #expect(lines.contains("JOB_TIMEOUT = 10m (default)"))
        #expect(lines.contains("MAX_CONTENT_LENGTH = 16MiB (default)"))
    }

    @Test("Error descriptions are one line: code, setting, source, reason")
    func errorDescription() {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_BIND": "127.0.0.1:70000"]) }
        #expect(error?.description == "settings.invalid_value: BIND (env HTTPEXEC_BIND): port 70000 is out of range 0…65535 in \"127.0.0.1:70000\"")
        let conflict = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_POLICY": "/p", "HTTPEXEC_EXEC_ROOT": "/srv"]) }
        #expect(conflict?.description == "settings.conflict: EXEC_ROOT (env HTTPEXEC_EXEC_ROOT): POLICY is set (env HTTPEXEC_POLICY), so EXEC_ROOT belongs in that policy file")
    }
}
