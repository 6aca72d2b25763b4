import Settings
import Testing

@Suite("BIND and UNIX")
struct ListenAddressTests {
    @Test("BIND addresses", arguments: [
        ("127.0.0.1:8000", ListenAddress.tcp(host: "127.0.0.1", port: 8000)),
        ("0.0.0.0:0", .tcp(host: "0.0.0.0", port: 0)),
        ("[::1]:8000", .tcp(host: "::1", port: 8000)),
        ("[::]:65535", .tcp(host: "::", port: 65535)),
        ("[2001:db8::1]:80", .tcp(host: "2001:db8::1", port: 80)),
        ("localhost:8000", .tcp(host: "localhost", port: 8000)),
        ("api.example.com:443", .tcp(host: "api.example.com", port: 443)),
        ("my-host:1", .tcp(host: "my-host", port: 1)),
    ])
    func bind(_ text: String, _ expected: ListenAddress) throws {
        #expect(try load(["HTTPEXEC_BIND": text]).bind == [expected])
        #expect(try load([:], SettingsOverrides(bind: [text])).bind == [expected])
        #expect(try loadFile("BIND = \"\(text)\"").bind == [expected])
        #expect(expected.description == text)
    }

    @Test("Bad BIND addresses", arguments: [
        "127.0.0.1", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:http", "127.0.0.1:", ":8000",
        "::1:8000", "[::1]", "[127.0.0.1]:80", "[nope]:80", "256.0.0.1:80", "10.0.0:80", "-host:80",
        "host_name:80", "unix:/run/x.sock", "a b:80",
    ])
    func bindBad(_ text: String) {
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_BIND": text]) }
        #expect(error?.code == .invalidValue, "\(text)")
        #expect(error?.setting == "BIND")
        #expect(error?.source == .environment(name: "HTTPEXEC_BIND"))
    }

    @Test("BIND lists: comma-separated in the environment, arrays in TOML")
    func bindLists() throws {
        let expected: [ListenAddress] = [.tcp(host: "127.0.0.1", port: 8000), .tcp(host: "::1", port: 8000)]
        #expect(try load(["HTTPEXEC_BIND": "127.0.0.1:8000, [::1]:8000"]).bind == expected)
        #expect(try loadFile("BIND = [\"127.0.0.1:8000\", \"[::1]:8000\"]").bind == expected)
        #expect(try load(["HTTPEXEC_BIND": "127.0.0.1:0,127.0.0.1:0"]).bind.count == 2, "two ephemeral ports are fine")
        #expect(try loadFile("BIND = []").bind.isEmpty)
    }

    @Test("Bad BIND lists", arguments: ["127.0.0.1:1,,127.0.0.1:2", "127.0.0.1:1,", "127.0.0.1:1,127.0.0.1:1"])
    func bindListsBad(_ text: String) {
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_BIND": text]) }?.code == .invalidValue)
    }

    @Test("BIND in TOML must be a string or an array of strings", arguments: ["BIND = 8000", "BIND = [8000]", "BIND = [\"a:1\", 2]"])
    func bindFileBad(_ toml: String) throws {
        #expect(try fileError(toml, in: TemporaryDirectory())?.code == .invalidValue)
    }

    @Test("UNIX paths are absolutised")
    func unix() throws {
        let s = try load(["HTTPEXEC_UNIX": "/run/httpexec/http.sock,rel.sock"])
        #expect(s.unix == ["/run/httpexec/http.sock", "/srv/work/rel.sock"])
        #expect(s.listenAddresses == [.unix(path: "/run/httpexec/http.sock"), .unix(path: "/srv/work/rel.sock")])
        #expect(try loadFile("UNIX = [\"/a.sock\", \"/b.sock\"]").unix == ["/a.sock", "/b.sock"])
    }

    @Test("Socket paths longer than sun_path allows are refused")
    func unixTooLong() {
        let fits = "/" + String(repeating: "a", count: 106)
        let tooLong = "/" + String(repeating: "a", count: 107)
        #expect((try? load(["HTTPEXEC_UNIX": fits]))?.unix == [fits])
        let error = settingsError { () throws(SettingsError) in try load(["HTTPEXEC_UNIX": tooLong]) }
        #expect(error?.code == .invalidValue)
        #expect(error?.reason.contains("107") == true)
        // A short relative path can become too long once resolved.
        let deep = "/" + String(repeating: "d", count: 100)
        #expect(settingsError { () throws(SettingsError) in try load([:], SettingsOverrides(unix: ["socket.sock"]), in: deep) }?.code == .invalidValue)
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_LAUNCHER_SOCKET": tooLong]) }?.setting == "LAUNCHER_SOCKET")
    }

    @Test("The same UNIX path twice is refused")
    func unixDuplicate() {
        #expect(settingsError { () throws(SettingsError) in try load(["HTTPEXEC_UNIX": "/a.sock,/x/../a.sock"]) }?.code == .invalidValue)
    }
}
