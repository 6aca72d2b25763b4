/// How text from anywhere — a client's path, an error's description — is written into a log line
/// so that one log call is always exactly one line.
///
/// Every C0 control, DEL, C1 control, U+2028 and U+2029 becomes a visible escape: `\n`, `\r`, `\t`,
/// `\xHH` for the other C0 controls and DEL, `\uHHHH` for the rest. A raw newline would let a
/// value forge a whole entry (a second line that looks like ours); ESC would drive the terminal of
/// whoever reads the log; U+2028/2029 break lines in some viewers. A backslash is doubled, so an
/// escape in the output always stands for a control character in the input.
public enum LogEscaping {
    /// Whether `scalar` is written as an escape.
    public static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }

    /// `text` with control characters and backslashes escaped (`quote` also escapes `"`), at most
    /// `limit` UTF-8 bytes long: a longer result is cut at a character boundary, never inside an
    /// escape, and ends with `…`.
    public static func escaped(_ text: String, quote: Bool = false, limit: Int = .max) -> String {
        let ellipsis = "…"
        let room = limit - ellipsis.utf8.count
        var out = ""
        out.reserveCapacity(min(text.utf8.count, limit))
        var size = 0
        var cut: String.Index?
        for scalar in text.unicodeScalars {
            let piece = escape(scalar, quote: quote)
            size += piece?.utf8.count ?? scalar.utf8.count
            if size > room, cut == nil { cut = out.endIndex }
            if size > limit { return String(out[..<cut!]) + ellipsis }
            if let piece { out += piece } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// The escape for `scalar`, or nil when it stands for itself.
    private static func escape(_ scalar: Unicode.Scalar, quote: Bool) -> String? {
        switch scalar {
        case "\\": return "\\\\"
        case "\"": return quote ? "\\\"" : nil
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            guard isEscaped(scalar) else { return nil }
            return scalar.value < 0x80 ? "\\x" + hex(scalar.value, digits: 2) : "\\u" + hex(scalar.value, digits: 4)
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
