/// Character classes shared by the path, message and codec rules.
extension Unicode.Scalar {
    /// C0 controls, DEL and C1 controls (U+0000–U+001F, U+007F–U+009F): the characters that can
    /// end or forge a log line or drive a terminal, refused in paths and escaped in messages.
    var isControlCharacter: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value)
    }
}

/// The value of an ASCII hex digit (either case), or nil.
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
