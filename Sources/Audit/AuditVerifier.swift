#if canImport(Glibc)
import Glibc
#endif

/// Checks a trail of audit files (in order, e.g. rotated `audit.log.1` then `audit.log`) against
/// the hash chain and reports the first line that breaks it — `httpexec audit verify`.
public enum AuditVerifier {
    /// What was found.
    public struct Report: Sendable, Hashable {
        /// Records that verified before the first break (all of them when `problem` is nil).
        public var records = 0
        /// `chain_start` records seen (one per launcher start).
        public var launcherStarts = 0
        /// The first record's `prev` when the trail does not begin a new chain (it continues a
        /// file that was rotated away); nil when it starts at the origin.
        public var continuesFrom: String?
        /// The last verified record's hash: compare it with the journal's copy or a saved one.
        public var lastHash: String?
        /// The first break, if any.
        public var problem: Problem?
    }

    /// Where and why the chain breaks.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        /// 1-based line within `file`.
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// Verifies `files` as one trail.
    public static func verify(files: [String]) -> Report {
        var report = Report()
        var previous: AuditLine?
        for file in files {
            var lineNumber = 0
            let outcome = forEachLine(of: file) { line, complete in
                lineNumber += 1
                let problem = check(line, complete: complete, after: previous, report: &report)
                if let problem {
                    report.problem = Problem(file: file, line: lineNumber, reason: problem)
                    return false
                }
                return true
            } afterLine: { line in previous = line }
            if let openError = outcome {
                report.problem = Problem(file: file, line: 0, reason: openError)
            }
            if report.problem != nil { break }
        }
        report.lastHash = previous?.hash
        return report
    }

    private static func check(_ bytes: ArraySlice<UInt8>, complete: Bool, after previous: AuditLine?, report: inout Report) -> String? {
        guard complete else { return "the last record is incomplete (no newline): cut short by a crash or a full disk, or truncated" }
        guard let line = AuditLine(bytes) else { return "not an audit record (its layout was changed or the line was split or joined)" }
        guard line.hashMatches else { return "record altered: its content does not match its hash" }
        if let previous {
            guard line.previous == previous.hash else {
                return "does not follow the previous record (a record was removed, inserted or reordered before this line)"
            }
            guard line.sequence == previous.sequence &+ 1 else {
                return "sequence number \(line.sequence) does not follow \(previous.sequence)"
            }
        } else if line.previous != AuditChain.origin {
            report.continuesFrom = line.previous
        }
        if line.event == "chain_start" { report.launcherStarts += 1 }
        report.records += 1
        return nil
    }

    /// Calls `body` for each line (without its newline; `complete` is false for a last line
    /// without one) until it returns false. Reads in blocks: trails can be large.
    /// Returns an error text when the file cannot be read.
    private static func forEachLine(
        of path: String, _ body: (ArraySlice<UInt8>, _ complete: Bool) -> Bool, afterLine: (AuditLine?) -> Void
    ) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "cannot open: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        var pending: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return "read failed: \(String(cString: strerror(errno)))"
            }
            if n == 0 { break }
            pending.append(contentsOf: block[0..<n])
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[start..<newline]
                guard body(line, true) else { return nil }
                afterLine(AuditLine(line))
                start = newline + 1
            }
            pending.removeSubrange(pending.startIndex..<start)
        }
        if !pending.isEmpty { _ = body(pending[...], false) }
        return nil
    }
}
