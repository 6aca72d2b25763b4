/// RFC 4648 §4 base64, strict.
///
/// Encoding matches Python's `b64encode`. Decoding accepts exactly the canonical padded form: a
/// length that is a multiple of 4, only alphabet characters, and `=` only as the last one or two
/// characters. The original's `b64decode` silently dropped every other character (`"aGV*sbG8="`
/// decoded to `hello`, `"!!!!"` to nothing), so a typo became different input rather than an
/// error; we refuse instead. Non-zero bits in the last character's unused low bits are accepted,
/// as Python does (they are ignored).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding = UInt8(ascii: "=")

    /// Each byte's 6-bit value, or 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] as [UInt32] { out.append(alphabet[Int(group >> shift & 0x3F)]) }
            i += 3
        }
        switch bytes.count - i {
        case 1:
            let group = UInt32(bytes[i]) << 16
            out.append(contentsOf: [alphabet[Int(group >> 18 & 0x3F)], alphabet[Int(group >> 12 & 0x3F)], padding, padding])
        case 2:
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(contentsOf: [
                alphabet[Int(group >> 18 & 0x3F)], alphabet[Int(group >> 12 & 0x3F)], alphabet[Int(group >> 6 & 0x3F)], padding,
            ])
        default: break
        }
        return out
    }

    static func decode(_ text: [UInt8]) throws(StreamEncoding.DecodingError) -> [UInt8] {
        guard text.count % 4 == 0 else {
            throw StreamEncoding.DecodingError(message: "incorrect padding (the length must be a multiple of 4)")
        }
        var padCount = 0
        if text.last == padding { padCount += 1 }
        if text.count >= 2, text[text.count - 2] == padding { padCount += 1 }
        let dataCount = text.count - padCount
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var group: UInt32 = 0
        for i in 0..<dataCount {
            let value = values[Int(text[i])]
            guard value != 0xFF else {
                let what = text[i] == padding ? "padding before the end" : "invalid character"
                throw StreamEncoding.DecodingError(message: "\(what) at offset \(i)")
            }
            group = group << 6 | UInt32(value)
            if i % 4 == 3 {
                out.append(contentsOf: [UInt8(truncatingIfNeeded: group >> 16), UInt8(truncatingIfNeeded: group >> 8), UInt8(truncatingIfNeeded: group)])
                group = 0
            }
        }
        // The last group is 4 - padCount characters: 2 give one byte, 3 give two.
        switch padCount {
        case 1: out.append(contentsOf: [UInt8(truncatingIfNeeded: group >> 10), UInt8(truncatingIfNeeded: group >> 2)])
        case 2: out.append(UInt8(truncatingIfNeeded: group >> 4))
        default: break
        }
        return out
    }
}
