/// How binary stream content travels as JSON text: the original's two schemes, by the names the
/// API uses in `encode`. Both directions are pure and total for encoding; decoding is strict.
public enum StreamEncoding: String, Sendable, Hashable, CaseIterable {
    /// RFC 4648 base64, standard alphabet, `=` padding, no line breaks (see `Base64`).
    case base64
    /// Ascii85 exactly as Python's `base64.a85encode`/`a85decode` with default arguments (see
    /// `Ascii85`); not RFC 1924, Z85 or git's base85.
    case base85

    /// Why encoded text was refused. `message` says what is wrong without quoting the input.
    public struct DecodingError: Error, Sendable, Hashable {
        /// A sentence fragment such as "invalid character at offset 4".
        public let message: String
    }

    /// The ASCII text for `bytes`.
    public func encode(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .base64: Base64.encode(bytes)
        case .base85: Ascii85.encode(bytes)
        }
    }

    /// The bytes `text` stands for.
    /// - Throws: `DecodingError` when `text` is not valid in this scheme.
    public func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        switch self {
        case .base64: try Base64.decode(Array(text.utf8))
        case .base85: try Ascii85.decode(Array(text.utf8))
        }
    }
}
