/// One step of a key path in a policy file: a table key, or an index into an array (including an
/// array of tables such as `[[command]]`).
enum PolicyKeySegment: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// Renders a key path the way an operator reads it: `limits.timeout`, `command[1].path`,
/// `environment.base."MY.VAR"`.
func displayKeyPath(_ path: [PolicyKeySegment]) -> String {
    var out = ""
    for segment in path {
        switch segment {
        case .index(let i):
            out += "[\(i)]"
        case .key(let k):
            if !out.isEmpty { out += "." }
            out += isBareTOMLKey(k) ? k : tomlQuoted(k)
        }
    }
    return out
}

/// True when `key` can be written without quotes in TOML (ASCII letters, digits, `_`, `-`).
func isBareTOMLKey(_ key: String) -> Bool {
    !key.isEmpty && key.utf8.allSatisfy(isBareKeyByte)
}

private func isBareKeyByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
}

/// Where each key of a TOML document is written, and in which order.
///
/// TOMLKit (toml++ underneath) reports lines only for syntax errors, and hands tables back sorted by
/// key, so this map is built from the text itself by a small, tolerant scanner that follows
/// `[table]` and `[[array]]` headers, dotted keys, inline tables and (multi-line) arrays and
/// strings. It never fails: on text it does not understand it records less, and lookups fall back
/// to the nearest enclosing key that it did record.
///
/// It also finds string values that contain an escaped NUL (`\u0000`): TOMLKit converts strings
/// through C strings, so it would silently cut such a value short (`"echo\u0000x"` → `"echo"`).
struct PolicySourceMap: Sendable {
    private var lines: [[PolicyKeySegment]: Int] = [:]
    private var ordinals: [[PolicyKeySegment]: Int] = [:]
    /// The key (or table header) each line starts with, including keys written twice.
    private var statements: [Int: [PolicyKeySegment]] = [:]
    /// String values (by key path and line) that contain an escaped NUL character.
    private(set) var valuesWithNUL: [(path: [PolicyKeySegment], line: Int)] = []

    /// Scans `text`.
    init(scanning text: String) {
        var scanner = PolicySourceScanner(bytes: Array(text.utf8))
        scanner.run()
        self = scanner.map
    }

    fileprivate init() {}

    /// The line where `path` (or, failing that, its nearest recorded ancestor) is written; 1 when
    /// nothing enclosing it was found (the top-level table starts on line 1).
    func line(of path: [PolicyKeySegment]) -> Int {
        var probe = path
        while !probe.isEmpty {
            if let line = lines[probe] { return line }
            probe.removeLast()
        }
        return 1
    }

    /// True when the scanner saw `path` written in the file.
    func contains(_ path: [PolicyKeySegment]) -> Bool { lines[path] != nil }

    /// The position of `path` in file order (unknown paths sort last).
    func ordinal(of path: [PolicyKeySegment]) -> Int { ordinals[path] ?? .max }

    /// The key path that `line` defines (`key = …` or a header), if any.
    func firstPath(onLine line: Int) -> [PolicyKeySegment]? { statements[line] }

    fileprivate mutating func record(_ path: [PolicyKeySegment], line: Int) {
        guard lines[path] == nil else { return }
        lines[path] = line
        ordinals[path] = ordinals.count
    }

    fileprivate mutating func recordStatement(_ path: [PolicyKeySegment], line: Int) {
        if statements[line] == nil { statements[line] = path }
    }

    fileprivate mutating func recordNUL(_ path: [PolicyKeySegment], line: Int) {
        valuesWithNUL.append((path, line))
    }
}

/// The scanner behind ``PolicySourceMap``. Works on UTF-8 bytes; every loop consumes at least one
/// byte per iteration, so malformed input cannot make it spin.
private struct PolicySourceScanner {
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var map = PolicySourceMap()
    /// Path of the table the following `key = value` lines belong to.
    var table: [PolicyKeySegment] = []
    /// Elements seen so far of each array of tables, keyed by its resolved path.
    var arrayOfTablesCounts: [[PolicyKeySegment]: Int] = [:]

