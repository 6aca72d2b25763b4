import Settings
import Testing

@Suite("HTTPEXEC_* environment variables")
struct EnvironmentTests {
    @Test("Unknown HTTPEXEC_* variables are errors naming them", arguments: ["HTTPEXEC_DEBUG", "HTTPEXEC_EXECROOT", "HTTPEXEC_", "HTTPEXEC_exec_root"])
    func unknownVariable(_ name: String) {
        let error = settingsError { () throws(SettingsError) in try load([name: "1"]) }
        #expect(error?.code == .unknownSetting)
        #expect(error?.setting == name)
        #expect(error?.source == .environment(name: name))
    }

    @Test("A lowercase variable name points at the uppercase one")
    func lowercaseVariable() {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_exec_root": "/srv"]) }
        #expect(error?.reason.contains("HTTPEXEC_EXEC_ROOT") == true)
    }

    @Test("Other variables are ignored")
    func otherVariables() throws {
        #expect(try load(["PATH": "/bin", "HTTPEXECX": "1", "httpexec_bind": "x", "HOME": ""]) == HTTPExecSettings())
    }

    @Test("Empty values are errors", arguments: ["", "\"\""])
    func emptyValue(_ value: String) {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_JOB_USER": value]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.setting == "JOB_USER")
    }

    @Test("JSON string literals are unquoted, as 1.0.4 parsed values as JSON", arguments: [
        ("\"/srv/x\"", "/srv/x"), ("\"/srv/\\u00e9t\\u00e9\"", "/srv/été"), ("\"/a\\/b\"", "/a/b"),
        ("\"rel\"", "/srv/work/rel"), ("/srv/plain", "/srv/plain"),
    ])
    func jsonStrings(_ value: String, _ expected: String) throws {
        #expect(try load(["HTTPEXEC_EXEC_ROOT": value]).execRoot == expected)
    }

    @Test("Quoted values that are not JSON strings are errors", arguments: ["\"a\\qb\"", "\"a\"b\"", "\"\\ud800\"", "\"\\u+123\""])
    func badJSONStrings(_ value: String) {
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_EXEC_ROOT": value]) }?.code == .invalidValue)
    }

    @Test("JSON-quoted values work for every kind of setting")
    func jsonQuotedOtherKinds() throws {
        let s = try load(["HTTPEXEC_BIND": "\"127.0.0.1:1\"", "HTTPEXEC_IDLE_TIMEOUT": "\"5s\"", "HTTPEXEC_FOLLOW_LINKS": "true"])
        #expect(s.bind == [.tcp(host: "127.0.0.1", port: 1)])
        #expect(s.idleTimeout == .seconds(5))
        #expect(s.followLinks)
    }

    @Test("Every key has its variable and flag name")
    func names() {
        #expect(SettingKey.execRoot.environmentName == "HTTPEXEC_EXEC_ROOT")
        #expect(SettingKey.maxContentLength.environmentName == "HTTPEXEC_MAX_CONTENT_LENGTH")
        #expect(SettingKey(environmentName: "HTTPEXEC_BIND") == .bind)
        #expect(SettingKey(environmentName: "HTTPEXEC_CONFIG_PATH") == nil)
        let flags = [SettingKey.execRoot, .followLinks, .loggingLevel, .bind, .unix, .launcherSocket, .maxContentLength, .policy].map(\.flagName)
        #expect(flags == ["--exec-root", "--follow-links", "--log-level", "--bind", "--unix", "--launcher-socket", "--max-content-length", "--policy"])
    }
}
