import TOMLKit

/// Durations, sizes and counts as policy files write them.
///
/// Durations are integer seconds or `<digits><unit>` with unit `ms`, `s`, `m` or `h`; sizes are
/// integer bytes or `<digits>[B|KiB|MiB|GiB|TiB]`. Only binary units exist: `MB` would be
/// ambiguous (10⁶ or 2²⁰), so it is an error rather than a guess.
enum PolicyUnits {
    /// The largest size any setting accepts.
    static let maxSize: UInt64 = 1 << 40

    /// A unit suffix and what one of it is worth, longest suffixes first within each list.
    typealias Unit = (suffix: String, factor: UInt64)

    /// Duration units, in milliseconds.
    static let durationUnits: [Unit] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
    /// Size units, in bytes.
    static let sizeUnits: [Unit] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("B", 1), ("", 1)]

    /// Milliseconds of a duration string, or nil when it is not `<digits><unit>`.
    static func milliseconds(_ text: String) -> UInt64? { scaled(text, durationUnits) }

    /// Bytes of a size string, or nil when it is not `<digits>[unit]`.
    static func bytes(_ text: String) -> UInt64? { scaled(text, sizeUnits) }

    /// `<digits><suffix>` times the unit's factor (saturating at `UInt64.max`, which every range
    /// check rejects). Units are tried in order, so "5ms" is never read as "5m" followed by junk.
    private static func scaled(_ text: String, _ units: [Unit]) -> UInt64? {
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let n = wholeNumber(text.dropLast(unit.suffix.count)) else { continue }
            let (product, overflow) = n.multipliedReportingOverflow(by: unit.factor)
            return overflow ? .max : product
        }
        return nil
    }

    /// ASCII digits only: no sign, no spaces, no `_` (UInt64's own parser accepts a leading `+`).
    private static func wholeNumber(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text) ?? .max
    }

    /// `1h`, `5m`, `30s` or `500ms`: the largest unit that divides the duration exactly.
    static func render(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        // Only values built in code can be this large (or negative); show them plainly.
        guard seconds >= 0, seconds < Int64.max / 1000 else { return "\(seconds)s" }
        let ms = UInt64(seconds) * 1000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000_000
        guard ms > 0 else { return "0s" }
        for unit in durationUnits.reversed() where ms % unit.factor == 0 {
            return "\(ms / unit.factor)\(unit.suffix)"
        }
        return "\(ms)ms"
    }

    /// `16MiB`, `1GiB`, `1000`: the largest binary unit that divides the size exactly.
    static func render(bytes: UInt64) -> String {
        for unit in sizeUnits.prefix(4).reversed() where bytes != 0 && bytes % unit.factor == 0 {
            return "\(bytes / unit.factor)\(unit.suffix)"
        }
        return "\(bytes)"
    }
}

extension PolicyTableReader {
    /// A duration in (0, max].
    func duration(_ key: String, max: Duration) throws(PolicyError) -> Duration? {
        guard let v = value(key) else { return nil }
        let ms: UInt64
        if let n = v.int {
            guard n > 0 else { throw error(.invalidField, key, "\(key) must be greater than zero, found \(n)") }
            let (product, overflow) = UInt64(n).multipliedReportingOverflow(by: 1000)
            ms = overflow ? .max : product
        } else if let s = v.string {
            guard let parsed = PolicyUnits.milliseconds(s) else {
                throw error(.invalidField, key, "\(key) must be a duration such as \"500ms\", \"30s\", \"5m\" or \"1h\" (or integer seconds), found \"\(s)\"")
            }
            guard parsed > 0 else { throw error(.invalidField, key, "\(key) must be greater than zero") }
            ms = parsed
        } else {
            throw wrongType(key, v, expected: "a duration (integer seconds, or a string such as \"30s\")")
        }
        let maxMS = UInt64(max.components.seconds) * 1000
        guard ms <= maxMS else {
            throw error(.invalidField, key, "\(key) must be at most \(PolicyUnits.render(max))")
        }
        return .milliseconds(Int64(ms))
    }

    /// A size in bytes, at most 1 TiB; zero only when `allowZero` (the core-dump limit).
    func size(_ key: String, allowZero: Bool = false) throws(PolicyError) -> UInt64? {
        guard let v = value(key) else { return nil }
        let bytes: UInt64
        if let n = v.int {
            guard n >= 0 else { throw error(.invalidField, key, "\(key) must not be negative, found \(n)") }
            bytes = UInt64(n)
        } else if let s = v.string {
            try rejectUnlimited(key, s)
            guard let parsed = PolicyUnits.bytes(s) else {
                throw error(.invalidField, key, "\(key) must be a size such as \"512\", \"64KiB\", \"16MiB\" or \"1GiB\" (or integer bytes; binary units only), found \"\(s)\"")
            }
            bytes = parsed
        } else {
            throw wrongType(key, v, expected: "a size (integer bytes, or a string such as \"16MiB\")")
        }
        guard allowZero || bytes > 0 else { throw error(.invalidField, key, "\(key) must be greater than zero") }
        guard bytes <= PolicyUnits.maxSize else { throw error(.invalidField, key, "\(key) must be at most 1TiB") }
        return bytes
    }

    /// A size that the model stores as `Int`.
    func byteCount(_ key: String) throws(PolicyError) -> Int? {
        try size(key).map { Int($0) }
    }

    /// A count of at least 1.
    func count(_ key: String) throws(PolicyError) -> Int? {
        guard let v = value(key) else { return nil }
        if let s = v.string { try rejectUnlimited(key, s) }
        guard let n = v.int else { throw wrongType(key, v, expected: "an integer") }
        guard n >= 1 else { throw error(.invalidField, key, "\(key) must be at least 1, found \(n)") }
        return n
    }

    /// Resource limits are always finite here: "unlimited" is refused with a pointer to the
    /// alternative, because an unbounded job is exactly what the limits exist to prevent.
    private func rejectUnlimited(_ key: String, _ text: String) throws(PolicyError) {
        guard text.lowercased() == "unlimited" || text.lowercased() == "infinity" else { return }
        throw error(.invalidField, key, "\(key) cannot be \"\(text)\": give a finite value, or omit the key to keep the default")
    }
}
