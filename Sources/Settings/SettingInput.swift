import TOMLKit

/// A value as one layer wrote it, before it is interpreted for its setting.
///
/// TOML values keep their type (`EXEC_ROOT = 123` is an integer, and wrong); environment
/// variables and flags are text, which each setting parses its own way (`HTTPEXEC_FOLLOW_LINKS=1`).
enum SettingInput: Equatable, Sendable {
    /// Environment or flag text, to be parsed for the setting (`"10s"`, `"1"`, `"a:1,b:2"`).
    case text(String)
    /// A TOML string.
    case string(String)
    /// A TOML integer.
    case integer(Int)
    /// A TOML float.
    case float(Double)
    /// A TOML boolean.
    case boolean(Bool)
    /// A TOML array of strings, or a repeated flag (`--bind A --bind B`).
    case strings([String])
    /// Any other TOML value, by its description (`a table`), which no setting accepts.
    case other(String)

    /// The TOML value `value`, classified.
    init(toml value: any TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .array:
            let elements = value.array.map { Array($0) } ?? []
            let strings = elements.compactMap(\.string)
            self = strings.count == elements.count ? .strings(strings) : .other("an array with non-string elements")
        case .table: self = .other("a table")
        case .date: self = .other("a date")
        case .time: self = .other("a time")
        case .dateTime: self = .other("a date-time")
        }
    }

    /// "a string", "an integer", … for messages.
    var typeName: String {
        switch self {
        case .text: "text"
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a floating-point number"
        case .boolean: "a boolean"
        case .strings: "an array of strings"
        case .other(let name): name
        }
    }
}
