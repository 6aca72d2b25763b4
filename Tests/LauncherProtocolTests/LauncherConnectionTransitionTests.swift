import LauncherProtocol
import Testing

/// One row of the transition table: from a named state, one event, the exact actions and the
/// state after.
struct Transition: Sendable, CustomTestStringConvertible {
    let origin: Origin
    let event: Event
    let actions: [Action]
    let state: Machine.State

    init(_ origin: Origin, _ event: Event, _ actions: [Action], _ state: Machine.State) {
        self.origin = origin
        self.event = event
        self.actions = actions
        self.state = state
    }

    var testDescription: String { "\(origin.rawValue) + \(event)" }
}

@Suite("Launcher connection: transition table")
struct LauncherConnectionTransitionTests {
    static let running = Machine.State.running(stdinOpen: true, cancelRequested: false)
    static let violation = Action.send(.protocolError(message: decodeError.description))

    static let handshakeRows: [Transition] = [
        Transition(.awaitingHello, .received(.hello(version: ProtocolVersion.current)), [helloAck], .idle),
        Transition(.awaitingHello, .received(.hello(version: 1)),
                   [.send(.protocolError(message: "unsupported protocol version 1; this launcher speaks 2")), .close], .closed),
        Transition(.awaitingHello, .received(.hello(version: 0)),
                   [.send(.protocolError(message: "unsupported protocol version 0; this launcher speaks 2")), .close], .closed),
        Transition(.awaitingHello, .received(.start(Origin.plainJob)), [unexpected("start is not allowed before hello"), .close], .closed),
        Transition(.awaitingHello, .received(.stdinData([1])), [unexpected("stdinData is not allowed before hello"), .close], .closed),
        Transition(.awaitingHello, .received(.stdinClose), [unexpected("stdinClose is not allowed before hello"), .close], .closed),
        Transition(.awaitingHello, .received(.cancel), [unexpected("cancel is not allowed before hello"), .close], .closed),
        Transition(.awaitingHello, .received(.statsRequest), [unexpected("statsRequest is not allowed before hello"), .close], .closed),
        Transition(.awaitingHello, .protocolViolation(decodeError), [violation, .close], .closed),
        Transition(.awaitingHello, .connectionClosed, [], .closed),
        Transition(.awaitingHello, .beginShutdown, [.close], .closed),
        Transition(.awaitingHello, .jobAccepted, [], .awaitingHello),
        Transition(.awaitingHello, .jobFinished(summary), [], .awaitingHello),
    ]

    static let idleRows: [Transition] = [
        Transition(.idle, .received(.start(Origin.plainJob)), [.startJob(Origin.plainJob)], .validating(stdin: .none, cancelRequested: false)),
        Transition(.idle, .received(.start(Origin.streamJob)), [.startJob(Origin.streamJob)], .validating(stdin: .stream, cancelRequested: false)),
        Transition(.idle, .received(.cancel), [], .idle),
        Transition(.idle, .received(.statsRequest), [.sendStats], .idle),
        Transition(.idle, .received(.hello(version: ProtocolVersion.current)), [unexpected("hello is not allowed with no job running"), .close], .closed),
        Transition(.idle, .received(.stdinData([1])), [unexpected("stdinData is not allowed with no job running"), .close], .closed),
        Transition(.idle, .received(.stdinClose), [unexpected("stdinClose is not allowed with no job running"), .close], .closed),
        Transition(.idle, .protocolViolation(decodeError), [violation, .close], .closed),
        Transition(.idle, .connectionClosed, [], .closed),
        Transition(.idle, .beginShutdown, [.close], .closed),
        Transition(.idle, .jobAccepted, [], .idle),
        Transition(.idle, .jobRejected(code: "busy", message: "m"), [], .idle),
        Transition(.idle, .jobStarted(5), [], .idle),
        Transition(.idle, .jobOutput(.stdout, [1]), [], .idle),
        Transition(.idle, .jobFinished(summary), [], .idle),
    ]

