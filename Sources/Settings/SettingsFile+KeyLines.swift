/// Where each root-level key of the settings file is written.
///
/// TOMLKit reports lines only for syntax errors, so this reads the text itself, once it is known
/// to be valid TOML. It follows strings, comments and brackets just enough not to mistake the
/// inside of a multi-line string or array for a key, and stops at the first `[table]` header:
/// after it no key is at the root.
extension SettingsFile {
    /// The line of each root key (for a dotted key `A.B`, of `A`), first occurrence wins.
    static func rootKeyLines(in text: String) -> [String: Int] {
        let bytes = Array(text.utf8)
        var lines: [String: Int] = [:]
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var depth = 0
        var atLineStart = true

        func at(_ literal: String) -> Bool { bytes[i...].starts(with: literal.utf8) }

        /// Skips a string that starts at `i`, counting the newlines inside it.
        func skipString() {
            let quote = bytes[i]
            let multiLine = at(quote == UInt8(ascii: "\"") ? "\"\"\"" : "'''")
            let escapes = quote == UInt8(ascii: "\"")
            i += multiLine ? 3 : 1
            while i < bytes.count {
                let c = bytes[i]
                if escapes && c == UInt8(ascii: "\\") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n") { line += 1 }
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\n") {
                    if !multiLine { return }
                    line += 1
                }
                if c == quote && (!multiLine || at(quote == UInt8(ascii: "\"") ? "\"\"\"" : "'''")) {
                    i += multiLine ? 3 : 1
                    // A multi-line string may end with up to two extra quotes (`""""`).
                    while multiLine && i < bytes.count && bytes[i] == quote { i += 1 }
                    return
                }
                i += 1
            }
        }

        while i < bytes.count {
            let c = bytes[i]
            if atLineStart && depth == 0 && c != UInt8(ascii: " ") && c != UInt8(ascii: "\t") {
                atLineStart = false
                if c == UInt8(ascii: "[") { return lines }
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    let start = i + 1
                    skipString()
                    let end = max(start, i - 1)
                    let key = String(decoding: bytes[start..<end], as: UTF8.self)
                    if lines[key] == nil { lines[key] = line }
                    continue
                }
                if isBareKeyByte(c) {
                    let start = i
                    while i < bytes.count && isBareKeyByte(bytes[i]) { i += 1 }
                    let key = String(decoding: bytes[start..<i], as: UTF8.self)
                    if lines[key] == nil { lines[key] = line }
                    continue
                }
            }
            switch c {
            case UInt8(ascii: "\n"): line += 1; atLineStart = true; i += 1
            case UInt8(ascii: "#"): while i < bytes.count && bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "\""), UInt8(ascii: "'"): skipString()
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; i += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1); i += 1
            default: i += 1
            }
        }
        return lines
    }

    /// ASCII letters, digits, `_` and `-`: the characters of a bare TOML key.
    private static func isBareKeyByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }
}
