import LauncherProtocol

#if canImport(Glibc)
import Glibc
#endif

// Writes the seed corpus of fuzz-frames: real frames made by FrameEncoder, one mode byte first
// (bit 0: 0 = front-end → launcher, 1 = launcher → front-end; other bits: chunking), plus
// streams of several frames and a few broken ones. Run by `Fuzz/build.sh seeds`.

let start = StartJob(
    requestID: "req-1", command: "tools/echo", arguments: ["-n", "", "héllo"],
    environment: [EnvironmentEntry(name: "LANG", value: "C.UTF-8")], stdin: .stream,
    captureStdout: true, captureStderr: false, timeoutMilliseconds: 1500, clientAddress: "127.0.0.1:5000")

let client: [(String, ClientMessage)] = [
    ("hello", .hello(version: ProtocolVersion.current)),
    ("start", .start(start)),
    ("start-minimal", .start(StartJob(requestID: "", command: "x"))),
    ("stdin-data", .stdinData(Array("line\n".utf8))),
    ("stdin-data-empty", .stdinData([])),
    ("stdin-close", .stdinClose),
    ("cancel", .cancel),
    ("stats-request", .statsRequest),
]

let launcher: [(String, LauncherMessage)] = [
    ("hello-ack", .helloAck(version: ProtocolVersion.current, maxFrameSize: UInt32(ProtocolLimits.maxFrameSize))),
    ("accepted", .accepted),
    ("rejected", .rejected(code: RejectCode.notFound, message: "no such command")),
    ("started", .started(pid: 4242)),
    ("output-stdout", .output(stream: .stdout, bytes: Array("hello\n".utf8))),
    ("output-stderr", .output(stream: .stderr, bytes: [0xFF, 0x00])),
    ("finished-exited", .finished(JobSummary(termination: .exited(0), stdoutBytesSeen: 6, stdoutBytesKept: 6))),
    ("finished-signaled", .finished(JobSummary(termination: .signaled(9), timedOut: true, cancelled: true,
                                               outputLimitExceeded: true, wallMicroseconds: 1_000_000))),
    ("protocol-error", .protocolError(message: "unexpected message")),
    ("stats", .stats([StatsEntry("jobs_started_total", .counter, value: 3),
                      StatsEntry("jobs_rejected_total", .counter, label: StatsEntry.Label("reason", "not_found"), value: 1),
                      StatsEntry("jobs_running", .gauge, value: 0)])),
]

func frame(_ message: ClientMessage) -> [UInt8] { try! FrameEncoder.encode(message) }
func frame(_ message: LauncherMessage) -> [UInt8] { try! FrameEncoder.encode(message) }

@main
enum FrameSeeds {
    static func main() {
        let directory = CommandLine.arguments[1]
        var count = 0
        func write(_ name: String, _ bytes: [UInt8]) {
            let path = "\(directory)/\(name)"
            guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
            guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { fatalError("cannot write \(path)") }
            fclose(file)
            count += 1
        }
        for (index, (name, message)) in client.enumerated() {
            write("client-\(name)", [UInt8(index % 8) << 1] + frame(message))
        }
        for (index, (name, message)) in launcher.enumerated() {
            write("launcher-\(name)", [UInt8(index % 8) << 1 | 1] + frame(message))
        }
        // Whole conversations, as each side sees them.
        write("client-conversation", [0x02] + [ClientMessage.hello(version: 1), .start(start), .stdinData([1, 2, 3]), .stdinClose,
                                                .cancel].flatMap(frame))
        write("launcher-conversation", [0x03] + [LauncherMessage.helloAck(version: 1, maxFrameSize: 1 << 20), .accepted,
                                                  .started(pid: 7), .output(stream: .stdout, bytes: [0x41]),
                                                  .finished(JobSummary(termination: .exited(1)))].flatMap(frame))
        // Broken: empty and oversized length prefixes, a truncated body, an unknown type, trailing
        // bytes, invalid UTF-8 in a string, a bad bool, a frame cut inside its prefix.
        write("client-empty-frame", [0x00, 0, 0, 0, 0])
        write("client-oversized", [0x00, 0x00, 0x10, 0x00, 0x01, 0x02])
        write("client-partial", [0x00] + frame(.start(start)).dropLast(3))
        write("client-unknown-type", [0x00, 0, 0, 0, 1, 0x81])
        write("client-trailing", [0x00, 0, 0, 0, 2, 0x04, 0x00])
        var badUTF8 = frame(.start(StartJob(requestID: "ab", command: "x")))
        badUTF8[9] = 0xFF  // prefix 4, type 1, requestID length 4: the first requestID byte
        write("client-invalid-utf8", [0x00] + badUTF8)
        var badBool = frame(.start(StartJob(requestID: "", command: "x")))
        badBool[badBool.count - 9] = 2  // captureStderr: before timeout (4) and an empty address (4)
        write("client-invalid-bool", [0x00] + badBool)
        write("launcher-cut-prefix", [0x01, 0, 0])
        print("wrote \(count) seeds to \(directory)")
    }
}
