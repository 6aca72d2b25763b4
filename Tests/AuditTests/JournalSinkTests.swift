import Audit
import Foundation
import Testing

/// The journal sink speaks journald's native protocol: checked against a datagram socket that
/// stands in for /run/systemd/journal/socket.
@Suite struct JournalSinkTests {
    /// Binds a datagram socket and returns (fd, path).
    private func fakeJournal() throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "journal-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return (fd, path)
    }

    /// Parses one native-protocol datagram into fields (both the `=` and the binary form).
    private func parse(_ bytes: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            guard let end = bytes[i...].firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n") }) else { break }
            let name = String(decoding: bytes[i..<end], as: UTF8.self)
            if bytes[end] == UInt8(ascii: "=") {
                let valueEnd = bytes[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                fields[name] = String(decoding: bytes[(end + 1)..<valueEnd], as: UTF8.self)
                i = valueEnd + 1
            } else {
                var length: UInt64 = 0
                for k in 0..<8 { length |= UInt64(bytes[end + 1 + k]) << (8 * UInt64(k)) }
                let start = end + 9
                fields[name] = String(decoding: bytes[start..<(start + Int(length))], as: UTF8.self)
                i = start + Int(length) + 1
            }
        }
        return fields
    }

    @Test func recordsArriveAsStructuredEntriesWithTheRecordItself() throws {
        let (fd, path) = try fakeJournal()
        defer { close(fd); unlink(path) }
        let log = try AuditLog(.init(file: nil, journalSocket: path, syncInterval: nil))
        try log.record(AuditEntry(
            event: "finished", fields: AuditObject(["request_id": .string("abc")]),
            journalFields: [("HTTPEXEC_REQUEST_ID", "abc"), ("HTTPEXEC_RESULT", "exited"), ("HTTPEXEC_NOTE", "two\nlines")],
            priority: 6, message: "httpexec finished echo: exited"))
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        try #require(n > 0)
        let fields = parse(Array(buffer[0..<n]))
        #expect(fields["MESSAGE"] == "httpexec finished echo: exited")
        #expect(fields["MESSAGE_ID"] == AuditLog.messageIDs["finished"])
        #expect(fields["PRIORITY"] == "6")
        #expect(fields["HTTPEXEC_REQUEST_ID"] == "abc")
        #expect(fields["HTTPEXEC_RESULT"] == "exited")
        #expect(fields["HTTPEXEC_NOTE"] == "two\nlines")
        #expect(fields["HTTPEXEC_SEQ"] == "0")
        let record = try #require(fields["HTTPEXEC_RECORD"])
        #expect(record.hasPrefix("{\"seq\":0,"))
        #expect(record.hasSuffix("\"hash\":\"\(fields["HTTPEXEC_RECORD_HASH"] ?? "?")\"}"))
    }

    @Test func aMissingJournalIsAFailureNotASilentDrop() throws {
        let path = NSTemporaryDirectory() + "no-journal-\(UUID().uuidString.prefix(8)).sock"
        let log = try AuditLog(.init(file: nil, journalSocket: path, syncInterval: nil))
        #expect {
            try log.record(AuditEntry(event: "started", fields: AuditObject(), message: "m"))
        } throws: { ($0 as? AuditError)?.code == .journal }
        #expect(AuditLog.journalAvailable(at: path) == false)
    }

    @Test func messageIDsAreFixed128BitHex() {
        #expect(Set(AuditLog.messageIDs.values).count == AuditLog.messageIDs.count)
        for id in AuditLog.messageIDs.values {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }
}