    static let validatingRows: [Transition] = [
        Transition(.validatingNone, .jobAccepted, [.send(.accepted)], .running(stdinOpen: false, cancelRequested: false)),
        Transition(.validatingStream, .jobAccepted, [.send(.accepted)], running),
        Transition(.validatingStream, .jobRejected(code: RejectCode.notFound, message: "no such command"),
                   [.send(.rejected(code: RejectCode.notFound, message: "no such command"))], .idle),
        Transition(.validatingNone, .received(.hello(version: ProtocolVersion.current)),
                   [unexpected("hello is not allowed while the job is being validated"), .cancelJob, .close], .closed),
        Transition(.validatingNone, .received(.start(Origin.plainJob)),
                   [unexpected("start is not allowed while the job is being validated"), .cancelJob, .close], .closed),
        Transition(.validatingNone, .received(.statsRequest),
                   [unexpected("statsRequest is not allowed while the job is being validated"), .cancelJob, .close], .closed),
        Transition(.validatingStream, .received(.stdinData([1])),
                   [unexpected("stdinData is not allowed while the job is being validated"), .cancelJob, .close], .closed),
        Transition(.validatingStream, .received(.stdinClose),
                   [unexpected("stdinClose is not allowed while the job is being validated"), .cancelJob, .close], .closed),
        // A client that goes away at once cancels before `accepted`: allowed, once.
        Transition(.validatingNone, .received(.cancel), [.cancelJob], .validating(stdin: .none, cancelRequested: true)),
        Transition(.validatingCancelled, .received(.cancel), [], .validating(stdin: .none, cancelRequested: true)),
        Transition(.validatingCancelled, .jobAccepted, [.send(.accepted)], .running(stdinOpen: false, cancelRequested: true)),
        Transition(.validatingCancelled, .jobRejected(code: "spawn:exec", message: "m"),
                   [.send(.rejected(code: "spawn:exec", message: "m"))], .idle),
        Transition(.validatingNone, .protocolViolation(decodeError), [violation, .cancelJob, .close], .closed),
        Transition(.validatingNone, .connectionClosed, [.cancelJob], .closed),
        Transition(.validatingNone, .beginShutdown, [], .validating(stdin: .none, cancelRequested: false)),
        Transition(.validatingNone, .jobStarted(5), [], .validating(stdin: .none, cancelRequested: false)),
        Transition(.validatingNone, .jobOutput(.stdout, [1]), [], .validating(stdin: .none, cancelRequested: false)),
        Transition(.validatingNone, .jobFinished(summary), [], .validating(stdin: .none, cancelRequested: false)),
    ]

