import Logging

/// The operational log of `httpexec-server`, `httpexec-launcher` and `httpexec serve`: what the
/// processes do (listeners, privileges, sandbox layers, one line per job), for operators.
/// Never the content of a request — argument and environment values, stdin, output; the
/// launcher's audit trail (docs/audit.md) is the record of jobs. See docs/logging.md.
public enum OperationalLog {
    /// Makes `OperationalLogHandler` swift-log's backend for this process, writing to stderr at
    /// `level`: in the journal format when stderr is systemd's journal stream (`JournalStream`),
    /// logfmt otherwise. Call once, as soon as the level is known and before anything logs.
    public static func bootstrap(level: Logger.Level) {
        let format = standardErrorFormat()
        LoggingSystem.bootstrap { label in
            OperationalLogHandler(label: label, level: level, format: format, output: .standardError)
        }
    }

    /// The format for stderr, decided once: the journal's when fd 2 is the stream
    /// `JOURNAL_STREAM` names.
    public static func standardErrorFormat() -> LogFormat {
        JournalStream.standardErrorIsConnected() ? .journal : .logfmt
    }
}
