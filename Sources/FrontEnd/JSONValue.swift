/// A parsed JSON document, as strict RFC 8259 allows it (see `JSONParser`).
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number as `Double` (like Python's `float`; integers beyond 2^53 lose precision, which
    /// no field of the API cares about). Can be infinite for literals such as `1e400`.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type's name, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object with Python `dict` semantics: for a duplicated key the **last** value wins and
/// keeps the position of the key's first appearance (so `environment` order is deterministic).
struct JSONObject: Sendable, Hashable {
    private(set) var keys: [String] = []
    private var values: [String: JSONValue] = [:]

    subscript(key: String) -> JSONValue? { values[key] }

    mutating func set(_ key: String, _ value: JSONValue) {
        if values.updateValue(value, forKey: key) == nil {
            keys.append(key)
        }
    }

    /// Members in first-appearance order with their final values.
    var members: [(key: String, value: JSONValue)] {
        keys.map { ($0, values[$0]!) }
    }
}
