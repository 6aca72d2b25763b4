import LauncherProtocol

/// Turns the path of a request into the command path the launcher resolves.
///
/// Like the original (Python `pathlib` joining the path onto the exec root), leading slashes are
/// dropped and empty and `.` components disappear: `/errexit/` → `errexit`, `/sub//hello` →
/// `sub/hello`, `/./errexit` → `errexit`, `//bin/echo` → `bin/echo` (beneath the root, never
/// `/bin/echo`).
///
/// Hardened: everything below answers 404 `not_found`, with a message that never repeats the
/// path, and nothing is sent to the launcher:
/// - a `..` component anywhere (the original allowed `sub/../errexit` without follow-links, and
///   with follow-links `..` escaped the exec root);
/// - NUL and every other control character (C0, DEL, C1), so no path can forge a log line;
/// - an empty path (`/`, `//`, `/./`);
/// - a path over `ProtocolLimits.maxCommandBytes` bytes.
public enum CommandPath {
    /// The normalised relative command for an already percent-decoded request path.
    /// - Throws: `APIError.notFound` for the paths listed on the type.
    public static func normalise(_ decodedPath: String) throws(APIError) -> String {
        if decodedPath.unicodeScalars.contains(where: \.isControlCharacter) { throw .notFound }
        // Split the UTF-8 bytes as the kernel does, not Characters: a combining mark after `/`
        // forms one Character with it, so `/\u{301}` stayed absolute and `a/../\u{301}b` hid a
        // `..` from a Character split (found by Fuzz/ fuzz-request).
        let slash = UInt8(ascii: "/")
        var command: [UInt8] = []
        for component in decodedPath.utf8.split(separator: slash) where !component.elementsEqual([UInt8(ascii: ".")]) {
            if component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) { throw .notFound }
            if !command.isEmpty { command.append(slash) }
            command.append(contentsOf: component)
        }
        guard !command.isEmpty, command.count <= ProtocolLimits.maxCommandBytes else { throw .notFound }
        return String(decoding: command, as: UTF8.self)
    }

    /// Percent-decodes the path of a raw request target (`/a%20b?x=1` → `/a b`) the way the
    /// original's server did before routing: the query is dropped, `%XX` escapes become bytes
    /// (`%2F` is a separator, `%2e%2e` is `..`), and a `%` not followed by two hex digits stays
    /// as it is. Then `normalise`.
    /// - Throws: `APIError.notFound` when the decoded bytes are not UTF-8 (the original replaced
    ///   them with U+FFFD and looked up a different name) or for the paths `normalise` refuses.
    public static func fromRequestTarget(_ target: String) throws(APIError) -> String {
        let path = target.utf8.prefix { $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(path.count)
        var index = path.startIndex
        while index != path.endIndex {
            let byte = path[index]
            if byte == UInt8(ascii: "%") {
                let first = path.index(after: index)
                if first != path.endIndex, path.index(after: first) != path.endIndex,
                    let high = hexDigitValue(path[first]), let low = hexDigitValue(path[path.index(after: first)])
                {
                    bytes.append(high << 4 | low)
                    index = path.index(first, offsetBy: 2)
                    continue
                }
            }
            bytes.append(byte)
            index = path.index(after: index)
        }
        guard UTF8Validation.firstInvalidOffset(bytes) == nil else { throw .notFound }
        return try normalise(String(decoding: bytes, as: UTF8.self))
    }
}
