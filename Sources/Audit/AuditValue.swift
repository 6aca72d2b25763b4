/// A JSON value in an audit record. Records are written by hand, field by field, so their bytes
/// (and therefore their hashes) depend only on what was recorded and in which order.
public indirect enum AuditValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([AuditValue])
    case object(AuditObject)

    public static func uint(_ value: UInt64) -> AuditValue { .int(Int64(clamping: value)) }
    public static func strings(_ values: [String]) -> AuditValue { .array(values.map(AuditValue.string)) }

    /// Appends the value's JSON text.
    func write(to out: inout [UInt8]) {
        switch self {
        case .string(let text): AuditValue.writeString(text, to: &out)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: out.append(contentsOf: "null".utf8)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            object.write(to: &out)
        }
    }

    /// A JSON string. Control characters, DEL and the line separators U+2028/U+2029 are escaped,
    /// so a record is always one line of printable text whatever a client put in a path or an
    /// argument.
    static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: "\\\"".utf8)
            case "\\": out.append(contentsOf: "\\\\".utf8)
            case "\n": out.append(contentsOf: "\\n".utf8)
            case "\r": out.append(contentsOf: "\\r".utf8)
            case "\t": out.append(contentsOf: "\\t".utf8)
            case _ where scalar.value < 0x20 || scalar.value == 0x7f || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// An ordered JSON object.
public struct AuditObject: Sendable, Hashable {
    public private(set) var keys: [String] = []
    public private(set) var values: [AuditValue] = []

    public init() {}

    /// Creates an object from ordered pairs.
    public init(_ pairs: KeyValuePairs<String, AuditValue>) {
        for (key, value) in pairs { set(key, value) }
    }

    /// Appends a field (keys are ours and never repeated).
    public mutating func set(_ key: String, _ value: AuditValue) {
        keys.append(key)
        values.append(value)
    }

    /// The value of `key`, if set.
    public subscript(key: String) -> AuditValue? {
        keys.firstIndex(of: key).map { values[$0] }
    }

    func write(to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        writeFields(to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The fields without braces (`"a":1,"b":2`).
    func writeFields(to out: inout [UInt8]) {
        for (i, key) in keys.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            AuditValue.writeString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            values[i].write(to: &out)
        }
    }
}
