import Logging
import Settings
import Testing

@Suite("Parsing each setting's values")
struct ValueParsingTests {
    // MARK: FOLLOW_LINKS

    @Test("FOLLOW_LINKS from the environment", arguments: [
        ("1", true), ("0", false), ("true", true), ("false", false), ("TRUE", true), ("False", false),
    ])
    func followLinksEnvironment(_ text: String, _ expected: Bool) throws {
        #expect(try load(["HTTPEXEC_FOLLOW_LINKS": text]).followLinks == expected)
    }

    @Test("Bad FOLLOW_LINKS in the environment", arguments: ["2", "yes", "on", "-1", " 1", "truee"])
    func followLinksEnvironmentBad(_ text: String) {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_FOLLOW_LINKS": text]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.setting == "FOLLOW_LINKS")
    }

    @Test("FOLLOW_LINKS in TOML: a boolean or 0/1", arguments: [
        ("true", true), ("false", false), ("1", true), ("0", false),
    ])
    func followLinksFile(_ toml: String, _ expected: Bool) throws {
        #expect(try loadFile("FOLLOW_LINKS = \(toml)").followLinks == expected)
    }

    @Test("Bad FOLLOW_LINKS in TOML", arguments: ["\"yes\"", "\"true\"", "2", "1.0", "[true]"])
    func followLinksFileBad(_ toml: String) throws {
        let error = try fileError("FOLLOW_LINKS = \(toml)", in: TemporaryDirectory())
        #expect(error?.code == .invalidValue)
        #expect(error?.setting == "FOLLOW_LINKS")
    }

    // MARK: LOGGING_LEVEL

    @Test("LOGGING_LEVEL names and numbers", arguments: [
        ("CRITICAL", Logger.Level.critical), ("fatal", .critical), ("ERROR", .error), ("WARN", .warning),
        ("warning", .warning), ("Info", .info), ("DEBUG", .debug), ("NOTSET", .trace),
        ("trace", .trace), ("notice", .notice),
        ("50", .critical), ("45", .error), ("40", .error), ("35", .warning), ("30", .warning),
        ("20", .info), ("19", .debug), ("10", .debug), ("9", .trace), ("0", .trace),
    ])
    func loggingLevel(_ text: String, _ expected: Logger.Level) throws {
        #expect(try load(["HTTPEXEC_LOGGING_LEVEL": text]).loggingLevel == expected)
        #expect(try load([:], SettingsOverrides(loggingLevel: text)).loggingLevel == expected)
    }

    @Test("LOGGING_LEVEL in TOML: a name or an integer")
    func loggingLevelFile() throws {
        #expect(try loadFile("LOGGING_LEVEL = 10").loggingLevel == .debug)
        #expect(try loadFile("LOGGING_LEVEL = \"ERROR\"").loggingLevel == .error)
        #expect(try fileError("LOGGING_LEVEL = 10.5", in: TemporaryDirectory())?.code == .invalidValue)
    }

    @Test("Bad LOGGING_LEVEL", arguments: ["VERBOSE", "51", "-1", "1e1", "warning!"])
    func loggingLevelBad(_ text: String) {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_LOGGING_LEVEL": text]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.setting == "LOGGING_LEVEL")
    }

    // MARK: Durations

    @Test("Durations", arguments: [
        ("500ms", Duration.milliseconds(500)), ("10s", .seconds(10)), ("5m", .seconds(300)), ("1h", .seconds(3600)),
        ("30", .seconds(30)), ("1.5", .milliseconds(1500)), ("2.5s", .milliseconds(2500)), ("24h", .seconds(86400)),
        ("10 s", .seconds(10)),
    ])
    func durations(_ text: String, _ expected: Duration) throws {
        let s = try load(["HTTPEXEC_HEADER_TIMEOUT": text, "HTTPEXEC_JOB_TIMEOUT": text])
        #expect(s.headerTimeout == expected)
        #expect(s.jobTimeout == expected)
    }

    @Test("Bad durations", arguments: ["0", "0s", "-5", "25h", "86401", "10sec", "s", "1e3", "inf", "nan", ".5", "5.", "10S", "1d"])
    func durationsBad(_ text: String) {
        for key in [SettingKey.headerTimeout, .bodyTimeout, .idleTimeout, .shutdownTimeout, .jobTimeout] {
            let error = settingsError { () throws(SettingsError) in try load([key.environmentName: text]) }
            #expect(error?.code == .invalidValue, "\(key) = \(text)")
            #expect(error?.setting == key.rawValue)
        }
    }

    @Test("Durations in TOML: integers and floats are seconds, strings have units")
    func durationsFile() throws {
        let s = try loadFile("""
            HEADER_TIMEOUT = 3
            BODY_TIMEOUT = 0.25
            IDLE_TIMEOUT = "2m"
            SHUTDOWN_TIMEOUT = "100ms"
            JOB_TIMEOUT = "1h"
            """)
        #expect(s.headerTimeout == .seconds(3))
        #expect(s.bodyTimeout == .milliseconds(250))
        #expect(s.idleTimeout == .seconds(120))
        #expect(s.shutdownTimeout == .milliseconds(100))
        #expect(s.jobTimeout == .seconds(3600))
        #expect(try fileError("IDLE_TIMEOUT = true", in: TemporaryDirectory())?.code == .invalidValue)
        #expect(try fileError("IDLE_TIMEOUT = -1", in: TemporaryDirectory())?.code == .invalidValue)
        #expect(try fileError("IDLE_TIMEOUT = inf", in: TemporaryDirectory())?.code == .invalidValue)
    }

