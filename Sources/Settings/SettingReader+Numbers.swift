/// Booleans, counts, sizes and durations.
extension SettingReader {
    /// TOML `true`/`false` or `1`/`0` (1.0.4 accepted `FOLLOW_LINKS = 1`); text `1`, `0`, `true`,
    /// `false` in any case.
    func bool() throws(SettingsError) -> Bool {
        switch input {
        case .boolean(let value): return value
        case .integer(0): return false
        case .integer(1): return true
        case .integer(let n): throw invalid("\(n) is not a boolean; use true or false (or 1 or 0)")
        case .text(let text):
            switch text.lowercased() {
            case "1", "true": return true
            case "0", "false": return false
            default: throw invalid("\(quoted(text)) is not a boolean; use 1, 0, true or false")
            }
        case .string(let text):
            throw invalid("must be a boolean, found the string \(quoted(text)); write true or false without quotes")
        default: throw wrongType(expected: "a boolean (true or false)")
        }
    }

    /// A whole number in `range`: a TOML integer, or decimal digits as text.
    func integer(in range: ClosedRange<Int>) throws(SettingsError) -> Int {
        let value: Int
        switch input {
        case .integer(let n): value = n
        case .text(let text):
            guard let n = decimal(text) else { throw invalid("\(quoted(text)) is not a whole number") }
            value = n
        default: throw wrongType(expected: "an integer")
        }
        guard range.contains(value) else { throw invalid("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    /// A byte count in `range`: an integer, or a string such as `512KiB`, `16MiB`, `1GiB`
    /// (binary units `B`, `KiB`, `MiB`, `GiB`, case as written).
    func byteSize(in range: ClosedRange<Int>) throws(SettingsError) -> Int {
        let value: Int
        switch input {
        case .integer(let n): value = n
        case .text(let text), .string(let text):
            guard let n = Self.parseByteSize(text) else {
                throw invalid("\(quoted(text)) is not a size; use bytes or a number with B, KiB, MiB or GiB (16MiB)")
            }
            value = n
        default: throw wrongType(expected: "an integer or a size string such as \"16MiB\"")
        }
        guard range.contains(value) else {
            throw invalid("\(value) bytes is out of range \(formatByteSize(range.lowerBound))…\(formatByteSize(range.upperBound))")
        }
        return value
    }

    /// A positive duration up to `maximum`: a number of seconds (integer or float), or a string
    /// `500ms`, `10s`, `5m`, `1h` (a plain number string is seconds).
    func duration(maximum: Duration) throws(SettingsError) -> Duration {
        let seconds: Double
        switch input {
        case .integer(let n): seconds = Double(n)
        case .float(let x): seconds = x
        case .text(let text), .string(let text):
            guard let parsed = Self.parseSeconds(text) else {
                throw invalid("\(quoted(text)) is not a duration; use a number of seconds or 500ms, 10s, 5m, 1h")
            }
            seconds = parsed
        default: throw wrongType(expected: "a duration (seconds, or a string such as \"10s\")")
        }
        guard seconds.isFinite else { throw invalid("\(seconds) is not a finite number of seconds") }
        guard seconds <= Double(maximum.components.seconds) else {
            throw invalid("\(formatSeconds(seconds)) is longer than the limit of \(formatDuration(maximum))")
        }
        let nanoseconds = (seconds * 1e9).rounded()
        guard nanoseconds >= 1 else { throw invalid("must be longer than zero, found \(formatSeconds(seconds))") }
        return .nanoseconds(Int64(nanoseconds))
    }

    // MARK: Lexical forms

    /// Decimal digits only (no sign, no spaces), as an `Int`.
    func decimal(_ text: String) -> Int? { Self.decimal(text) }

    static func decimal(_ text: some StringProtocol) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// `text` without the first unit of `units` it ends with (and one space before it), and that
    /// unit's factor; `otherwise` when it ends with none. List longer suffixes first (`ms` before `s`).
    static func splitUnit<Factor>(_ text: String, _ units: [(suffix: String, factor: Factor)], otherwise: Factor) -> (number: Substring, factor: Factor) {
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }) else { return (Substring(text), otherwise) }
        var number = text.dropLast(unit.suffix.count)
        if number.last == " " { number = number.dropLast() }
        return (number, unit.factor)
    }

    static let byteUnits: [(suffix: String, factor: Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]

    static func parseByteSize(_ text: String) -> Int? {
        let (number, factor) = splitUnit(text, byteUnits, otherwise: 1)
        guard let n = decimal(number) else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    static let durationUnits: [(suffix: String, factor: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]

    /// `1.5`, `500ms`, `10s`, `5m`, `1h` → seconds. Digits with an optional fraction only: no
    /// sign, exponent, `inf` or `nan`.
    static func parseSeconds(_ text: String) -> Double? {
        let (number, factor) = splitUnit(text, durationUnits, otherwise: 1.0)
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ decimal($0) != nil }), let value = Double(number) else { return nil }
        return value * factor
    }
}

/// `16MiB`, `512KiB`, `1000B`: the largest binary unit that divides `bytes` exactly.
func formatByteSize(_ bytes: Int) -> String {
    for unit in SettingReader.byteUnits where bytes != 0 && bytes % unit.factor == 0 {
        return "\(bytes / unit.factor)\(unit.suffix)"
    }
    return "\(bytes)B"
}

/// `10m`, `30s`, `500ms`: the largest unit that divides `duration` exactly, else seconds.
func formatDuration(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    if attoseconds == 0 {
        if seconds != 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds != 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
    let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
    return formatSeconds(Double(nanoseconds) / 1e9)
}

/// `1.5s`, `90s`.
func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() && abs(seconds) < 1e15 ? "\(Int(seconds))s" : "\(seconds)s"
}
