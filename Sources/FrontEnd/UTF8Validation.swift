/// Strict UTF-8 validation as Python's `bytes.decode("utf-8")` (errors="strict") does it: the
/// well-formed sequences of Unicode's Table 3-7, so no overlong forms, no surrogates (U+D800…
/// U+DFFF) and nothing above U+10FFFF.
enum UTF8Validation {
    /// The offset (from `startIndex`) of the first byte that does not start a well-formed
    /// sequence, or nil when all of `bytes` is valid UTF-8.
    static func firstInvalidOffset<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> Int?
    where Bytes.Index == Int {
        var position = bytes.startIndex
        while position < bytes.endIndex {
            if bytes[position] < 0x80 {
                position += 1
                continue
            }
            let length = sequenceLength(bytes, at: position)
            guard length > 0 else { return position - bytes.startIndex }
            position += length
        }
        return nil
    }

    /// The number of bytes at the end of `bytes` that are a well-formed sequence cut short (0…3),
    /// e.g. the first two bytes of a three-byte character. Output truncated at a byte cap can end
    /// this way even though the program wrote valid UTF-8.
    static func incompleteSuffixLength(_ bytes: [UInt8]) -> Int {
        // A sequence is at most 4 bytes, so a cut one starts within the last 3.
        for back in 1...3 where back <= bytes.count {
            let start = bytes.count - back
            let lead = bytes[start]
            if lead & 0xC0 == 0x80 { continue }  // a continuation byte: look further back
            let needed = expectedLength(lead)
            guard needed > back else { return 0 }
            // A real prefix: every byte present is what a well-formed sequence allows there.
            for offset in 1..<back where !allowedRange(lead: lead, offset: offset).contains(bytes[start + offset]) {
                return 0
            }
            return back
        }
        return 0
    }

    /// Length of the well-formed multi-byte sequence at `position`, or 0 when there is none.
    private static func sequenceLength<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at position: Int) -> Int
    where Bytes.Index == Int {
        let lead = bytes[position]
        let needed = expectedLength(lead)
        guard needed > 1, position + needed <= bytes.endIndex else { return 0 }
        for offset in 1..<needed where !allowedRange(lead: lead, offset: offset).contains(bytes[position + offset]) {
            return 0
        }
        return needed
    }

    /// The sequence length a lead byte announces (0 for bytes that never lead: continuation
    /// bytes, C0/C1 overlong leads and F5…FF).
    private static func expectedLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0x00...0x7F: 1
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }

    /// The bytes allowed at `offset` (1…3) after `lead` (Unicode Table 3-7).
    private static func allowedRange(lead: UInt8, offset: Int) -> ClosedRange<UInt8> {
        guard offset == 1 else { return 0x80...0xBF }
        switch lead {
        case 0xE0: return 0xA0...0xBF  // no overlong 3-byte forms
        case 0xED: return 0x80...0x9F  // no surrogates
        case 0xF0: return 0x90...0xBF  // no overlong 4-byte forms
        case 0xF4: return 0x80...0x8F  // nothing above U+10FFFF
        default: return 0x80...0xBF
        }
    }
}
