import Host
import Synchronization

/// One decision to record.
public struct AuditEntry: Sendable {
    /// `chain_start`, `rejected`, `started`, `finished`, `reopened`.
    public var event: String
    /// The record's fields after `seq`, `time` and `event`.
    public var fields: AuditObject
    /// Extra journal fields (`HTTPEXEC_REQUEST_ID`, `HTTPEXEC_RESULT`, …).
    public var journalFields: [(name: String, value: String)]
    /// Syslog priority for the journal (0–7).
    public var priority: Int
    /// A one-line human summary for the journal's MESSAGE.
    public var message: String

    public init(event: String, fields: AuditObject, journalFields: [(name: String, value: String)] = [],
                priority: Int = 6, message: String) {
        self.event = event
        self.fields = fields
        self.journalFields = journalFields
        self.priority = priority
        self.message = message
    }
}

/// The launcher's audit trail: seals each entry into the hash chain and hands it to every sink
/// (file, journal) under one lock, so records are totally ordered.
///
/// `record` throws when any sink failed; the caller decides (by policy) whether that refuses the
/// job. The chain advances when at least one sink stored the record, so each sink's copy verifies
/// on its own unless that sink lost records (which its verification then shows).
public final class AuditLog: Sendable {
    /// Where records go.
    public struct Configuration: Sendable {
        public var file: String?
        /// Journal socket path, or nil for no journal.
        public var journalSocket: String?
        /// nil = `fdatasync` every record.
        public var syncInterval: Duration?
        public init(file: String?, journalSocket: String?, syncInterval: Duration?) {
            self.file = file
            self.journalSocket = journalSocket
            self.syncInterval = syncInterval
        }
    }

    /// Journal `MESSAGE_ID`s, one per event, fixed forever (docs/audit.md lists them).
    public static let messageIDs: [String: String] = [
        "chain_start": "6b0f3c1e9a2d4f57b8e1c0d2a4f6e8b1",
        "rejected": "0d8a5e2f7c1b4a69a3e5d7f9b1c3e5a7",
        "started": "3f9b2d7e1a5c4e8fb6d0a2c4e6f8a0b2",
        "finished": "9c1e5a3d7b2f4c60a8e2d4f6b8c0e2d4",
        "reopened": "5e7a9c1b3d5f4a72b4c6e8a0c2e4f6a8",
    ]

    private struct State: ~Copyable {
        var chain: AuditChain
        let file: AuditFileSink?
        let journal: JournalClient?
    }

    private let state: Mutex<State>
    /// Human description of the sinks, for the start-up log.
    public let sinkDescription: String

    /// Opens the sinks and continues the file's chain (or starts one).
    /// - Throws: `AuditError` when a configured sink cannot be opened.
    public init(_ configuration: Configuration) throws(AuditError) {
        let file = try configuration.file.map { path throws(AuditError) in
            try AuditFileSink(path: path, syncInterval: configuration.syncInterval)
        }
        let journal = try configuration.journalSocket.map { path throws(AuditError) in try JournalClient(path: path) }
        state = Mutex(State(chain: AuditChain(after: file?.lastRecord()), file: file, journal: journal))
        var parts: [String] = []
        if let path = configuration.file {
            let sync = configuration.syncInterval.map { "fsync every \($0)" } ?? "fsync every record"
            parts.append("file \(path) (\(sync))")
        }
        if let socket = configuration.journalSocket { parts.append("journal \(socket)") }
        sinkDescription = parts.isEmpty ? "none" : parts.joined(separator: " + ")
    }

    /// Whether a journal socket exists at the usual path.
    public static func journalAvailable(at path: String = defaultJournalSocket) -> Bool {
        JournalClient.isAvailable(at: path)
    }

    /// The usual journal socket path.
    public static let defaultJournalSocket = "/run/systemd/journal/socket"

    /// Seals and stores one record; returns its sequence number.
    /// - Throws: the first sink failure (the record may still be in the other sink).
    @discardableResult
    public func record(_ entry: AuditEntry) throws(AuditError) -> UInt64 {
        try state.withLock { (state: inout State) throws(AuditError) -> UInt64 in
            let (line, next) = state.chain.seal(event: entry.event, time: UTCTimestamp.now(), fields: entry.fields)
            let sequence = state.chain.nextSequence
            var stored = false
            var failure: AuditError?
            if let file = state.file {
                do throws(AuditError) {
                    try file.append(line)
                    stored = true
                } catch {
                    failure = error
                }
            }
            if let journal = state.journal {
                var fields: [(name: String, value: String)] = [
                    ("MESSAGE", entry.message),
                    ("MESSAGE_ID", Self.messageIDs[entry.event] ?? Self.messageIDs["finished"]!),
                    ("PRIORITY", String(entry.priority)),
                    ("SYSLOG_IDENTIFIER", "httpexec-launcher"),
                    ("HTTPEXEC_EVENT", entry.event),
                    ("HTTPEXEC_SEQ", String(sequence)),
                    ("HTTPEXEC_RECORD_HASH", next.lastHash),
                ]
                fields += entry.journalFields
                // The record itself, without its newline: `journalctl -o cat --output-fields=HTTPEXEC_RECORD`
                // gives back a trail `httpexec audit verify` checks.
                fields.append(("HTTPEXEC_RECORD", String(decoding: line.dropLast(), as: UTF8.self)))
                do throws(AuditError) {
                    try journal.send(fields)
                    stored = true
                } catch {
                    failure = failure ?? error
                }
            }
            if stored { state.chain = next }
            if let failure { throw failure }
            return sequence
        }
    }

    /// Reopens the file (log rotation) and records that it did, so the new file begins with a
    /// record linking it to the old one.
    public func reopen(fields: AuditObject) throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in
            try state.file?.reopen()
        }
        try record(AuditEntry(event: "reopened", fields: fields, message: "httpexec audit file reopened"))
    }

    /// Syncs the file if its interval has passed (call periodically).
    public func syncIfDue() throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in try state.file?.syncIfDue() }
    }

    /// Syncs whatever is pending (shutdown).
    public func flush() throws(AuditError) {
        try state.withLock { (state: inout State) throws(AuditError) in try state.file?.syncIfDue(force: true) }
    }
}
