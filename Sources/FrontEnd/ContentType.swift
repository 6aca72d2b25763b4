/// Whether a `Content-Type` declares JSON, by Werkzeug's rule that the original relied on:
/// the media type (before any `;` parameters, case-insensitive, surrounding whitespace ignored)
/// is `application/json` or `application/…+json`. Parameters such as `charset` are ignored, as
/// they were: the body is always UTF-8.
enum ContentType {
    static func isJSON(_ header: String?) -> Bool {
        guard let header else { return false }
        let mediaType = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = mediaType.trimmingWhitespace.lowercased()
        return trimmed == "application/json" || (trimmed.hasPrefix("application/") && trimmed.hasSuffix("+json"))
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return self[first...last]
    }
}
