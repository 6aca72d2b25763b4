extension LauncherPolicy {
    /// `[audit]`: where the launcher records every decision (see docs/audit.md).
    public struct Audit: Sendable, Hashable {
        /// How arguments appear in records.
        public enum ArgumentMode: String, Sendable, Hashable, CaseIterable {
            /// Every argument verbatim (JSON-escaped).
            case full
            /// Their count and one SHA-256 over them (each argument's bytes followed by a NUL).
            case sha256
            /// Their count only.
            case redacted
        }

        /// Whether records also go to the systemd journal.
        public enum JournalMode: String, Sendable, Hashable, CaseIterable {
            /// When journald's socket exists at start-up.
            case auto
            /// Always; start-up fails without the journal.
            case on
            case off
        }

        /// When the file is flushed to disk.
        public enum Sync: Sendable, Hashable {
            /// `fdatasync` after every record, before the job it records goes on.
            case always
            /// At most this long after a record was written.
            case interval(Duration)
        }

        /// Append-only JSON-lines file; nil = none.
        public var file: String?
        public var journal: JournalMode
        public var sync: Sync
        public var arguments: ArgumentMode
        /// When a record cannot be written: refuse the job (true, the default) or run it and only
        /// count and log the failure (false).
        public var required: Bool

        public init(file: String? = nil, journal: JournalMode = .auto, sync: Sync = .interval(.seconds(1)),
                    arguments: ArgumentMode = .sha256, required: Bool = true) {
            self.file = file
            self.journal = journal
            self.sync = sync
            self.arguments = arguments
            self.required = required
        }
    }
}

extension PolicyTableReader {
    /// `[audit]`.
    func audit(defaults: LauncherPolicy.Audit) throws(PolicyError) -> LauncherPolicy.Audit {
        try rejectUnknownKeys(["file", "journal", "fsync", "fsync_interval", "argv", "on_failure"])
        var audit = defaults
        if let file = try string("file") {
            guard file.hasPrefix("/") else {
                throw error(.invalidField, "file", "audit.file must be an absolute path, found \"\(file)\"")
            }
            audit.file = PolicyFileSystem.absolute(file, relativeTo: "/")
        }
        audit.journal = try choice("journal", LauncherPolicy.Audit.JournalMode.self) ?? audit.journal
        let interval = try duration("fsync_interval", max: .seconds(3600))
        switch try string("fsync") {
        case "always"?:
            guard interval == nil else { throw error(.invalidField, "fsync_interval", "audit.fsync_interval applies only with fsync = \"interval\"") }
            audit.sync = .always
        case "interval"?, nil:
            if let interval {
                guard interval > .zero else { throw error(.invalidField, "fsync_interval", "audit.fsync_interval must be positive") }
                audit.sync = .interval(interval)
            }
        case let other?:
            throw error(.invalidField, "fsync", "audit.fsync must be \"always\" or \"interval\", found \"\(other)\"")
        }
        audit.arguments = try choice("argv", LauncherPolicy.Audit.ArgumentMode.self) ?? audit.arguments
        switch try string("on_failure") {
        case "refuse"?: audit.required = true
        case "continue"?: audit.required = false
        case nil: break
        case let other?:
            throw error(.invalidField, "on_failure", "audit.on_failure must be \"refuse\" or \"continue\", found \"\(other)\"")
        }
        return audit
    }

    /// A string that must be one of `Choice`'s raw values.
    private func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _: Choice.Type) throws(PolicyError) -> Choice?
    where Choice.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw error(.invalidField, key, "\(key) must be one of \(names), found \"\(text)\"")
        }
        return value
    }
}
