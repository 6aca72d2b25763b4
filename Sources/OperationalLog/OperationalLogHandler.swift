import Host
import Logging

/// The swift-log handler of all three executables: one line per entry, in the format chosen at
/// start-up (`LogFormat`), straight to the output with no buffer.
///
/// Metadata is merged as swift-log's own handlers do: the logger's, then the metadata provider's,
/// then the call's (later wins); an attached error is written as `error=`.
public struct OperationalLogHandler: LogHandler {
    /// The logger's label, written as `logger=`.
    public let label: String
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let format: LogFormat
    private let output: LogOutput
    private let clock: @Sendable () -> String

    /// - Parameters:
    ///   - clock: the `time=` value (logfmt only); RFC 3339 UTC milliseconds by default.
    public init(
        label: String, level: Logger.Level, format: LogFormat, output: LogOutput = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil, clock: @escaping @Sendable () -> String = UTCTimestamp.now
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.output = output
        self.metadataProvider = metadataProvider
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        if let error = event.error { merged["error"] = .string("\(error)") }
        let line = LogLine(
            time: format == .logfmt ? clock() : "", level: event.level, label: label,
            message: event.message.description, metadata: merged)
        output.write(line.rendered(format))
    }
}
