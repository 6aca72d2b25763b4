import Host
import TOMLKit

/// The TOML file named by `HTTPEXEC_CONFIG_PATH`: root-level UPPERCASE keys only.
struct SettingsFile {
    /// Absolute path of the file.
    let path: String
    /// The file's settings in file order, each with the line it is written on.
    let entries: [(key: SettingKey, input: SettingInput, source: SettingSource)]

    /// Reads and parses the file at the absolute `path`; `origin` is where the path came from.
    /// - Throws: `.unreadableFile`, `.malformedFile` (with the line TOMLKit reports),
    ///   `.lowercaseKey`, `.unknownSetting`.
    init(readingAt path: String, origin: SettingSource) throws(SettingsError) {
        let setting = HTTPExecSettings.configPathVariable
        let bytes: [UInt8]
        switch SettingsFileSystem.contents(of: path) {
        case .success(let read): bytes = read
        case .failure(let problem):
            throw SettingsError(.unreadableFile, setting: setting, source: origin, "settings file \(quoted(path)) \(problem.reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SettingsError(.malformedFile, setting: setting, source: .file(path: path, line: nil), "the settings file is not valid UTF-8")
        }
        try self.init(parsing: text, path: path)
    }

    /// Parses `text` as if read from the absolute `path`.
    init(parsing text: String, path: String) throws(SettingsError) {
        self.path = path
        let setting = HTTPExecSettings.configPathVariable
        // TOMLKit hands the text to C++ as a C string: everything after a NUL would be ignored.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].count { $0 == UInt8(ascii: "\n") } + 1
            throw SettingsError(.malformedFile, setting: setting, source: .file(path: path, line: line), "the settings file contains a NUL byte")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SettingsError(.malformedFile, setting: setting, source: .file(path: path, line: error.source.begin.line),
                                "TOML syntax error: \(singleLine(error.description)) (column \(error.source.begin.column))")
        } catch {
            throw SettingsError(.malformedFile, setting: setting, source: .file(path: path, line: nil), "TOML syntax error: \(singleLine("\(error)"))")
        }

        let lines = Self.rootKeyLines(in: text)
        let ordered = table.keys.sorted { (lines[$0] ?? .max, $0) < (lines[$1] ?? .max, $1) }
        var entries: [(key: SettingKey, input: SettingInput, source: SettingSource)] = []
        for name in ordered {
            let source = SettingSource.file(path: path, line: lines[name])
            guard let value = table[name] else { continue }
            guard let key = SettingKey(rawValue: name) else {
                throw Self.unknownKey(name, value: value, source: source)
            }
            entries.append((key, SettingInput(toml: value), source))
        }
        self.entries = entries
    }

    /// The error for a root key that is not a setting: a lowercase spelling of one (1.0.4 dropped
    /// those silently, leaving e.g. EXEC_ROOT unset), a table (settings are root keys), or a typo.
    private static func unknownKey(_ name: String, value: any TOMLValueConvertible, source: SettingSource) -> SettingsError {
        if let key = SettingKey.matchingIgnoringCase(name) {
            return SettingsError(.lowercaseKey, setting: name, source: source,
                                 "keys are UPPERCASE: write \(key.rawValue), not \(displayText(name))")
        }
        let known = SettingKey.allCases.map(\.rawValue).joined(separator: ", ")
        if value.type == .table {
            return SettingsError(.unknownSetting, setting: name, source: source,
                                 "settings are keys at the root of the file, not in tables; known keys: \(known)")
        }
        return SettingsError(.unknownSetting, setting: name, source: source, "unknown key; known keys: \(known)")
    }
}
