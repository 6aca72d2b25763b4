import Host
import TOMLKit

extension LauncherPolicy {
    static let topLevelKeys = [
        "exec_root", "follow_links", "working_directory", "seccomp",
        "run_as", "environment", "limits", "concurrency", "peers", "socket", "audit", "command",
    ]
    /// The profile used when the file does not name one, relative to the policy file.
    static let defaultSeccompProfile = "seccomp/default.json"

    /// Reads, parses and validates a policy file (TOML; see `docs/policy.md`).
    ///
    /// Relative paths in the file are resolved against the directory that contains it; the
    /// returned policy holds absolute, normalised paths only.
    ///
    /// - Parameter path: the policy file; relative to the working directory when not absolute.
    /// - Throws: `PolicyError` with `location` `FILE:LINE key.path`: `.unreadable` when the file
    ///   cannot be read (located at the path alone), `.malformed` for TOML syntax errors and
    ///   invalid UTF-8, `.unknownField` for keys the format does not define, and `.invalidField`
    ///   for wrong types, out-of-range values and paths that do not exist.
    public static func load(contentsOf path: String) throws(PolicyError) -> LauncherPolicy {
        let absolute = PolicyFileSystem.absolute(path, relativeTo: PolicyFileSystem.currentDirectory())
        let bytes = try PolicyFileSystem.contents(of: absolute)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            var line = 1
            for lineBytes in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                if String(validating: lineBytes, as: UTF8.self) == nil { break }
                line += 1
            }
            throw PolicyError(.malformed, at: "\(absolute):\(line)", "the policy file is not valid UTF-8")
        }
        return try parse(text, sourcePath: absolute)
    }

    /// Parses and validates policy text as if it had been read from `sourcePath`.
    ///
    /// The file itself is not read, but the paths in it are resolved against the directory of
    /// `sourcePath` and checked on disk (the exec root and seccomp profiles must exist).
    ///
    /// - Parameters:
    ///   - text: the TOML document.
    ///   - sourcePath: where it comes from, for relative paths and error locations.
    /// - Throws: `PolicyError` as ``load(contentsOf:)`` does (never `.unreadable`).
    public static func parse(_ text: String, sourcePath: String) throws(PolicyError) -> LauncherPolicy {
        let source = PolicyFileSystem.absolute(sourcePath, relativeTo: PolicyFileSystem.currentDirectory())
        let map = PolicySourceMap(scanning: text)
        let document = PolicyDocument(sourcePath: source, directory: PolicyFileSystem.directory(of: source), map: map)
        let top = PolicyTableReader(table: try parseTOML(text, document), path: [], document: document)
        if let nul = map.valuesWithNUL.first {
            throw document.error(.invalidField, at: nul.path, "contains an escaped NUL character (\\u0000), which no policy value may contain")
        }
        try top.rejectUnknownKeys(topLevelKeys)

        var policy = LauncherPolicy(sourcePath: source, execRoot: try top.execRoot())
        policy.followLinks = try top.bool("follow_links") ?? policy.followLinks
        if let directory = try top.string("working_directory") {
            guard directory.hasPrefix("/") else {
                throw top.error(.invalidField, "working_directory", "working_directory must be an absolute path, found \"\(directory)\"")
            }
            policy.workingDirectory = PolicyFileSystem.absolute(directory, relativeTo: "/")
        }
        switch try top.seccompSetting("seccomp") {
        case .unconfined?: policy.seccompProfile = nil
        case .profile(let path)?: policy.seccompProfile = path
        case nil: policy.seccompProfile = try top.existingProfile(defaultSeccompProfile, key: "seccomp", isDefault: true)
        }
        if let t = try top.table("run_as") { policy.runAs = try t.runAs(defaults: policy.runAs) }
        if let t = try top.table("environment") { policy.environment = try t.environmentPolicy(defaults: policy.environment) }
        if let t = try top.table("limits") { policy.limits = try t.limits(defaults: policy.limits) }
        if let t = try top.table("concurrency") { policy.concurrency = try t.concurrency(defaults: policy.concurrency) }
        if let t = try top.table("peers") { policy.peers = try t.peers(defaults: policy.peers) }
        if let t = try top.table("socket") { policy.socket = try t.socket(defaults: policy.socket) }
        if let t = try top.table("audit") { policy.audit = try t.audit(defaults: policy.audit) }
        policy.commands = try top.commandOverrides()
        return policy
    }

    /// Parses the TOML syntax, after refusing raw NUL bytes: TOMLKit hands the text to C++ as a C
    /// string, so everything after a NUL would be silently ignored.
    private static func parseTOML(_ text: String, _ document: PolicyDocument) throws(PolicyError) -> TOMLTable {
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].count { $0 == UInt8(ascii: "\n") } + 1
            throw PolicyError(.malformed, at: "\(document.sourcePath):\(line)", "the policy file contains a NUL byte")
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let line = error.source.begin.line
            let key = document.map.firstPath(onLine: line).map { " " + displayKeyPath($0) } ?? ""
            throw PolicyError(.malformed, at: "\(document.sourcePath):\(line)\(key)",
                              "TOML syntax error: \(error.description) (column \(error.source.begin.column))")
        } catch {
            throw PolicyError(.malformed, at: document.sourcePath, "TOML syntax error: \(error)")
        }
    }
}

