import Settings
import Testing

@Suite("Startup validation and POLICY conflicts")
struct ValidationTests {
    @Test("serve needs EXEC_ROOT")
    func serveNeedsExecRoot() {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_BIND": "127.0.0.1:0"]).validatedForServe() }
        #expect(error?.code == .missingValue)
        #expect(error?.setting == "EXEC_ROOT")
        #expect(error?.reason.contains("--exec-root") == true)
    }

    @Test("serve needs EXEC_ROOT to be an existing directory")
    func serveExecRootExists() throws {
        let directory = try TemporaryDirectory()
        let root = try directory.makeDirectory("exec")
        let file = try directory.write("file", "x")
        let bind = SettingsOverrides(bind: ["127.0.0.1:0"])

        let good = try load(["HTTPEXEC_EXEC_ROOT": "exec"], bind, in: directory.path).validatedForServe()
        #expect(good.execRoot == root)

        let missing = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_EXEC_ROOT": "nope"], bind, in: directory.path).validatedForServe()
        }
        #expect(missing?.code == .pathNotFound)
        #expect(missing?.source == .environment(name: "HTTPEXEC_EXEC_ROOT"))
        #expect(missing?.reason.contains("does not exist") == true)

        let notDirectory = settingsError { () throws(SettingsError) in
            try load([:], SettingsOverrides(execRoot: file, bind: ["127.0.0.1:0"])).validatedForServe()
        }
        #expect(notDirectory?.code == .pathNotFound)
        #expect(notDirectory?.source == .flag(name: "--exec-root"))
    }

    @Test("serve needs somewhere to listen, unless sockets are inherited")
    func serveNeedsListener() throws {
        let directory = try TemporaryDirectory()
        let settings = try load(["HTTPEXEC_EXEC_ROOT": directory.path])
        #expect(settingsError { () throws(SettingsError) in try settings.validatedForServe() }?.code == .missingValue)
        #expect(settingsError { () throws(SettingsError) in try settings.validatedForServe(socketsInherited: true) } == nil)
    }

    @Test("The front-end needs BIND or UNIX unless sockets are inherited, and no EXEC_ROOT")
    func frontEnd() throws {
        let none = try load()
        let error = settingsError { () throws(SettingsError) in try none.validatedForFrontEnd(socketsInherited: false) }
        #expect(error?.code == .missingValue)
        #expect(error?.setting == "BIND")
        #expect(settingsError { () throws(SettingsError) in try none.validatedForFrontEnd(socketsInherited: true) } == nil)
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_UNIX": "/run/h.sock"]).validatedForFrontEnd(socketsInherited: false) } == nil)
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_BIND": "[::1]:0"]).validatedForFrontEnd(socketsInherited: false) } == nil)
    }

    @Test("With POLICY, serve needs the policy file, not EXEC_ROOT")
    func servePolicy() throws {
        let directory = try TemporaryDirectory()
        let policy = try directory.write("policy.toml", "exec_root = \"/srv\"\n")
        let s = try load(["HTTPEXEC_POLICY": policy, "HTTPEXEC_BIND": "127.0.0.1:0"]).validatedForServe()
        #expect(s.policy == policy && s.execRoot == nil)

        let missing = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_POLICY": directory.path + "/none.toml", "HTTPEXEC_BIND": "127.0.0.1:0"]).validatedForServe()
        }
        #expect(missing?.code == .pathNotFound)
        #expect(missing?.setting == "POLICY")

        let aDirectory = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_POLICY": directory.path, "HTTPEXEC_BIND": "127.0.0.1:0"]).validatedForServe()
        }
        #expect(aDirectory?.code == .pathNotFound)
    }

    @Test("POLICY with EXEC_ROOT, FOLLOW_LINKS or JOB_* from any layer is a conflict", arguments: [
        SettingKey.execRoot, .followLinks, .jobTimeout, .jobUser, .jobGroup,
    ])
    func policyConflict(_ key: SettingKey) throws {
        let value = switch key {
        case .followLinks: "false"
        case .jobTimeout: "10m"
        case .jobUser, .jobGroup: "nobody"
        default: "/srv"
        }
        let fromEnvironment = settingsError { () throws(SettingsError) in
            try load(["HTTPEXEC_POLICY": "/etc/httpexec/policy.toml", key.environmentName: value])
        }
        #expect(fromEnvironment?.code == .conflict)
        #expect(fromEnvironment?.setting == key.rawValue)
        #expect(fromEnvironment?.source == .environment(name: key.environmentName))
        #expect(fromEnvironment?.reason.contains("POLICY is set") == true)
        #expect(fromEnvironment?.reason.contains("\(key.rawValue) belongs in that policy file") == true)

        let toml = key == .followLinks ? "false" : "\"\(value)\""
        let fromFile = try fileError("\(key.rawValue) = \(toml)\n", in: TemporaryDirectory(),
                                     environment: ["HTTPEXEC_POLICY": "/etc/httpexec/policy.toml"])
        #expect(fromFile?.code == .conflict)
    }

    @Test("POLICY with front-end settings is fine")
    func policyWithoutConflict() throws {
        let s = try load(["HTTPEXEC_POLICY": "/p.toml", "HTTPEXEC_BIND": "127.0.0.1:1", "HTTPEXEC_FRONTEND_USER": "web", "HTTPEXEC_MAX_CONNECTIONS": "5"])
        #expect(s.policy == "/p.toml")
    }
}
