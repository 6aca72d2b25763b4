import LauncherProtocol

/// Every message type with edge values: empty and maximum-length fields, extreme integers,
/// non-ASCII text. Field values are chosen distinct so a swapped pair of fields cannot round-trip.
enum SampleMessages {
    static let fullStart = StartJob(
        requestID: "req-🌍-Ω", command: "tools/échø", arguments: ["-n", "", "héllo wörld", "日本語", "a\u{0}b"],
        environment: [EnvironmentEntry(name: "LANG", value: "C.UTF-8"), EnvironmentEntry(name: "EMPTY", value: "")],
        stdin: .stream, captureStdout: false, captureStderr: true, timeoutMilliseconds: .max,
        clientAddress: "[2001:db8::1]:443"
    )

    static let minimalStart = StartJob(
        requestID: "", command: "", stdin: .none, captureStdout: false, captureStderr: false, clientAddress: ""
    )

    /// Every length field at its limit (multi-byte characters where the count must land exactly).
    static let maximalStart = StartJob(
        requestID: String(repeating: "é", count: ProtocolLimits.maxRequestIDBytes / 2),
        command: ascii(ProtocolLimits.maxCommandBytes, "c"),
        arguments: [ascii(ProtocolLimits.maxValueBytes, "v")]
            + Array(repeating: "", count: ProtocolLimits.maxArguments - 1),
        environment: [EnvironmentEntry(name: ascii(ProtocolLimits.maxEnvironmentNameBytes, "N"),
                                       value: ascii(ProtocolLimits.maxValueBytes, "w"))]
            + (1..<ProtocolLimits.maxEnvironmentEntries).map { EnvironmentEntry(name: "V\($0)", value: "\($0)") },
        stdin: .none, captureStdout: true, captureStderr: false, timeoutMilliseconds: 1,
        clientAddress: ascii(ProtocolLimits.maxClientAddressBytes, "x")
    )

    static let client: [Named<ClientMessage>] = [
        Named("hello 0", .hello(version: 0)),
        Named("hello current", .hello(version: ProtocolVersion.current)),
        Named("hello max", .hello(version: .max)),
        Named("start full", .start(fullStart)),
        Named("start minimal", .start(minimalStart)),
        Named("start maximal", .start(maximalStart)),
        Named("stdinData empty", .stdinData([])),
        Named("stdinData one byte", .stdinData([0])),
        Named("stdinData max chunk", .stdinData(pattern(ProtocolLimits.maxChunkBytes))),
        Named("stdinClose", .stdinClose),
        Named("cancel", .cancel),
        Named("statsRequest", .statsRequest),
    ]

    static let launcher: [Named<LauncherMessage>] = [
        Named("helloAck", .helloAck(version: 1, maxFrameSize: UInt32(ProtocolLimits.maxFrameSize))),
        Named("helloAck max", .helloAck(version: .max, maxFrameSize: .max)),
        Named("accepted", .accepted),
        Named("rejected empty", .rejected(code: "", message: "")),
        Named("rejected unicode", .rejected(code: RejectCode.notFound, message: "no such command: «tools/ñ» 🚫")),
        Named("rejected maximal", .rejected(code: ascii(ProtocolLimits.maxErrorCodeBytes, "k"),
                                            message: String(repeating: "€", count: ProtocolLimits.maxMessageBytes / 3) + "m")),
        Named("started 0", .started(pid: 0)),
        Named("started max", .started(pid: .max)),
        Named("started -1", .started(pid: -1)),
        Named("started min", .started(pid: .min)),
        Named("output stdout empty", .output(stream: .stdout, bytes: [])),
        Named("output stderr", .output(stream: .stderr, bytes: [0xff, 0x00, 0x0a])),
        Named("output max chunk", .output(stream: .stdout, bytes: pattern(ProtocolLimits.maxChunkBytes))),
        Named("finished exited 0", .finished(JobSummary(termination: .exited(0)))),
        Named("finished exited -1", .finished(JobSummary(termination: .exited(-1), cancelled: true))),
        Named("finished exited min", .finished(JobSummary(termination: .exited(.min), timedOut: true))),
        Named("finished signaled 9, all flags", .finished(JobSummary(
            termination: .signaled(9), timedOut: true, cancelled: true, outputLimitExceeded: true))),
        Named("finished output limit only", .finished(JobSummary(termination: .signaled(-3), outputLimitExceeded: true))),
        Named("finished distinct counters", .finished(JobSummary(
            termination: .exited(3), stdoutBytesSeen: 1, stdoutBytesKept: 2, stderrBytesSeen: 3, stderrBytesKept: 4,
            stdinBytes: 5, wallMicroseconds: 6, userMicroseconds: 7, systemMicroseconds: 8, maxRSSKiB: 9))),
        Named("finished max counters", .finished(JobSummary(
            termination: .exited(.max), stdoutBytesSeen: .max, stdoutBytesKept: .max, stderrBytesSeen: .max,
            stderrBytesKept: .max, stdinBytes: .max, wallMicroseconds: .max, userMicroseconds: .max,
            systemMicroseconds: .max, maxRSSKiB: .max))),
        Named("protocolError empty", .protocolError(message: "")),
        Named("protocolError maximal", .protocolError(message: ascii(ProtocolLimits.maxMessageBytes, "m"))),
        Named("protocolError unicode", .protocolError(message: "frame.oversized: 🙅")),
        Named("stats empty", .stats([])),
        Named("stats labelled", .stats([
            StatsEntry("jobs_rejected_total", .counter, label: .init("reason", "spawn:setup.rlimit"), value: .max),
            StatsEntry("jobs_running", .gauge, value: 0),
        ])),
        Named("stats maximal", .stats((0..<ProtocolLimits.maxStatsEntries).map {
            StatsEntry(ascii(ProtocolLimits.maxStatsNameBytes, "n"), .counter,
                       label: .init(ascii(ProtocolLimits.maxStatsNameBytes, "l"), ascii(ProtocolLimits.maxStatsNameBytes, "v")),
                       value: UInt64($0))
        })),
    ]
}
