/// An answer other than 200: an HTTP status, a stable machine-readable code, a human-readable
/// message and any extra headers, sent as `{"error":{"code":"…","message":"…"}}`.
///
/// Invariant: `message` never contains a control character (they are replaced by visible
/// `\u{…}` escapes when the error is made, so a message is safe in a log line too), and the
/// messages this module writes never contain a host path: they quote no server data, and client
/// data only where it cannot hold one (see `APIError.quotedName`).
public struct APIError: Error, Sendable, Hashable {
    /// A stable error code (the `code` of the JSON body). New codes may be added; existing ones
    /// never change meaning. The full list is on the static members and in `docs/api.md`.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The code as sent, e.g. `invalid_json`.
        public let rawValue: String
        /// A code; use the named constants unless adding a new one.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The raw value.
        public var description: String { rawValue }
    }

    /// One extra response header, such as `Retry-After` or `Allow`.
    public struct Header: Sendable, Hashable {
        /// The header name, e.g. `Retry-After`.
        public let name: String
        /// The header value.
        public let value: String
        /// Creates a header.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The HTTP status code (4xx or 5xx).
    public let status: Int
    /// The stable error code.
    public let code: Code
    /// What went wrong, for people; safe to log and to show (see the type's invariant).
    public let message: String
    /// Headers to send besides `Content-Type` and `Content-Length`.
    public let headers: [Header]

    /// Creates an error; control characters in `message` are escaped and the message is capped
    /// at `maxMessageLength` characters.
    public init(status: Int, code: Code, message: String, headers: [Header] = []) {
        self.status = status
        self.code = code
        self.message = Self.sanitized(message)
        self.headers = headers
    }

    /// The media type of `jsonBody`.
    public static let contentType = "application/json"

    /// The response body: `{"error":{"code":"…","message":"…"}}`, compact and ASCII-escaped
    /// like every JSON body this API sends.
    public var jsonBody: [UInt8] {
        var writer = JSONWriter(capacity: 48 + message.utf8.count)
        writer.raw(#"{"error":{"code":"#)
        writer.string(code.rawValue)
        writer.raw(#","message":"#)
        writer.string(message)
        writer.raw("}}")
        return writer.bytes
    }

    /// Longest message kept, in characters.
    public static let maxMessageLength = 512

    /// `text` with C0 controls, DEL and C1 controls written as `\u{…}`, cut to
    /// `maxMessageLength` characters.
    static func sanitized(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= maxMessageLength {
                out += "…"
                break
            }
            if scalar.isControlCharacter {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    /// A client-supplied name (an environment variable) in quotes when it is short and made of
    /// `A-Z a-z 0-9 _ . -` only; otherwise nil, and the message must not name it.
    /// Echoing only such names means no message can carry a path, control characters or markup.
    static func quotedName(_ name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                true
            default: false
            }
        }) else { return nil }
        return "\"\(name)\""
    }
}