    init(bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    private var current: UInt8? { i < bytes.count ? bytes[i] : nil }
    private func peek(_ offset: Int) -> UInt8? { i + offset < bytes.count ? bytes[i + offset] : nil }
    private func at(_ literal: String) -> Bool { bytes[i...].starts(with: literal.utf8) }

    mutating func run() {
        while let c = current {
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): i += 1
            case UInt8(ascii: "\n"): line += 1; i += 1
            case UInt8(ascii: "#"): skipComment()
            case UInt8(ascii: "["): header(); finishLine()
            default:
                let before = i
                keyValue(in: table)
                finishLine()
                if i == before { i += 1 }
            }
        }
    }

    // MARK: Lines and headers

    private mutating func skipBlanks() {
        while let c = current, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { i += 1 }
    }

    /// Skips blanks, newlines and comments (inside arrays and inline tables).
    private mutating func skipSpace() {
        while let c = current {
            if c == UInt8(ascii: "\n") { line += 1; i += 1 }
            else if c == UInt8(ascii: "#") { skipComment() }
            else if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") { i += 1 }
            else { return }
        }
    }

    private mutating func skipComment() {
        while let c = current, c != UInt8(ascii: "\n") { i += 1 }
    }

    /// Skips what is left of a line (a comment, or text a valid file would not have).
    private mutating func finishLine() {
        while let c = current, c != UInt8(ascii: "\n") { i += 1 }
    }

    private mutating func header() {
        let headerLine = line
        let isArray = peek(1) == UInt8(ascii: "[")
        i += isArray ? 2 : 1
        let keys = dottedKey()
        guard !keys.isEmpty else { return }
        var path: [PolicyKeySegment] = []
        for (n, key) in keys.enumerated() {
            path.append(.key(key))
            if isArray && n == keys.count - 1 {
                map.record(path, line: headerLine)
                let index = arrayOfTablesCounts[path, default: 0]
                arrayOfTablesCounts[path] = index + 1
                path.append(.index(index))
            } else if let count = arrayOfTablesCounts[path] {
                // `[command.extra]` after `[[command]]` belongs to the latest element.
                path.append(.index(count - 1))
            }
            map.record(path, line: headerLine)
        }
        map.recordStatement(path, line: headerLine)
        table = path
    }

    // MARK: Keys and values

    /// Reads `a."b c".d`; returns [] when there is no key here.
    private mutating func dottedKey() -> [String] {
        var keys: [String] = []
        while true {
            skipBlanks()
            guard let c = current else { return keys }
            var key: [UInt8] = []
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                i += 1
                key = quotedKey(basic: c == UInt8(ascii: "\""))
            } else {
                while let b = current, isBareKeyByte(b) { key.append(b); i += 1 }
                if key.isEmpty { return keys }
            }
            keys.append(String(decoding: key, as: UTF8.self))
            skipBlanks()
            guard current == UInt8(ascii: ".") else { return keys }
            i += 1
        }
    }

    /// The decoded bytes of a single-line quoted key; the opening quote is already consumed.
    private mutating func quotedKey(basic: Bool) -> [UInt8] {
        let quote = basic ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        var out: [UInt8] = []
        while let c = current, c != UInt8(ascii: "\n") {
            i += 1
            if c == quote { return out }
            if basic && c == UInt8(ascii: "\\") { out += escape() } else { out.append(c) }
        }
        return out
    }

    /// Decodes the escape after a consumed backslash.
    private mutating func escape() -> [UInt8] {
        guard let c = current else { return [] }
        i += 1
        switch c {
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "e"): return [0x1B]
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let width = c == UInt8(ascii: "u") ? 4 : 8
            let end = min(i + width, bytes.count)
            let hex = String(decoding: bytes[i..<end], as: UTF8.self)
            i = end
            guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else { return [] }
            return Array(String(Character(scalar)).utf8)
        default: return [c]
        }
    }

    private mutating func keyValue(in base: [PolicyKeySegment]) {
        let keyLine = line
        let keys = dottedKey()
        guard !keys.isEmpty else { return }
        skipBlanks()
        guard current == UInt8(ascii: "=") else { return }
        i += 1
        skipBlanks()
        var path = base
        for key in keys {
            path.append(.key(key))
            map.record(path, line: keyLine)
        }
        map.recordStatement(path, line: keyLine)
        value(at: path)
    }

    private mutating func value(at path: [PolicyKeySegment]) {
        switch current {
        case UInt8(ascii: "\"")?, UInt8(ascii: "'")?: string(at: path)
        case UInt8(ascii: "[")?: array(at: path)
        case UInt8(ascii: "{")?: inlineTable(at: path)
        default:
            // Numbers, booleans, dates (which may contain a space): up to a delimiter.
            while let c = current, !",]}#\n\r".utf8.contains(c) { i += 1 }
        }
    }

    private mutating func array(at path: [PolicyKeySegment]) {
        i += 1
        var index = 0
        while true {
            skipSpace()
            guard let c = current else { return }
            if c == UInt8(ascii: "]") { i += 1; return }
            if c == UInt8(ascii: ",") { i += 1; continue }
            let before = i
            let element = path + [.index(index)]
            map.record(element, line: line)
            value(at: element)
            index += 1
            if i == before { i += 1 }
        }
    }

    private mutating func inlineTable(at path: [PolicyKeySegment]) {
        i += 1
        while true {
            skipSpace()
            guard let c = current else { return }
            if c == UInt8(ascii: "}") { i += 1; return }
            if c == UInt8(ascii: ",") { i += 1; continue }
            let before = i
            keyValue(in: path)
            if i == before { i += 1 }
        }
    }

    /// Skips a string of any of the four kinds, noting an escaped NUL in it.
    private mutating func string(at path: [PolicyKeySegment]) {
        let startLine = line
        let basic = current == UInt8(ascii: "\"")
        let quote = basic ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        let multiLine = peek(1) == quote && peek(2) == quote
        i += multiLine ? 3 : 1
        var hasNUL = false
        while let c = current {
            if c == UInt8(ascii: "\n") {
                if !multiLine { break }
                line += 1
                i += 1
            } else if basic && c == UInt8(ascii: "\\") {
                i += 1
                if current == UInt8(ascii: "\n") { continue }
                if escape() == [0] { hasNUL = true }
            } else if c == quote {
                if !multiLine { i += 1; break }
                if peek(1) == quote && peek(2) == quote {
                    i += 3
                    // Up to two more quotes belong to the content (`""""x"""""` is legal).
                    var extra = 0
                    while current == quote && extra < 2 { i += 1; extra += 1 }
                    break
                }
                i += 1
            } else {
                i += 1
            }
        }
        if hasNUL { map.recordNUL(path, line: startLine) }
    }
}
