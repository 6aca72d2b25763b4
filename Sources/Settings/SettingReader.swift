/// Interprets one layer's value for one setting. Every failure names the setting, the source and
/// the expected form, so an operator can fix it without reading the code.
struct SettingReader {
    let key: SettingKey
    let input: SettingInput
    let source: SettingSource
    /// Absolute directory relative paths are resolved against.
    let currentDirectory: String

    /// The sun_path limit of `struct sockaddr_un` on Linux, less the terminating NUL.
    static let maxSocketPathBytes = 107

    func invalid(_ reason: String) -> SettingsError {
        SettingsError(.invalidValue, key, source: source, reason)
    }

    func wrongType(expected: String) -> SettingsError {
        invalid("must be \(expected), found \(input.typeName)")
    }

    // MARK: Text

    /// The value of a string setting: non-empty, no control characters.
    func string(expected: String = "a string") throws(SettingsError) -> String {
        switch input {
        case .text(let text), .string(let text): return try checkedText(text)
        default: throw wrongType(expected: expected)
        }
    }

    func checkedText(_ text: String, what: String = "the value") throws(SettingsError) -> String {
        guard !text.isEmpty else { throw invalid("\(what) is empty") }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw invalid("\(what) \(quoted(text)) contains a control character")
        }
        return text
    }

    /// The items of a list setting: a TOML array or string (one item), repeated flags, or
    /// comma-separated environment text (spaces around items are ignored).
    func list() throws(SettingsError) -> [String] {
        let items: [String]
        switch input {
        case .strings(let array): items = array
        case .string(let one): items = [one]
        case .text(let text):
            items = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { String($0).trimmingSpaces() }
            if items.contains(where: \.isEmpty) { throw invalid("\(quoted(text)) has an empty entry") }
        default: throw wrongType(expected: "a string or an array of strings")
        }
        var out: [String] = []
        for item in items { out.append(try checkedText(item, what: "entry")) }
        return out
    }

    // MARK: Paths

    /// An absolute, normalised path; relative values are resolved against the working directory.
    func path() throws(SettingsError) -> String {
        SettingsFileSystem.absolute(try string(expected: "a path string"), relativeTo: currentDirectory)
    }

    /// A Unix socket path, absolute and normalised, short enough for `sockaddr_un`.
    func socketPath() throws(SettingsError) -> String {
        try socketPath(try string(expected: "a path string"))
    }

    /// The ``list()`` of Unix socket paths, without duplicates.
    func socketPaths() throws(SettingsError) -> [String] {
        var out: [String] = []
        for item in try list() {
            let path = try socketPath(item)
            guard !out.contains(path) else { throw invalid("\(quoted(path)) is listed twice") }
            out.append(path)
        }
        return out
    }

    private func socketPath(_ text: String) throws(SettingsError) -> String {
        let path = SettingsFileSystem.absolute(text, relativeTo: currentDirectory)
        guard path.utf8.count <= Self.maxSocketPathBytes else {
            throw invalid("socket path \(quoted(path)) is \(path.utf8.count) bytes; the limit is \(Self.maxSocketPathBytes) (sun_path)")
        }
        guard path != "/" else { throw invalid("\(quoted(text)) is not a socket path") }
        return path
    }

    /// The ``list()`` of `HOST:PORT` addresses. The same address twice is an error (the second
    /// bind would fail at startup), except port 0, which asks for a fresh ephemeral port each time.
    func listenAddresses() throws(SettingsError) -> [ListenAddress] {
        var out: [ListenAddress] = []
        for item in try list() {
            let address: ListenAddress
            switch ListenAddress.parseTCP(item, for: key) {
            case .success(let parsed): address = parsed
            case .failure(let problem): throw invalid(problem.reason)
            }
            if case .tcp(_, let port) = address, port != 0, out.contains(address) {
                throw invalid("\(quoted(item)) is listed twice")
            }
            out.append(address)
        }
        return out
    }

    /// A user or group name, or a numeric id: no spaces, `:` or `/` (which no account name has).
    func accountName() throws(SettingsError) -> String {
        let name = try string(expected: "a name or a numeric id string")
        if name.contains(where: { $0 == ":" || $0 == "/" || $0.isWhitespace }) {
            throw invalid("\(quoted(name)) is not a user or group name")
        }
        return name
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
