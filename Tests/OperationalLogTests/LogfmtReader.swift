import OperationalLog

/// A strict reader for the lines `LogLine` writes, to check them from the outside: every field
/// `key=value` separated by one space, bare values without space, `=`, `"` or `\`, quoted values
/// with only the escapes `LogEscaping` writes. Nil for anything else.
enum LogfmtReader {
    static func fields(_ line: Substring) -> [(key: String, value: String)]? {
        guard !line.unicodeScalars.contains(where: LogEscaping.isEscaped) else { return nil }
        var scalars = Array(line.unicodeScalars)[...]
        var fields: [(key: String, value: String)] = []
        while !scalars.isEmpty {
            var key = ""
            while let s = scalars.first, s != "=" {
                guard s != " ", s != "\"", s != "\\" else { return nil }
                key.unicodeScalars.append(s)
                scalars.removeFirst()
            }
            guard !key.isEmpty, scalars.popFirst() == "=" else { return nil }
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                var closed = false
                while let s = scalars.popFirst() {
                    if s == "\"" { closed = true; break }
                    if s == "\\" {
                        guard let decoded = unescape(&scalars) else { return nil }
                        value.unicodeScalars.append(decoded)
                    } else {
                        value.unicodeScalars.append(s)
                    }
                }
                guard closed else { return nil }
            } else {
                while let s = scalars.first, s != " " {
                    guard s != "\"", s != "=", s != "\\" else { return nil }
                    value.unicodeScalars.append(s)
                    scalars.removeFirst()
                }
                guard !value.isEmpty else { return nil }
            }
            fields.append((key, value))
            if scalars.isEmpty { break }
            guard scalars.popFirst() == " ", !scalars.isEmpty else { return nil }
        }
        return fields
    }

    /// The journal line's priority and its text with escapes undone (metadata included).
    static func journal(_ line: Substring) -> (priority: Int, text: String)? {
        guard !line.unicodeScalars.contains(where: LogEscaping.isEscaped), line.first == "<",
            let close = line.firstIndex(of: ">"), let priority = Int(line[line.index(after: line.startIndex)..<close])
        else { return nil }
        var scalars = Array(line[line.index(after: close)...].unicodeScalars)[...]
        var text = ""
        while let s = scalars.popFirst() {
            if s == "\\" {
                guard let decoded = unescape(&scalars) else { return nil }
                text.unicodeScalars.append(decoded)
            } else {
                text.unicodeScalars.append(s)
            }
        }
        return (priority, text)
    }

    /// The character an escape stands for (after its backslash).
    private static func unescape(_ scalars: inout ArraySlice<Unicode.Scalar>) -> Unicode.Scalar? {
        switch scalars.popFirst() {
        case "\\": return "\\"
        case "\"": return "\""
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "x": return hex(&scalars, digits: 2)
        case "u": return hex(&scalars, digits: 4)
        default: return nil
        }
    }

    private static func hex(_ scalars: inout ArraySlice<Unicode.Scalar>, digits: Int) -> Unicode.Scalar? {
        guard scalars.count >= digits else { return nil }
        let text = String(String.UnicodeScalarView(scalars.prefix(digits)))
        scalars.removeFirst(digits)
        return UInt32(text, radix: 16).flatMap(Unicode.Scalar.init)
    }
}
