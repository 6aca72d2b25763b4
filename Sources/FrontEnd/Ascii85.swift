/// Ascii85 exactly as CPython's `base64.a85encode` / `a85decode` with default arguments
/// (`foldspaces=False`, `wrapcol=0`, `pad=False`, `adobe=False`), which the original used.
///
/// - Encoding: each 4-byte big-endian group becomes 5 digits `!`…`u` (value + 33), most
///   significant first; an all-zero group becomes `z`; a final group of n < 4 bytes is
///   zero-padded, encoded (as 5 digits, never `z`) and cut to n + 1 digits. So `hello` is
///   `BOu!rDZ`, 8 zero bytes + `abc` is `zz@:E^`.
/// - Decoding: digits `!`…`u` in groups of 5; `z` stands for 4 zero bytes between groups; space,
///   tab, LF, CR and VT are ignored; a final partial group is padded with `u` and cut like
///   Python does (a single leftover digit therefore yields nothing). Refused, as Python refuses
///   them: any other character (so `<~ ~>` framing, since `~` is out of range, and all non-ASCII),
///   `z` inside a group, and a group whose value exceeds 2^32 - 1.
enum Ascii85 {
    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 3) / 4 * 5)
        var i = 0
        while i < bytes.count {
            let n = min(4, bytes.count - i)
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 8 | UInt32(k < n ? bytes[i + k] : 0) }
            if word == 0 && n == 4 {
                out.append(UInt8(ascii: "z"))
            } else {
                var digits = [UInt8](repeating: 0, count: 5)
                var rest = word
                for k in stride(from: 4, through: 0, by: -1) {
                    digits[k] = UInt8(rest % 85) + 33
                    rest /= 85
                }
                out.append(contentsOf: digits[0...n])
            }
            i += n
        }
        return out
    }

    static func decode(_ text: [UInt8]) throws(StreamEncoding.DecodingError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 5 * 4 + 4)
        var group: [UInt8] = []
        group.reserveCapacity(5)
        for (offset, byte) in text.enumerated() {
            switch byte {
            case UInt8(ascii: "!")...UInt8(ascii: "u"):
                group.append(byte)
                if group.count == 5 {
                    try appendGroup(group, to: &out, offset: offset)
                    group.removeAll(keepingCapacity: true)
                }
            case UInt8(ascii: "z"):
                guard group.isEmpty else {
                    throw StreamEncoding.DecodingError(message: "'z' inside a group at offset \(offset)")
                }
                out.append(contentsOf: [0, 0, 0, 0])
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B:
                continue
            default:
                throw StreamEncoding.DecodingError(message: "invalid character at offset \(offset)")
            }
        }
        if !group.isEmpty {
            // Python appends "uuuu" and drops as many bytes as it added digits.
            let missing = 5 - group.count
            group.append(contentsOf: repeatElement(UInt8(ascii: "u"), count: missing))
            try appendGroup(group, to: &out, offset: text.count)
            out.removeLast(missing)
        }
        return out
    }

    private static func appendGroup(_ digits: [UInt8], to out: inout [UInt8], offset: Int) throws(StreamEncoding.DecodingError) {
        var value: UInt64 = 0
        for digit in digits { value = value * 85 + UInt64(digit - 33) }
        guard value <= UInt64(UInt32.max) else {
            throw StreamEncoding.DecodingError(message: "group value out of range at offset \(offset)")
        }
        out.append(contentsOf: [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                                UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)])
    }
}
