/// Writes JSON exactly as the original's Quart `jsonify` does (Python's `json.dumps` with
/// `sort_keys=True, separators=(",", ":"), ensure_ascii=True`): compact, and every string escaped
/// to ASCII.
///
/// Escapes, byte for byte as CPython's `encode_basestring_ascii`: `\"`, `\\`, `\n`, `\r`, `\t`,
/// `\b`, `\f`; every other character outside `' '`…`'~'` (the rest of C0, DEL and all non-ASCII)
/// as `\u` + four lowercase hex digits, with a UTF-16 surrogate pair above the BMP. `/` is not
/// escaped. Callers write object keys in sorted order themselves.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) {
        bytes.reserveCapacity(capacity)
    }

    /// Punctuation and literals that need no escaping (`{`, `"key":`, `null`, …).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func integer(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    /// A quoted, escaped string.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            appendEscaped(scalar)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A quoted, escaped string of ASCII bytes (base64 or Ascii85 text; Ascii85's alphabet
    /// includes `"` and `\`, which are escaped like any other string's).
    mutating func asciiString(_ ascii: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in ascii {
            appendEscaped(Unicode.Scalar(byte))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0x22: append2(UInt8(ascii: "\""))
        case 0x5C: append2(UInt8(ascii: "\\"))
        case 0x0A: append2(UInt8(ascii: "n"))
        case 0x0D: append2(UInt8(ascii: "r"))
        case 0x09: append2(UInt8(ascii: "t"))
        case 0x08: append2(UInt8(ascii: "b"))
        case 0x0C: append2(UInt8(ascii: "f"))
        case 0x20...0x7E: bytes.append(UInt8(scalar.value))
        case 0x10000...:
            let value = scalar.value - 0x10000
            appendUnicodeEscape(0xD800 + (value >> 10))
            appendUnicodeEscape(0xDC00 + (value & 0x3FF))
        default: appendUnicodeEscape(scalar.value)
        }
    }

    private mutating func append2(_ letter: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(letter)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func appendUnicodeEscape(_ unit: UInt32) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(Self.hexDigits[Int((unit >> UInt32(shift)) & 0xF)])
        }
    }
}
