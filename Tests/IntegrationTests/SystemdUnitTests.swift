import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// systemd's analysis tool; the suite is skipped where it is not installed.
private let systemdAnalyze = "/usr/bin/systemd-analyze"

/// The shipped systemd units (`systemd/`): their sandbox scores, that systemd loads them without
/// complaint, and that they agree with each other and with the shipped policy. See
/// docs/deployment.md, section "systemd".
@Suite(
    "systemd units",
    .enabled(if: access(systemdAnalyze, X_OK) == 0, "needs /usr/bin/systemd-analyze (Debian package systemd)"))
struct SystemdUnitTests {
    static let analyze = systemdAnalyze
    static let directory = repositoryRoot + "/systemd"
    static let units = ["httpexec.socket", "httpexec.service", "httpexec-launcher.socket", "httpexec-launcher.service"]

    /// The only complaints `verify` may make: the binaries are not installed on this machine.
    static let missingBinaryLines: Set<String> = [
        "httpexec.service: Command /usr/local/bin/httpexec-server is not executable: No such file or directory",
        "httpexec-launcher.service: Command /usr/local/bin/httpexec-launcher is not executable: No such file or directory",
    ]

    /// The number in `→ Overall exposure level for NAME: 0.2 SAFE 😀`.
    static func overallExposure(in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("Overall exposure level for") }),
              let colon = line.range(of: ": ", options: .backwards)
        else { return nil }
        return Double(line[colon.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    @Test(
        "the services' exposure stays within budget",
        arguments: [("httpexec.service", 1.0), ("httpexec-launcher.service", 2.0)])
    func exposure(unit: String, limit: Double) throws {
        let (status, output) = try runProgram(Self.analyze, ["security", "--offline=true", Self.directory + "/" + unit])
        #expect(status == 0, "\(output)")
        let exposure = try #require(Self.overallExposure(in: output), "no overall exposure in:\n\(output)")
        #expect(exposure <= limit, "\(unit): exposure \(exposure) > \(limit)\n\(output)")
    }

    @Test("verify reports nothing but the binaries missing from /usr/local/bin")
    func verify() throws {
        let (status, output) = try runProgram(Self.analyze, ["verify"] + Self.units.map { Self.directory + "/" + $0 })
        let lines = output.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let unexpected = lines.filter { !Self.missingBinaryLines.contains($0) }
        #expect(unexpected.isEmpty, "\(output)")
        #expect(status == 0 || !lines.isEmpty, "verify failed without saying why: \(output)")
    }

    @Test("verify is silent once the binaries exist (a scratch root with stand-ins)")
    func verifyWithBinaries() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("httpexec-units-\(getpid())").path
        defer { try? fm.removeItem(atPath: root) }
        let bin = root + "/usr/local/bin", units = root + "/etc/systemd/system"
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: units, withIntermediateDirectories: true)
        // The units pull in sysinit.target, sockets.target, …: bring the distribution's units along.
        try fm.createDirectory(atPath: root + "/usr/lib/systemd", withIntermediateDirectories: true)
        try fm.copyItem(atPath: "/usr/lib/systemd/system", toPath: root + "/usr/lib/systemd/system")
        for name in ["httpexec-server", "httpexec-launcher"] {
            #expect(fm.createFile(atPath: bin + "/" + name, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        }
        // ExecReload= of the launcher (SIGHUP reopens the audit file).
        try fm.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: root + "/bin/kill", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        for unit in Self.units { try fm.copyItem(atPath: Self.directory + "/" + unit, toPath: units + "/" + unit) }
        let (status, output) = try runProgram(Self.analyze, ["verify", "--root=" + root] + Self.units.map { units + "/" + $0 })
        #expect(status == 0, "\(output)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(output)")
    }

    /// `Key=value` lines of a unit file, in order (comments and section headers skipped).
    static func settings(_ unit: String) throws -> [(key: String, value: String)] {
        try String(contentsOfFile: directory + "/" + unit, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard let first = line.first, first != "#", first != "[", let eq = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<eq]), String(line[line.index(after: eq)...]))
        }
    }

    static func values(_ key: String, in unit: String) throws -> [String] {
        try settings(unit).filter { $0.key == key }.map(\.value)
    }

    @Test("front-end, launcher socket and shipped policy agree on socket, group and peers")
    func unitsMatchPolicy() throws {
        let policy = try String(contentsOfFile: repositoryRoot + "/policy/httpexec.toml", encoding: .utf8)
        let socketPath = try #require(try Self.values("ListenStream", in: "httpexec-launcher.socket").first)
        #expect(socketPath == "/run/httpexec/launcher.sock")
        #expect(policy.contains("path = \"\(socketPath)\""))
        #expect(try Self.values("ExecStart", in: "httpexec.service").first?.contains("--launcher-socket \(socketPath)") == true)
        // The socket's group is the front-end's primary group, which [peers] must name (SO_PEERCRED
        // carries the primary gid only).
        #expect(try Self.values("SocketGroup", in: "httpexec-launcher.socket") == ["httpexec"])
        #expect(try Self.values("SocketMode", in: "httpexec-launcher.socket") == ["0660"])
        #expect(try Self.values("User", in: "httpexec.service") == ["httpexec"])
        #expect(try Self.values("Group", in: "httpexec.service") == ["httpexec"])
        #expect(policy.contains("users = [\"httpexec\"]") && policy.contains("groups = [\"httpexec\"]"))
        #expect(policy.contains("group = \"httpexec\""))
        let sysusers = try String(contentsOfFile: Self.directory + "/httpexec.sysusers", encoding: .utf8)
        #expect(sysusers.contains("\nu httpexec ") && sysusers.contains("\nu httpexec-launcher "))
    }

    @Test("the front-end starts without the launcher: it wants the launcher's socket, never its service")
    func frontEndOrdering() throws {
        let requires = try Self.values("Requires", in: "httpexec.service").joined(separator: " ")
        #expect(!requires.contains("httpexec-launcher"))
        #expect(try Self.values("Wants", in: "httpexec.service").contains("httpexec-launcher.socket"))
        #expect(try Self.values("After", in: "httpexec.service").contains("httpexec-launcher.socket"))
        for unit in ["httpexec.socket", "httpexec-launcher.socket"] {
            #expect(try Self.values("Accept", in: unit) == ["no"], "\(unit)")
        }
        for unit in ["httpexec.service", "httpexec-launcher.service"] {
            #expect(try Self.values("Type", in: unit) == ["notify"], "\(unit)")
        }
    }

    @Test("directives that would break the binaries stay out")
    func noBreakingDirectives() throws {
        for unit in ["httpexec.service", "httpexec-launcher.service"] {
            // Both install seccomp filters (the front-end on itself, the launcher on every job);
            // @system-service does not contain seccomp(2).
            let allow = try #require(try Self.values("SystemCallFilter", in: unit).first)
            #expect(allow.split(separator: " ").contains("seccomp"), "\(unit): \(allow)")
        }
        // systemd's RestrictSUIDSGID= filter answers openat2(2) with ENOSYS; the launcher resolves
        // every command with openat2(RESOLVE_BENEATH), so every request would be 404.
        #expect(try Self.values("RestrictSUIDSGID", in: "httpexec-launcher.service").isEmpty)
        // Jobs run as other uids: a private user namespace would not map them.
        #expect(try Self.values("PrivateUsers", in: "httpexec-launcher.service").isEmpty)
        #expect(try Self.values("CapabilityBoundingSet", in: "httpexec-launcher.service") == ["CAP_SETUID CAP_SETGID CAP_KILL"])
    }
}
