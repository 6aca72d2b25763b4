import LauncherProtocol
import Testing

/// Whole conversations, event by event.
@Suite("Launcher connection: scenarios")
struct LauncherConnectionScenarioTests {
    @Test("hello, a streamed job, then a second job on the same connection")
    func twoJobs() {
        var machine = Machine()
        #expect(machine.received(.hello(version: ProtocolVersion.current)) == [helloAck])
        #expect(machine.isIdle && !machine.hasJob)

        #expect(machine.received(.start(Origin.streamJob)) == [.startJob(Origin.streamJob)])
        #expect(!machine.isIdle && machine.hasJob)
        #expect(machine.jobAccepted() == [.send(.accepted)])
        #expect(machine.jobStarted(pid: 4242) == [.send(.started(pid: 4242))])
        #expect(machine.received(.stdinData(Array("hello".utf8))) == [.writeStdin(Array("hello".utf8))])
        #expect(machine.jobOutput(stream: .stdout, bytes: [104]) == [.send(.output(stream: .stdout, bytes: [104]))])
        #expect(machine.received(.stdinClose) == [.closeStdin])
        #expect(machine.jobFinished(summary) == [.send(.finished(summary))])
        #expect(machine.isIdle && !machine.hasJob)

        #expect(machine.received(.start(Origin.plainJob)) == [.startJob(Origin.plainJob)])
        #expect(machine.jobAccepted() == [.send(.accepted)])
        // The second job was not started with stdin: .stream.
        #expect(machine.received(.stdinData([1])).contains(.cancelJob))
        #expect(machine.state == .closed)
    }

    @Test("a rejected job leaves the connection idle for the next one")
    func rejectedThenAccepted() {
        var machine = Machine()
        _ = machine.received(.hello(version: ProtocolVersion.current))
        _ = machine.received(.start(Origin.plainJob))
        #expect(machine.jobRejected(code: RejectCode.policy, message: "denied") ==
                [.send(.rejected(code: RejectCode.policy, message: "denied"))])
        #expect(machine.isIdle)
        #expect(machine.received(.start(Origin.streamJob)) == [.startJob(Origin.streamJob)])
        #expect(machine.jobAccepted() == [.send(.accepted)])
        #expect(machine.state == .running(stdinOpen: true, cancelRequested: false))
    }

    @Test("cancel is forwarded once; a cancel racing the finished frame is harmless")
    func cancelOnce() {
        var machine = Origin.runningNone.machine()
        #expect(machine.received(.cancel) == [.cancelJob])
        #expect(machine.received(.cancel) == [])
        #expect(machine.jobFinished(JobSummary(termination: .signaled(15), cancelled: true)) ==
                [.send(.finished(JobSummary(termination: .signaled(15), cancelled: true)))])
        #expect(machine.received(.cancel) == [])
        #expect(machine.isIdle)
        // The next job's cancel is forwarded again.
        _ = machine.received(.start(Origin.plainJob))
        _ = machine.jobAccepted()
        #expect(machine.received(.cancel) == [.cancelJob])
    }

    @Test("the peer closing mid-job cancels the job, and late job events are dropped")
    func closedMidJob() {
        var machine = Origin.runningStream.machine()
        #expect(machine.connectionClosed() == [.cancelJob])
        #expect(!machine.hasJob)
        #expect(machine.jobOutput(stream: .stdout, bytes: [1]) == [])
        #expect(machine.jobFinished(summary) == [])
        #expect(machine.state == .closed)
    }

    @Test("large output is split into frames of at most maxChunkBytes, in order")
    func outputChunking() throws {
        var machine = Origin.runningNone.machine()
        let bytes = pattern(2 * ProtocolLimits.maxChunkBytes + 10)
        let actions = machine.jobOutput(stream: .stderr, bytes: bytes)
        #expect(actions.count == 3)
        var rejoined: [UInt8] = []
        for action in actions {
            guard case .send(.output(.stderr, let chunk)) = action else { Issue.record("not stderr output"); continue }
            #expect(chunk.count <= ProtocolLimits.maxChunkBytes)
            _ = try FrameEncoder.encode(LauncherMessage.output(stream: .stderr, bytes: chunk))
            rejoined += chunk
        }
        #expect(rejoined == bytes)
    }

    @Test("shutdown: idle connections close now, a running one after its finished frame")
    func shutdown() {
        var idle = Origin.idle.machine()
        #expect(idle.beginShutdown() == [.close])
        #expect(idle.state == .closed)

        var busy = Origin.runningStream.machine()
        #expect(busy.beginShutdown() == [])
        #expect(busy.received(.stdinData([1])) == [.writeStdin([1])])
        #expect(busy.jobFinished(summary) == [.send(.finished(summary)), .close])
        #expect(busy.state == .closed && !busy.isIdle)
    }

    @Test("a protocol violation sends the error's code and text")
    func violationText() {
        var machine = Origin.runningNone.machine()
        let error = ProtocolError(.fieldTooLong, "start.command is 5000 bytes; the limit is 4096")
        #expect(machine.protocolViolation(error) == [
            .send(.protocolError(message: "field.too_long: start.command is 5000 bytes; the limit is 4096")), .cancelJob, .close,
        ])
        #expect(machine.protocolViolation(error) == [])
    }

    @Test("isIdle and hasJob in every origin", arguments: Origin.allCases)
    func flags(_ origin: Origin) {
        let machine = origin.machine()
        let expectIdle = origin == .idle
        let expectJob = [.validatingNone, .validatingCancelled, .validatingStream, .runningNone, .runningStream, .runningStdinClosed,
                         .runningCancelled, .validatingShuttingDown, .runningShuttingDown].contains(origin)
        #expect(machine.isIdle == expectIdle)
        #expect(machine.hasJob == expectJob)
    }
}