    static let runningJobRows: [Transition] = [
        Transition(.runningStream, .received(.stdinData([1, 2, 3])), [.writeStdin([1, 2, 3])], running),
        Transition(.runningStream, .received(.stdinData([])), [], running),
        Transition(.runningStream, .received(.stdinClose), [.closeStdin], .running(stdinOpen: false, cancelRequested: false)),
        Transition(.runningStream, .received(.cancel), [.cancelJob], .running(stdinOpen: true, cancelRequested: true)),
        Transition(.runningCancelled, .received(.cancel), [], .running(stdinOpen: true, cancelRequested: true)),
        Transition(.runningCancelled, .received(.stdinData([4])), [.writeStdin([4])], .running(stdinOpen: true, cancelRequested: true)),
        Transition(.runningCancelled, .jobFinished(summary), [.send(.finished(summary))], .idle),
        Transition(.runningStdinClosed, .received(.cancel), [.cancelJob], .running(stdinOpen: false, cancelRequested: true)),
        Transition(.runningNone, .received(.stdinData([1])),
                   [unexpected("stdinData is not allowed when the job's stdin is closed or not streamed"), .cancelJob, .close], .closed),
        Transition(.runningNone, .received(.stdinClose),
                   [unexpected("stdinClose is not allowed when the job's stdin is closed or not streamed"), .cancelJob, .close], .closed),
        Transition(.runningStdinClosed, .received(.stdinData([1])),
                   [unexpected("stdinData is not allowed when the job's stdin is closed or not streamed"), .cancelJob, .close], .closed),
        Transition(.runningStdinClosed, .received(.stdinClose),
                   [unexpected("stdinClose is not allowed when the job's stdin is closed or not streamed"), .cancelJob, .close], .closed),
        Transition(.runningStream, .received(.statsRequest),
                   [unexpected("statsRequest is not allowed while a job is running"), .cancelJob, .close], .closed),
        Transition(.runningStream, .received(.start(Origin.plainJob)),
                   [unexpected("start is not allowed while a job is running"), .cancelJob, .close], .closed),
        Transition(.runningStream, .received(.hello(version: ProtocolVersion.current)),
                   [unexpected("hello is not allowed while a job is running"), .cancelJob, .close], .closed),
        Transition(.runningStream, .jobStarted(-7), [.send(.started(pid: -7))], running),
        Transition(.runningStream, .jobOutput(.stderr, [9, 9]), [.send(.output(stream: .stderr, bytes: [9, 9]))], running),
        Transition(.runningStream, .jobOutput(.stdout, []), [], running),
        Transition(.runningStream, .jobFinished(summary), [.send(.finished(summary))], .idle),
        Transition(.runningNone, .jobFinished(summary), [.send(.finished(summary))], .idle),
        Transition(.runningStream, .jobAccepted, [], running),
        Transition(.runningStream, .jobRejected(code: "busy", message: "m"), [], running),
        Transition(.runningStream, .protocolViolation(decodeError), [violation, .cancelJob, .close], .closed),
        Transition(.runningStream, .connectionClosed, [.cancelJob], .closed),
        Transition(.runningStream, .beginShutdown, [], running),
    ]

    static let shuttingDownRows: [Transition] = [
        Transition(.runningShuttingDown, .jobFinished(summary), [.send(.finished(summary)), .close], .closed),
        Transition(.runningShuttingDown, .received(.cancel), [.cancelJob], .running(stdinOpen: false, cancelRequested: true)),
        Transition(.runningShuttingDown, .jobStarted(3), [.send(.started(pid: 3))], .running(stdinOpen: false, cancelRequested: false)),
        Transition(.runningShuttingDown, .beginShutdown, [], .running(stdinOpen: false, cancelRequested: false)),
        Transition(.runningShuttingDown, .connectionClosed, [.cancelJob], .closed),
        Transition(.validatingShuttingDown, .jobRejected(code: RejectCode.shuttingDown, message: "bye"),
                   [.send(.rejected(code: RejectCode.shuttingDown, message: "bye")), .close], .closed),
        Transition(.validatingShuttingDown, .jobAccepted, [.send(.accepted)], running),
    ]

    static let closedRows: [Transition] = [
        Event.received(.hello(version: ProtocolVersion.current)), .received(.start(Origin.plainJob)), .received(.stdinData([1])), .received(.stdinClose),
        .received(.cancel), .jobAccepted, .jobRejected(code: "c", message: "m"), .jobStarted(1), .jobOutput(.stdout, [1]),
        .jobFinished(summary), .protocolViolation(decodeError), .connectionClosed, .beginShutdown,
    ].map { Transition(.closed, $0, [], .closed) }

    @Test("every named origin is reachable", arguments: Origin.allCases)
    func origins(_ origin: Origin) {
        #expect(origin.machine().state == origin.state)
    }

    static let allRows = handshakeRows + idleRows + validatingRows + runningJobRows + shuttingDownRows + closedRows

    @Test("each row: from its origin, the event yields exactly these actions and this state", arguments: allRows)
    func transition(_ row: Transition) {
        var machine = row.origin.machine()
        #expect(machine.state == row.origin.state, "origin not reached")
        let actions = row.event.apply(to: &machine)
        #expect(actions == row.actions)
        #expect(machine.state == row.state)
    }
}
