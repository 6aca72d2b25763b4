import Logging
import Settings
import Testing

@Suite("Layering: defaults < file < environment < flags")
struct PrecedenceTests {
    @Test("Defaults, with nothing set")
    func defaults() throws {
        let s = try load()
        #expect(s == HTTPExecSettings())
        #expect(s.execRoot == nil)
        #expect(s.followLinks == false)
        #expect(s.loggingLevel == .warning)
        #expect(s.bind.isEmpty && s.unix.isEmpty)
        #expect(s.launcherSocket == "/run/httpexec/launcher.sock")
        #expect(s.maxContentLength == 16_777_216)
        #expect(s.maxConnections == 1024)
        #expect(s.headerTimeout == .seconds(10))
        #expect(s.bodyTimeout == .seconds(60))
        #expect(s.idleTimeout == .seconds(60))
        #expect(s.shutdownTimeout == .seconds(30))
        #expect(s.jobTimeout == .seconds(600))
        #expect(s.jobUser == "nobody" && s.jobGroup == "nogroup" && s.frontendUser == "httpexec")
        #expect(s.policy == nil && s.configFile == nil)
        for key in SettingKey.allCases { #expect(s.source(of: key) == .defaultValue) }
    }

    @Test("Each layer wins over the ones below it, for every kind of setting")
    func eachLayerWins() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("settings.toml", """
            # comment
            EXEC_ROOT = "/from/file"
            LOGGING_LEVEL = "INFO"
            BIND = ["127.0.0.1:1", "127.0.0.1:2"]
            MAX_CONNECTIONS = 10
            HEADER_TIMEOUT = "5s"
            JOB_USER = "file-user"
            """)
        let fileOnly = try load(["HTTPEXEC_CONFIG_PATH": file])
        #expect(fileOnly.execRoot == "/from/file")
        #expect(fileOnly.loggingLevel == .info)
        #expect(fileOnly.bind == [.tcp(host: "127.0.0.1", port: 1), .tcp(host: "127.0.0.1", port: 2)])
        #expect(fileOnly.maxConnections == 10)
        #expect(fileOnly.headerTimeout == .seconds(5))
        #expect(fileOnly.jobUser == "file-user")
        #expect(fileOnly.source(of: .execRoot) == .file(path: file, line: 2))
        #expect(fileOnly.source(of: .jobUser) == .file(path: file, line: 7))
        #expect(fileOnly.source(of: .followLinks) == .defaultValue)
        #expect(fileOnly.configFile == file)

        let environment = [
            "HTTPEXEC_CONFIG_PATH": file,
            "HTTPEXEC_EXEC_ROOT": "/from/env",
            "HTTPEXEC_LOGGING_LEVEL": "DEBUG",
            "HTTPEXEC_BIND": "127.0.0.1:3",
            "HTTPEXEC_MAX_CONNECTIONS": "20",
        ]
        let withEnvironment = try load(environment)
        #expect(withEnvironment.execRoot == "/from/env")
        #expect(withEnvironment.loggingLevel == .debug)
        #expect(withEnvironment.bind == [.tcp(host: "127.0.0.1", port: 3)], "a list is replaced, not appended to")
        #expect(withEnvironment.maxConnections == 20)
        #expect(withEnvironment.headerTimeout == .seconds(5), "file values the environment does not set stay")
        #expect(withEnvironment.source(of: .execRoot) == .environment(name: "HTTPEXEC_EXEC_ROOT"))
        #expect(withEnvironment.source(of: .headerTimeout) == .file(path: file, line: 6))

        let flags = SettingsOverrides(execRoot: "/from/flag", loggingLevel: "error", bind: ["[::1]:4"], maxConnections: "30")
        let withFlags = try load(environment, flags)
        #expect(withFlags.execRoot == "/from/flag")
        #expect(withFlags.loggingLevel == .error)
        #expect(withFlags.bind == [.tcp(host: "::1", port: 4)])
        #expect(withFlags.maxConnections == 30)
        #expect(withFlags.source(of: .execRoot) == .flag(name: "--exec-root"))
        #expect(withFlags.source(of: .loggingLevel) == .flag(name: "--log-level"))
        #expect(withFlags.source(of: .maxConnections) == .flag(name: "--max-connections"))
    }

    @Test("A flag for FOLLOW_LINKS wins over the environment, in both directions", arguments: [true, false])
    func followLinksFlag(_ flag: Bool) throws {
        let s = try load(["HTTPEXEC_FOLLOW_LINKS": flag ? "0" : "1"], SettingsOverrides(followLinks: flag))
        #expect(s.followLinks == flag)
        #expect(s.source(of: .followLinks) == .flag(name: "--follow-links"))
    }

    @Test("Empty flag lists count as not given; non-empty ones replace the lower layers")
    func flagLists() throws {
        let environment = ["HTTPEXEC_BIND": "127.0.0.1:1", "HTTPEXEC_UNIX": "/run/a.sock"]
        let empty = try load(environment, SettingsOverrides(bind: [], unix: []))
        #expect(empty.bind == [.tcp(host: "127.0.0.1", port: 1)])
        #expect(empty.unix == ["/run/a.sock"])
        let replaced = try load(environment, SettingsOverrides(bind: ["localhost:2"], unix: ["b.sock"]))
        #expect(replaced.bind == [.tcp(host: "localhost", port: 2)])
        #expect(replaced.unix == ["/srv/work/b.sock"])
        #expect(replaced.listenAddresses == [.tcp(host: "localhost", port: 2), .unix(path: "/srv/work/b.sock")])
    }

    @Test("A bad value in a lower layer is reported even when a higher layer overrides it")
    func lowerLayersAreChecked() throws {
        let error = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_MAX_CONNECTIONS": "lots"], SettingsOverrides(maxConnections: "5"))
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.source == .environment(name: "HTTPEXEC_MAX_CONNECTIONS"))
    }

    @Test("An executable may spell a flag its own way")
    func renamedFlag() throws {
        var flags = SettingsOverrides(frontendUser: "web")
        flags.flagNames[.frontendUser] = "--user"
        let s = try load([:], flags)
        #expect(s.frontendUser == "web")
        #expect(s.source(of: .frontendUser) == .flag(name: "--user"))
        flags.frontendUser = "a b"
        #expect(settingsError { () throws(SettingsError) in try load([:], flags) }?.source == .flag(name: "--user"))
    }

    @Test("Flag values are checked and errors name the flag")
    func badFlag() {
        let error = settingsError { () throws(SettingsError) in try load([:], SettingsOverrides(maxContentLength: "16MB")) }
        #expect(error?.code == .invalidValue)
        #expect(error?.setting == "MAX_CONTENT_LENGTH")
        #expect(error?.source == .flag(name: "--max-content-length"))
        #expect(error?.description.contains("flag --max-content-length") == true)
    }
}
