import Foundation
import Logging
import Settings
import Testing

@Suite("The file named by HTTPEXEC_CONFIG_PATH")
struct SettingsFileTests {
    @Test("A missing file is an error naming HTTPEXEC_CONFIG_PATH")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let error = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_CONFIG_PATH": directory.path + "/nope.toml"])
        }
        #expect(error?.code == .unreadableFile)
        #expect(error?.setting == "HTTPEXEC_CONFIG_PATH")
        #expect(error?.source == .environment(name: "HTTPEXEC_CONFIG_PATH"))
        #expect(error?.description.contains("nope.toml") == true)
    }

    @Test("A directory is not a settings file")
    func directoryAsFile() throws {
        let directory = try TemporaryDirectory()
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": directory.path]) }
        #expect(error?.code == .unreadableFile)
    }

    @Test("A relative HTTPEXEC_CONFIG_PATH is resolved against the working directory")
    func relativeConfigPath() throws {
        let directory = try TemporaryDirectory()
        try directory.write("settings.toml", "MAX_CONNECTIONS = 7")
        let s = try load(["HTTPEXEC_CONFIG_PATH": "./settings.toml"], in: directory.path)
        #expect(s.maxConnections == 7)
        #expect(s.configFile == directory.path + "/settings.toml")
    }

    @Test("An empty HTTPEXEC_CONFIG_PATH is an error")
    func emptyConfigPath() {
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": ""]) }?.code == .invalidValue)
    }

    @Test("Bad TOML is reported with its line", arguments: [
        ("EXEC_ROOT = \"/a\"\nBIND = [\"x:1\"\n", 2),
        ("# one\n# two\nEXEC_ROOT = /srv\n", 3),
        ("EXEC_ROOT = \"/a\"\nEXEC_ROOT = \"/b\"\n", 2),
    ])
    func badTOML(_ text: String, _ line: Int) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", text)
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": file]) }
        #expect(error?.code == .malformedFile)
        #expect(error?.source == .file(path: file, line: line))
        #expect(error?.description.contains("settings.toml:\(line)") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("Invalid UTF-8 and NUL bytes are malformed files")
    func notText() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path + "/bad.toml"
        #expect(FileManager.default.createFile(atPath: file, contents: Data([0x41, 0x3D, 0xFF])))
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": file]) }?.code == .malformedFile)
        let nul = try directory.write("nul.toml", "MAX_CONNECTIONS = 5\nJOB_USER = \"a\u{0}b\"\n")
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": nul]) }
        #expect(error?.code == .malformedFile)
        #expect(error?.source == .file(path: nul, line: 2))
    }

    @Test("Lowercase and mixed-case keys are errors that name the uppercase key", arguments: [
        ("exec_root", "EXEC_ROOT"), ("Follow_Links", "FOLLOW_LINKS"), ("bind", "BIND"),
    ])
    func lowercaseKeys(_ written: String, _ key: String) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", "# settings\n\n\(written) = \"x\"\n")
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": file]) }
        #expect(error?.code == .lowercaseKey)
        #expect(error?.setting == written)
        #expect(error?.source == .file(path: file, line: 3))
        #expect(error?.reason.contains(key) == true)
    }

    @Test("Unknown keys are errors naming them, at their line")
    func unknownKey() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", """
            EXEC_ROOT = "/srv"
            MAX_CONTENT_LENGHT = 5
            ZZZ = 1
            """)
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": file]) }
        #expect(error?.code == .unknownSetting)
        #expect(error?.setting == "MAX_CONTENT_LENGHT", "the first unknown key in file order")
        #expect(error?.source == .file(path: file, line: 2))
    }

    @Test("Settings in a table are refused: keys belong at the root")
    func tables() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", """
            MAX_CONNECTIONS = 3
            [httpexec]
            EXEC_ROOT = "/srv"
            """)
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": file]) }
        #expect(error?.code == .unknownSetting)
        #expect(error?.setting == "httpexec")
        #expect(error?.reason.contains("root") == true)
    }

    @Test("Wrong value types name the key and its line")
    func wrongTypeLine() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", """
            BIND = [
              "127.0.0.1:1",
              # EXEC_ROOT = "not a key"
            ]
            NOTE_LIKE = '''
            EXEC_ROOT = 1
            '''
            """)
        // NOTE_LIKE is unknown (line 5); the scanner must not mistake lines inside values for keys.
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": file]) }
        #expect(error?.setting == "NOTE_LIKE")
        #expect(error?.source == .file(path: file, line: 5))

        let typed = try directory.write("typed.toml", "\n\nEXEC_ROOT = 123 # wrong\n")
        let typeError = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_CONFIG_PATH": typed]) }
        #expect(typeError?.code == .invalidValue)
        #expect(typeError?.setting == "EXEC_ROOT")
        #expect(typeError?.source == .file(path: typed, line: 3))
        #expect(typeError?.description == "settings.invalid_value: EXEC_ROOT (\(typed):3): must be a path string, found an integer")
    }

    @Test("Quoted keys and every setting from a file")
    func everyKey() throws {
        let s = try loadFile("""
            "EXEC_ROOT" = "exec"
            FOLLOW_LINKS = true
            LOGGING_LEVEL = "notice"
            BIND = "localhost:8080"
            UNIX = "/run/h.sock"
            METRICS = true
            METRICS_BIND = ["127.0.0.1:9100"]
            METRICS_UNIX = "/run/m.sock"
            LAUNCHER_SOCKET = "/run/l.sock"
            MAX_CONTENT_LENGTH = "1MiB"
            MAX_CONNECTIONS = 9
            HEADER_TIMEOUT = 1
            BODY_TIMEOUT = "2s"
            IDLE_TIMEOUT = "3s"
            SHUTDOWN_TIMEOUT = "4s"
            JOB_TIMEOUT = "5m"
            JOB_USER = "u"
            JOB_GROUP = "g"
            FRONTEND_USER = "1234"
            AUDIT_FILE = "/var/log/httpexec/audit.log"
            """)
        #expect(s.execRoot == "/srv/work/exec")
        #expect(s.followLinks)
        #expect(s.loggingLevel == .notice)
        #expect(s.bind == [.tcp(host: "localhost", port: 8080)])
        #expect(s.unix == ["/run/h.sock"])
        #expect(s.metrics)
        #expect(s.metricsBind == [.tcp(host: "127.0.0.1", port: 9100)])
        #expect(s.metricsUnix == ["/run/m.sock"])
        #expect(s.launcherSocket == "/run/l.sock")
        #expect(s.maxContentLength == 1 << 20)
        #expect(s.maxConnections == 9)
        #expect([s.headerTimeout, s.bodyTimeout, s.idleTimeout, s.shutdownTimeout, s.jobTimeout]
            == [.seconds(1), .seconds(2), .seconds(3), .seconds(4), .seconds(300)])
        #expect((s.jobUser, s.jobGroup, s.frontendUser) == ("u", "g", "1234"))
        #expect(s.auditFile == "/var/log/httpexec/audit.log")
        for key in SettingKey.allCases where key != .policy {
            guard case .file(_, let line?) = s.source(of: key) else {
                Issue.record("\(key) has no file line")
                continue
            }
            #expect(line == SettingKey.allCases.firstIndex(of: key)! + 1)
        }
    }
}