/// A seccomp setting as written: a profile, or the explicit opt-out.
enum PolicySeccompSetting: Equatable {
    case unconfined
    /// Absolute path of an existing profile file.
    case profile(String)
}

extension PolicyTableReader {
    /// `exec_root`: required, an existing directory.
    func execRoot() throws(PolicyError) -> String {
        guard let text = try string("exec_root") else {
            throw error(.invalidField, "exec_root", "exec_root is required: the directory of programs jobs may run")
        }
        guard !text.isEmpty else { throw error(.invalidField, "exec_root", "exec_root must not be empty") }
        let path = PolicyFileSystem.absolute(text, relativeTo: document.directory)
        switch PolicyFileSystem.kind(of: path) {
        case .directory: return path
        case .missing: throw error(.invalidField, "exec_root", "exec_root \(path) does not exist")
        case .inaccessible(let reason): throw error(.invalidField, "exec_root", "exec_root \(path) cannot be checked: \(reason)")
        case .regularFile, .other: throw error(.invalidField, "exec_root", "exec_root \(path) is not a directory")
        }
    }

    /// A `seccomp` key: a profile path (relative to the policy file) or `"unconfined"`.
    func seccompSetting(_ key: String) throws(PolicyError) -> PolicySeccompSetting? {
        guard let text = try string(key) else { return nil }
        if text == "unconfined" { return .unconfined }
        guard !text.isEmpty else {
            throw error(.invalidField, key, "\(key) must be a profile path or \"unconfined\", found \"\"")
        }
        return .profile(try existingProfile(text, key: key, isDefault: false))
    }

    /// The absolute path of a seccomp profile that must exist as a regular file. Its contents are
    /// checked when the launcher compiles it.
    func existingProfile(_ text: String, key: String, isDefault: Bool) throws(PolicyError) -> String {
        let path = PolicyFileSystem.absolute(text, relativeTo: document.directory)
        let hint = isDefault ? " (the default when seccomp is not set; write seccomp = \"unconfined\" to run jobs without a filter)" : ""
        switch PolicyFileSystem.kind(of: path) {
        case .regularFile: return path
        case .missing: throw error(.invalidField, key, "seccomp profile \(path) does not exist\(hint)")
        case .inaccessible(let reason): throw error(.invalidField, key, "seccomp profile \(path) cannot be checked: \(reason)\(hint)")
        case .directory, .other: throw error(.invalidField, key, "seccomp profile \(path) is not a regular file\(hint)")
        }
    }
}
