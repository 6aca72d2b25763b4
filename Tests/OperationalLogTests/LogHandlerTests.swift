import Host
import Logging
import OperationalLog
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Collects what a handler writes.
final class CollectedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var output: LogOutput { LogOutput { [self] line in lines.withLock { $0.append(line) } } }
}

struct ExampleError: Error, CustomStringConvertible {
    var description: String { "boom\nsecond line" }
}

@Suite struct LogHandlerTests {
    private func logger(_ collected: CollectedLines, level: Logger.Level = .info, format: LogFormat = .logfmt) -> Logger {
        Logger(label: "test-label") { label in
            OperationalLogHandler(
                label: label, level: level, format: format, output: collected.output,
                clock: { "2026-11-27T19:04:05.123Z" })
        }
    }

    @Test func writesOneLinePerCallAtOrAboveTheLevel() {
        let collected = CollectedLines()
        let log = logger(collected, level: .notice)
        log.info("hidden")
        log.notice("shown")
        log.error("also shown", metadata: ["k": "v"])
        #expect(collected.all == [
            "time=2026-11-27T19:04:05.123Z level=notice logger=test-label msg=shown\n",
            "time=2026-11-27T19:04:05.123Z level=error logger=test-label msg=\"also shown\" k=v\n",
        ])
    }

    @Test func mergesLoggerProviderAndCallMetadata() {
        let collected = CollectedLines()
        let provider = Logger.MetadataProvider { ["from_provider": "p", "shared": "provider"] }
        var log = Logger(label: "m") { label in
            OperationalLogHandler(label: label, level: .info, format: .journal, output: collected.output, metadataProvider: provider)
        }
        log[metadataKey: "request_id"] = "r1"
        log[metadataKey: "shared"] = "logger"
        log.info("x", metadata: ["shared": "call"])
        #expect(collected.all == ["<6>x logger=m from_provider=p request_id=r1 shared=call\n"])
    }

    @Test func anAttachedErrorIsEscapedToo() {
        let collected = CollectedLines()
        logger(collected).log(level: .error, "failed", error: ExampleError())
        #expect(collected.all == [#"time=2026-11-27T19:04:05.123Z level=error logger=test-label msg=failed error="boom\nsecond line""# + "\n"])
    }

    @Test func theRealClockWritesRFC3339Milliseconds() throws {
        let collected = CollectedLines()
        Logger(label: "c") { OperationalLogHandler(label: $0, level: .info, format: .logfmt, output: collected.output) }.info("t")
        let line = try #require(collected.all.first)
        #expect(line.wholeMatch(of: /time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info logger=c msg=t\n/) != nil, "\(line)")
    }

    @Test func timestamps() {
        #expect(UTCTimestamp.format(seconds: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTimestamp.format(seconds: 1_795_806_245, milliseconds: 123) == "2026-11-27T19:04:05.123Z")
        #expect(UTCTimestamp.format(seconds: 951_868_799, milliseconds: 7) == "2000-02-29T23:59:59.007Z")
    }

    /// Eight threads log long lines to one file at once: every line read back is whole.
    @Test func linesFromManyThreadsNeverInterleave() throws {
        var template = Array("/tmp/oplog-threads-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        defer { close(fd); unlink(template) }
        let output = LogOutput.fileDescriptor(fd)
        let threads = 8, perThread = 200
        Threads.run(threads) { thread in
            let log = Logger(label: "t\(thread)") {
                OperationalLogHandler(label: $0, level: .info, format: .logfmt, output: output, clock: { "T" })
            }
            for i in 0..<perThread {
                log.info("\(String(repeating: Character(String(thread)), count: 3000))", metadata: ["i": "\(i)"])
            }
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        lseek(fd, 0, SEEK_SET)
        while case let count = read(fd, &buffer, buffer.count), count > 0 { bytes += buffer[0..<count] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(lines.count - 1 == threads * perThread)
        for line in lines.dropLast() {
            let fields = try #require(LogfmtReader.fields(line), "\(line.prefix(100))")
            let digit = String(fields[2].value.dropFirst())
            #expect(fields[3].value == String(repeating: digit, count: 3000))
        }
    }

    @Test func journalStreamMatchesOnlyTheSameFile() throws {
        var template = Array("/tmp/oplog-journal-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        try #require(fd >= 0)
        defer { close(fd); unlink(template) }
        var other = Array("/tmp/oplog-other-XXXXXX".utf8CString)
        let otherFD = mkstemp(&other)
        try #require(otherFD >= 0)
        defer { close(otherFD); unlink(other) }

        let value = try #require(JournalStream.value(for: fd))
        #expect(value.wholeMatch(of: /\d+:\d+/) != nil)
        #expect(JournalStream.isConnected(fd: fd, value: value))
        #expect(!JournalStream.isConnected(fd: otherFD, value: value))
        #expect(!JournalStream.isConnected(fd: fd, value: nil))
        for bad in ["", ":", value + ":1", " " + value, String(value.map { $0 == ":" ? "-" : $0 }), "-1:-1"] {
            #expect(!JournalStream.isConnected(fd: fd, value: bad), "\(bad)")
        }
        #expect(!JournalStream.isConnected(fd: 9999, value: value))
    }
}

/// Runs `body(0..<count)` on `count` threads at once and waits for all of them.
enum Threads {
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        var threads: [pthread_t] = []
        for index in 0..<count {
            let work = Unmanaged.passRetained(Work { body(index) }).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, work)
            precondition(rc == 0)
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    private final class Work: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }
}
