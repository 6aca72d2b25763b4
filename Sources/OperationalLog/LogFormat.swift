/// The two line formats of the operational log.
public enum LogFormat: Sendable, Hashable {
    /// `time=… level=… logger=… msg=… key=value …`: one logfmt record per line, for a terminal,
    /// a file or a collector that adds nothing of its own.
    case logfmt
    /// `<N>message key=value … logger=…`: for journald's stream, which files the line under
    /// syslog priority N and adds the time itself.
    case journal
}
