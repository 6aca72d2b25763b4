import TOMLKit

/// A policy file being decoded: its absolute path, its directory (for relative paths in it) and
/// where its keys are written.
struct PolicyDocument {
    /// Absolute, normalised path of the file.
    let sourcePath: String
    /// Directory relative paths in the file are resolved against.
    let directory: String
    let map: PolicySourceMap

    /// `FILE:LINE key.path`, the location every policy error carries.
    func location(_ path: [PolicyKeySegment]) -> String {
        let line = map.line(of: path)
        return path.isEmpty ? "\(sourcePath):\(line)" : "\(sourcePath):\(line) \(displayKeyPath(path))"
    }

    /// An error located at `path`.
    func error(_ code: PolicyError.Code, at path: [PolicyKeySegment], _ message: String) -> PolicyError {
        PolicyError(code, at: location(path), message)
    }
}

/// Typed access to one table of a policy file. Every error names the key, its line and the type
/// or range that was expected, so the operator can fix the file without guessing.
struct PolicyTableReader {
    let table: TOMLTable
    /// Key path of this table (`[]` for the top level).
    let path: [PolicyKeySegment]
    let document: PolicyDocument

    /// The path of `key` in this table.
    func path(_ key: String) -> [PolicyKeySegment] { path + [.key(key)] }

    /// An error located at `key` of this table (or at the table itself).
    func error(_ code: PolicyError.Code, _ key: String?, _ message: String) -> PolicyError {
        document.error(code, at: key.map { path($0) } ?? path, message)
    }

    /// Fails on the first key (in file order) outside `known`, naming it: a misspelt key would
    /// otherwise leave a setting at its default without anyone noticing.
    func rejectUnknownKeys(_ known: [String]) throws(PolicyError) {
        let unknown = table.keys.filter { !known.contains($0) }
        guard let first = unknown.min(by: { document.map.ordinal(of: path($0)) < document.map.ordinal(of: path($1)) }) else {
            return
        }
        let within = path.isEmpty ? "at the top level" : "in [\(displayKeyPath(path))]"
        throw error(.unknownField, first, "unknown key \"\(first)\" \(within); known keys: \(known.joined(separator: ", "))")
    }

    /// The raw value of `key`, if present.
    func value(_ key: String) -> (any TOMLValueConvertible)? { table[key] }

    func string(_ key: String) throws(PolicyError) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.string else { throw wrongType(key, v, expected: "a string") }
        return s
    }

    func bool(_ key: String) throws(PolicyError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw wrongType(key, v, expected: "a boolean (true or false)") }
        return b
    }

    func integer(_ key: String) throws(PolicyError) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = v.int else { throw wrongType(key, v, expected: "an integer") }
        return n
    }

    /// A sub-table (`[limits]`, or an inline table such as `base = { … }`).
    func table(_ key: String) throws(PolicyError) -> PolicyTableReader? {
        guard let v = value(key) else { return nil }
        guard let t = v.table else { throw wrongType(key, v, expected: "a table") }
        return PolicyTableReader(table: t, path: path(key), document: document)
    }

    /// An array of tables (`[[command]]`).
    func tables(_ key: String) throws(PolicyError) -> [PolicyTableReader]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array else { throw wrongType(key, v, expected: "an array of tables ([[\(key)]])") }
        var out: [PolicyTableReader] = []
        for (n, element) in array.enumerated() {
            let elementPath = path(key) + [.index(n)]
            guard let t = element.table else {
                throw document.error(.invalidField, at: elementPath, "must be a table ([[\(key)]]), found \(typeName(element))")
            }
            out.append(PolicyTableReader(table: t, path: elementPath, document: document))
        }
        return out
    }

    /// The raw elements of an array, each with its own path (`deny[3]`), for element-wise checks.
    func elements(_ key: String, expected: String) throws(PolicyError) -> [(value: any TOMLValueConvertible, path: [PolicyKeySegment])]? {
        guard let v = value(key) else { return nil }
        guard let array = v.array else { throw wrongType(key, v, expected: expected) }
        var out: [(value: any TOMLValueConvertible, path: [PolicyKeySegment])] = []
        for (n, element) in array.enumerated() {
            out.append((element, path(key) + [.index(n)]))
        }
        return out
    }

    /// An array of strings, each checked by `validate` (which returns a problem or nil).
    func strings(_ key: String, _ validate: (String) -> String? = { _ in nil }) throws(PolicyError) -> [String]? {
        guard let items = try elements(key, expected: "an array of strings") else { return nil }
        var out: [String] = []
        for item in items {
            guard let s = item.value.string else {
                throw document.error(.invalidField, at: item.path, "must be a string, found \(typeName(item.value))")
            }
            if let problem = validate(s) { throw document.error(.invalidField, at: item.path, problem) }
            out.append(s)
        }
        return out
    }

    /// The standard wrong-type error: names the key, the expected type and what was found.
    func wrongType(_ key: String, _ found: any TOMLValueConvertible, expected: String) -> PolicyError {
        error(.invalidField, key, "\(key) must be \(expected), found \(typeName(found))")
    }
}

/// "a string", "an integer", … for messages.
func typeName(_ value: any TOMLValueConvertible) -> String {
    switch value.type {
    case .string: "a string"
    case .int: "an integer"
    case .double: "a floating-point number"
    case .bool: "a boolean"
    case .array: "an array"
    case .table: "a table"
    case .date: "a date"
    case .time: "a time"
    case .dateTime: "a date-time"
    }
}
