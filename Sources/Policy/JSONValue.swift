import Foundation

/// A loosely typed JSON tree, so that profile and policy decoding can report *which* field is
/// wrong (JSONDecoder's errors name coding paths, not rules) and reject unknown keys.
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case unsigned(UInt64)
    case signed(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let u = try? c.decode(UInt64.self) { self = .unsigned(u); return }
        if let i = try? c.decode(Int64.self) { self = .signed(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    /// Parses bytes into a tree; any syntax error becomes `PolicyError.malformed`.
    static func parse(_ bytes: [UInt8], what: String) throws(PolicyError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw PolicyError(.malformed, "\(what) is not valid JSON")
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .unsigned, .signed, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Typed access to one JSON object with error messages that carry its location.
struct JSONObjectReader {
    let fields: [String: JSONValue]
    let location: String

    init(fields: [String: JSONValue], location: String) {
        self.fields = fields
        self.location = location
    }

    init(_ value: JSONValue, at location: String) throws(PolicyError) {
        guard case .object(let fields) = value else {
            throw PolicyError(.invalidField, at: location, "must be an object, found \(value.typeName)")
        }
        self.fields = fields
        self.location = location
    }

    /// Fails on any key outside `known`, naming it.
    func rejectUnknownKeys(_ known: Set<String>) throws(PolicyError) {
        for key in fields.keys.sorted() where !known.contains(key) {
            throw PolicyError(.unknownField, at: location, "unknown key \"\(key)\"")
        }
    }

    func string(_ key: String) throws(PolicyError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw PolicyError(.invalidField, at: location, "\"\(key)\" must be a string, found \(other.typeName)")
        }
    }

    func unsigned(_ key: String, max: UInt64 = .max) throws(PolicyError) -> UInt64? {
        switch fields[key] {
        case nil, .null?: return nil
        case .unsigned(let u)? where u <= max: return u
        case .unsigned?, .signed?:
            throw PolicyError(.invalidField, at: location, "\"\(key)\" must be between 0 and \(max)")
        case let other?: throw PolicyError(.invalidField, at: location, "\"\(key)\" must be a whole number, found \(other.typeName)")
        }
    }

    func array(_ key: String) throws(PolicyError) -> [JSONValue]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .array(let a)?: return a
        case let other?: throw PolicyError(.invalidField, at: location, "\"\(key)\" must be an array, found \(other.typeName)")
        }
    }

    func strings(_ key: String) throws(PolicyError) -> [String]? {
        guard let items = try array(key) else { return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else {
                throw PolicyError(.invalidField, at: location, "\"\(key)\" must contain only strings")
            }
            out.append(s)
        }
        return out
    }
}
