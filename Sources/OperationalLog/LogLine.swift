import Logging

/// One entry of the operational log, rendered as exactly one line.
///
/// The line never holds a raw control character, whatever the message, label or metadata
/// contain (`LogEscaping`), and never exceeds `maxBytes`, the size a pipe write is atomic up to,
/// so the lines of `httpexec serve`'s three processes on one pipe cannot interleave either.
/// Something too long is cut with `…`; metadata that no longer fits is dropped and
/// `truncated=true` says so.
public struct LogLine: Sendable {
    /// PIPE_BUF on Linux: a write(2) of at most this many bytes to a pipe is atomic.
    public static let maxBytes = 4096
    /// Longest message and metadata value (UTF-8 bytes after escaping).
    public static let maxMessageBytes = 3000
    public static let maxValueBytes = 1024
    /// Keys the logfmt header uses: metadata under these names is written as `_time`, `_level`, …
    /// so no value can pose as the entry's own level or message.
    static let reservedKeys: Set<String> = ["time", "level", "logger", "msg", "truncated"]

    public var time: String
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: Logger.Metadata

    public init(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata = [:]) {
        self.time = time
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }

    /// The line in `format`, ending with a newline.
    public func rendered(_ format: LogFormat) -> String {
        var line: String
        switch format {
        case .logfmt:
            line = "time=\(Self.value(time)) level=\(level.rawValue) logger=\(Self.value(label, limit: 128))"
                + " msg=\(Self.value(message, limit: Self.maxMessageBytes))"
        case .journal:
            line = "<\(level.syslogPriority)>\(LogEscaping.escaped(message, limit: Self.maxMessageBytes))"
                + " logger=\(Self.value(label, limit: 128))"
        }
        let marker = " truncated=true"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let pair = " \(Self.key(key))=\(Self.value(value.description))"
            guard line.utf8.count + pair.utf8.count + marker.utf8.count + 1 <= Self.maxBytes else {
                line += marker
                break
            }
            line += pair
        }
        return line + "\n"
    }

    /// A logfmt value: bare when it is non-empty and holds no space, `=`, `"`, backslash or
    /// escaped character; otherwise quoted, with `"` and `\` escaped inside the quotes.
    public static func value(_ text: String, limit: Int = maxValueBytes) -> String {
        let escaped = LogEscaping.escaped(text, quote: true, limit: limit)
        let bare = !text.isEmpty && escaped == text
            && !text.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "=") })
        return bare ? escaped : "\"\(escaped)\""
    }

    /// A metadata key as logfmt can carry it: letters, digits and `_ . - /` (anything else
    /// becomes `_`), at most 64 bytes, never one of the header's keys.
    static func key(_ text: String) -> String {
        var out = ""
        for byte in text.utf8.prefix(64) {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "_"
            }
        }
        if out.isEmpty { return "_" }
        return reservedKeys.contains(out) ? "_" + out : out
    }
}
