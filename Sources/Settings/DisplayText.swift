/// Text from the operator's environment or files, made safe for a one-line message: control
/// characters (a newline could forge a second log line) and backslashes are escaped, and very
/// long values are cut.
func displayText(_ text: String, limit: Int = 200) -> String {
    var out = ""
    for (n, scalar) in text.unicodeScalars.enumerated() {
        if n == limit { out += "…"; break }
        switch scalar {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}" {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// `text` in double quotes, escaped as by ``displayText(_:limit:)`` (quotes too).
func quoted(_ text: String) -> String {
    "\"" + displayText(text).replacing("\"", with: "\\\"") + "\""
}

/// Collapses line breaks from messages we do not control (TOML parser errors) into spaces.
func singleLine(_ text: String) -> String {
    String(text.map { $0.isNewline ? " " : $0 })
}
