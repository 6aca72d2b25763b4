/// httpexec 1.0.4 parsed each `HTTPEXEC_*` value as JSON when it parsed, so
/// `HTTPEXEC_EXEC_ROOT='"/srv/x"'` meant `/srv/x`. This decodes such a JSON string literal.
enum JSONStringLiteral {
    /// Whether `text` is meant as a JSON string: it starts and ends with a double quote.
    static func looksQuoted(_ text: String) -> Bool {
        text.utf8.count >= 2 && text.utf8.first == UInt8(ascii: "\"") && text.utf8.last == UInt8(ascii: "\"")
    }

    /// The string a JSON string literal denotes, or nil when `text` is not one (RFC 8259:
    /// escapes `\" \\ \/ \b \f \n \r \t \uXXXX` with surrogate pairs; no raw control characters).
    static func decode(_ text: String) -> String? {
        guard looksQuoted(text) else { return nil }
        var scalars = Array(text.unicodeScalars.dropFirst().dropLast())[...]
        var out = String.UnicodeScalarView()
        while let c = scalars.popFirst() {
            switch c {
            case "\"": return nil
            case "\\":
                guard let e = scalars.popFirst() else { return nil }
                switch e {
                case "\"", "\\", "/": out.append(e)
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "n": out.append("\n")
                case "r": out.append("\r")
                case "t": out.append("\t")
                case "u":
                    guard let unit = hex4(&scalars) else { return nil }
                    if (0xD800..<0xDC00).contains(unit) {
                        guard scalars.popFirst() == "\\", scalars.popFirst() == "u", let low = hex4(&scalars),
                              (0xDC00..<0xE000).contains(low) else { return nil }
                        out.append(Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!)
                    } else {
                        guard let scalar = Unicode.Scalar(unit) else { return nil }
                        out.append(scalar)
                    }
                default: return nil
                }
            default:
                guard c.value >= 0x20 else { return nil }
                out.append(c)
            }
        }
        return String(out)
    }

    private static func hex4(_ scalars: inout ArraySlice<Unicode.Scalar>) -> UInt32? {
        guard scalars.count >= 4, scalars.prefix(4).allSatisfy(\.properties.isASCIIHexDigit) else { return nil }
        let digits = String(String.UnicodeScalarView(scalars.prefix(4)))
        scalars.removeFirst(4)
        return UInt32(digits, radix: 16)
    }
}