    // MARK: Sizes and counts

    @Test("MAX_CONTENT_LENGTH sizes", arguments: [
        ("1", 1), ("1048576", 1 << 20), ("16MiB", 16 << 20), ("512KiB", 512 << 10), ("1GiB", 1 << 30),
        ("100B", 100), ("8 MiB", 8 << 20),
    ])
    func sizes(_ text: String, _ expected: Int) throws {
        #expect(try load(["HTTPEXEC_MAX_CONTENT_LENGTH": text]).maxContentLength == expected)
    }

    @Test("Bad MAX_CONTENT_LENGTH", arguments: ["0", "0B", "16MB", "16mib", "16M", "1.5MiB", "2GiB", "1073741825", "-1", "lots", "99999999999999999999GiB"])
    func sizesBad(_ text: String) {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_MAX_CONTENT_LENGTH": text]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.setting == "MAX_CONTENT_LENGTH")
    }

    @Test("MAX_CONTENT_LENGTH in TOML: an integer or a size string")
    func sizesFile() throws {
        #expect(try loadFile("MAX_CONTENT_LENGTH = 1024").maxContentLength == 1024)
        #expect(try loadFile("MAX_CONTENT_LENGTH = \"4MiB\"").maxContentLength == 4 << 20)
        #expect(try fileError("MAX_CONTENT_LENGTH = 1.5", in: TemporaryDirectory())?.code == .invalidValue)
    }

    @Test("MAX_CONNECTIONS", arguments: [("1", 1), ("1024", 1024), ("1000000", 1_000_000)])
    func connections(_ text: String, _ expected: Int) throws {
        #expect(try load(["HTTPEXEC_MAX_CONNECTIONS": text]).maxConnections == expected)
    }

    @Test("Bad MAX_CONNECTIONS", arguments: ["0", "1000001", "-1", "+5", "1k", "10.0"])
    func connectionsBad(_ text: String) {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_MAX_CONNECTIONS": text]) }
        #expect(error?.code == .invalidValue)
    }

    @Test("MAX_CONNECTIONS in TOML must be an integer")
    func connectionsFile() throws {
        #expect(try loadFile("MAX_CONNECTIONS = 1_000").maxConnections == 1000)
        #expect(try fileError("MAX_CONNECTIONS = \"100\"", in: TemporaryDirectory())?.code == .invalidValue)
    }

    // MARK: Paths and names

    @Test("Paths are made absolute against the working directory and normalised", arguments: [
        ("/srv/exec", "/srv/exec"), ("exec", "/srv/work/exec"), ("./a/../b/", "/srv/work/b"),
        ("../x", "/srv/x"), ("//srv//exec/.", "/srv/exec"), ("123", "/srv/work/123"),
    ])
    func paths(_ text: String, _ expected: String) throws {
        let s = try load(["HTTPEXEC_EXEC_ROOT": text])
        #expect(s.execRoot == expected)
        #expect(try load([:], SettingsOverrides(launcherSocket: text)).launcherSocket == expected)
        #expect(try load([:], SettingsOverrides(policy: text)).policy == expected)
    }

    @Test("String settings in TOML must be strings", arguments: ["EXEC_ROOT = 123", "JOB_USER = 0", "POLICY = true", "LAUNCHER_SOCKET = [\"/a\"]", "FRONTEND_USER = {a = 1}"])
    func stringsFileBad(_ toml: String) throws {
        let error = try fileError(toml, in: TemporaryDirectory())
        #expect(error?.code == .invalidValue)
        #expect(error?.reason.contains("must be") == true)
    }

    @Test("Account names: names or numeric ids", arguments: ["nobody", "www-data", "65534", "svc_http.1"])
    func accounts(_ name: String) throws {
        let s = try load(["HTTPEXEC_JOB_USER": name, "HTTPEXEC_JOB_GROUP": name, "HTTPEXEC_FRONTEND_USER": name])
        #expect(s.jobUser == name && s.jobGroup == name && s.frontendUser == name)
    }

    @Test("Bad account names", arguments: ["a b", "a:b", "../x", "a\tb"])
    func accountsBad(_ name: String) {
        let error = settingsError { () throws(SettingsError) in try load([:], SettingsOverrides(jobUser: name)) }
        #expect(error?.code == .invalidValue)
        #expect(error?.source == .flag(name: "--job-user"))
    }

    @Test("Control characters are refused in text values, and never reach the message raw")
    func controlCharacters() {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_EXEC_ROOT": "/srv/x\nFORGED line"]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.description.contains("\n") == false)
        #expect(error?.description.contains("\\n") == true)
    }
}
