import Audit
import Foundation
import Testing

/// The hash chain as an auditor meets it: written by `AuditLog`, checked by `AuditVerifier`.
@Suite struct AuditTrailTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "audit-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func entry(_ event: String, _ n: Int) -> AuditEntry {
        AuditEntry(event: event, fields: AuditObject(["request_id": .string("r\(n)"), "n": .int(Int64(n))]), message: "m")
    }

    private func writeTrail(_ path: String, records: Int) throws {
        let log = try AuditLog(.init(file: path, journalSocket: nil, syncInterval: nil))
        try log.record(entry("chain_start", 0))
        for n in 1..<records { try log.record(entry("finished", n)) }
    }

    private func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test func aWrittenTrailVerifies() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        try writeTrail(path, records: 5)
        let report = AuditVerifier.verify(files: [path])
        #expect(report.problem == nil)
        #expect(report.records == 5)
        #expect(report.launcherStarts == 1)
        #expect(report.continuesFrom == nil)
        let first = try lines(path)[0]
        #expect(first.hasPrefix("{\"seq\":0,\"time\":\""))
        // RFC 3339, UTC, milliseconds: "2026-11-27T19:04:05.123Z".
        let time = first.dropFirst("{\"seq\":0,\"time\":\"".count).prefix(24)
        #expect(time.count == 24 && time.hasSuffix("Z") && time.dropFirst(10).hasPrefix("T"), "\(time)")
        #expect(first.contains("\"event\":\"chain_start\",\"request_id\":\"r0\",\"n\":0,\"prev\":\"" + String(repeating: "0", count: 64) + "\",\"hash\":\""))
        #expect(try JSONSerialization.jsonObject(with: Data(first.utf8)) is [String: Any])
    }

    @Test("changing any byte of a record is found at that line", arguments: [0, 1, 2, 3, 4])
    func changedByte(line index: Int) throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        try writeTrail(path, records: 5)
        var all = try lines(path)
        // Change a digit of the "n" field (keeps the layout, breaks the hash).
        all[index] = all[index].replacingOccurrences(of: "\"n\":\(index)", with: "\"n\":9")
        try all.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let report = AuditVerifier.verify(files: [path])
        #expect(report.problem?.line == index + 1)
        #expect(report.problem?.reason.contains("altered") == true)
        #expect(report.records == index)
    }

    @Test func aRemovedLineIsFoundAtTheGap() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        try writeTrail(path, records: 5)
        var all = try lines(path)
        all.remove(at: 2)
        try all.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let report = AuditVerifier.verify(files: [path])
        #expect(report.problem?.line == 3)
        #expect(report.problem?.reason.contains("does not follow") == true)
    }

    @Test func reorderedAndTruncatedTrailsFail() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        try writeTrail(path, records: 4)
        var all = try lines(path)
        all.swapAt(1, 2)
        try all.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(AuditVerifier.verify(files: [path]).problem?.line == 2)

        try writeTrail(dir + "/b.log", records: 3)
        let text = try String(contentsOfFile: dir + "/b.log", encoding: .utf8)
        try String(text.dropLast(10)).write(toFile: dir + "/b.log", atomically: false, encoding: .utf8)
        let report = AuditVerifier.verify(files: [dir + "/b.log"])
        #expect(report.problem?.line == 3)
        #expect(report.problem?.reason.contains("incomplete") == true)
    }

    @Test func aRestartedLauncherContinuesTheFilesChain() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        try writeTrail(path, records: 3)
        try writeTrail(path, records: 3)
        let report = AuditVerifier.verify(files: [path])
        #expect(report.problem == nil)
        #expect(report.records == 6)
        #expect(report.launcherStarts == 2)
        #expect(try lines(path)[3].hasPrefix("{\"seq\":3,"))
    }

    @Test func rotationLinksTheNewFileToTheOld() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        let log = try AuditLog(.init(file: path, journalSocket: nil, syncInterval: .seconds(1)))
        try log.record(entry("chain_start", 0))
        try log.record(entry("finished", 1))
        #expect(rename(path, dir + "/audit.log.1") == 0)
        try log.reopen(fields: AuditObject())
        try log.record(entry("finished", 2))
        try log.flush()
        #expect(AuditVerifier.verify(files: [dir + "/audit.log.1", path]).problem == nil)
        #expect(AuditVerifier.verify(files: [dir + "/audit.log.1", path]).records == 4)
        let alone = AuditVerifier.verify(files: [path])
        #expect(alone.problem == nil)
        #expect(alone.continuesFrom == AuditVerifier.verify(files: [dir + "/audit.log.1"]).lastHash)
        #expect(try lines(path)[0].contains("\"event\":\"reopened\""))
        // Out of order, the link fails at the first line of the second file.
        let swapped = AuditVerifier.verify(files: [path, dir + "/audit.log.1"])
        #expect(swapped.problem?.file == dir + "/audit.log.1")
        #expect(swapped.problem?.line == 1)
    }

    @Test func aFailedWriteThrowsAndLeavesNoGapInTheChain() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        let log = try AuditLog(.init(file: path, journalSocket: nil, syncInterval: nil))
        try log.record(entry("chain_start", 0))
        // Rotate to a file that cannot take data: every write fails with ENOSPC.
        #expect(rename(path, dir + "/audit.log.1") == 0)
        #expect(symlink("/dev/full", path) == 0)
        // Opening /dev/full succeeds; writing the `reopened` record to it does not.
        #expect(throws: AuditError.self) { try log.reopen(fields: AuditObject()) }
        #expect(throws: AuditError.self) { try log.record(entry("finished", 1)) }
        do {
            try log.record(entry("finished", 1))
        } catch {
            #expect(error.code == .write)
        }
        // Writable again: the trail continues from the last record that was stored.
        #expect(unlink(path) == 0)
        try log.reopen(fields: AuditObject())
        try log.record(entry("finished", 2))
        #expect(AuditVerifier.verify(files: [dir + "/audit.log.1", path]).problem == nil)
    }

    @Test func anUnopenableFileIsAnOpenError() {
        #expect {
            _ = try AuditLog(.init(file: "/nonexistent-dir/audit.log", journalSocket: nil, syncInterval: nil))
        } throws: { ($0 as? AuditError)?.code == .open }
    }

    @Test func stringsAreEscapedToOnePrintableLine() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/audit.log"
        let log = try AuditLog(.init(file: path, journalSocket: nil, syncInterval: nil))
        let nasty = "a\"b\\c\nd\re\tf\u{0}g\u{7f}h\u{2028}i\u{1b}[31mj"
        try log.record(AuditEntry(event: "rejected", fields: AuditObject(["command": .string(nasty)]), message: "m"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.filter { $0 == "\n" }.count == 1)
        #expect(text.contains(#""command":"a\"b\\c\nd\re\tf\u0000g\u007fh\u2028i\u001b[31mj""#))
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["command"] as? String == nasty)
        #expect(AuditVerifier.verify(files: [path]).problem == nil)
    }
}
