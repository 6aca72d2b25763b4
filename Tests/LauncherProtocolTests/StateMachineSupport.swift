import LauncherProtocol
import Testing

typealias Machine = LauncherConnectionStateMachine
typealias Action = LauncherConnectionStateMachine.Action

/// Everything that can happen to a connection, as data, so transitions can be tabulated.
enum Event: Sendable, CustomStringConvertible {
    case received(ClientMessage)
    case jobAccepted
    case jobRejected(code: String, message: String)
    case jobStarted(Int32)
    case jobOutput(LauncherMessage.OutputStream, [UInt8])
    case jobFinished(JobSummary)
    case protocolViolation(ProtocolError)
    case connectionClosed
    case beginShutdown

    func apply(to machine: inout Machine) -> [Action] {
        switch self {
        case .received(let message): machine.received(message)
        case .jobAccepted: machine.jobAccepted()
        case .jobRejected(let code, let message): machine.jobRejected(code: code, message: message)
        case .jobStarted(let pid): machine.jobStarted(pid: pid)
        case .jobOutput(let stream, let bytes): machine.jobOutput(stream: stream, bytes: bytes)
        case .jobFinished(let summary): machine.jobFinished(summary)
        case .protocolViolation(let error): machine.protocolViolation(error)
        case .connectionClosed: machine.connectionClosed()
        case .beginShutdown: machine.beginShutdown()
        }
    }

    var description: String {
        switch self {
        case .received(let message):
            switch message {
            case .hello(let version): "hello(\(version))"
            case .start(let job): "start(stdin: \(job.stdin))"
            case .stdinData(let bytes): "stdinData(\(bytes.count) bytes)"
            case .stdinClose: "stdinClose"
            case .cancel: "cancel"
            case .statsRequest: "statsRequest"
            }
        case .jobAccepted: "jobAccepted"
        case .jobRejected: "jobRejected"
        case .jobStarted: "jobStarted"
        case .jobOutput(let stream, let bytes): "jobOutput(\(stream), \(bytes.count) bytes)"
        case .jobFinished: "jobFinished"
        case .protocolViolation(let error): "protocolViolation(\(error.code))"
        case .connectionClosed: "connectionClosed"
        case .beginShutdown: "beginShutdown"
        }
    }
}

/// Named starting points, reached through the public API only.
enum Origin: String, Sendable, CaseIterable {
    case awaitingHello, idle, validatingNone, validatingCancelled, validatingStream, runningNone, runningStream, runningStdinClosed,
         runningCancelled, validatingShuttingDown, runningShuttingDown, closed

    static let streamJob = StartJob(requestID: "r-stream", command: "tools/cat", stdin: .stream)
    static let plainJob = StartJob(requestID: "r-plain", command: "tools/echo", arguments: ["hi"])

    var path: [Event] {
        let hello = Event.received(.hello(version: ProtocolVersion.current))
        switch self {
        case .awaitingHello: return []
        case .idle: return [hello]
        case .validatingNone: return [hello, .received(.start(Self.plainJob))]
        case .validatingStream: return [hello, .received(.start(Self.streamJob))]
        case .validatingCancelled: return Self.validatingNone.path + [.received(.cancel)]
        case .runningNone: return Self.validatingNone.path + [.jobAccepted]
        case .runningStream: return Self.validatingStream.path + [.jobAccepted]
        case .runningStdinClosed: return Self.runningStream.path + [.received(.stdinClose)]
        case .runningCancelled: return Self.runningStream.path + [.received(.cancel)]
        case .validatingShuttingDown: return Self.validatingStream.path + [.beginShutdown]
        case .runningShuttingDown: return Self.runningNone.path + [.beginShutdown]
        case .closed: return [hello, .connectionClosed]
        }
    }

    /// The state `path` must reach.
    var state: Machine.State {
        switch self {
        case .awaitingHello: .awaitingHello
        case .idle: .idle
        case .validatingNone: .validating(stdin: .none, cancelRequested: false)
        case .validatingCancelled: .validating(stdin: .none, cancelRequested: true)
        case .validatingStream, .validatingShuttingDown: .validating(stdin: .stream, cancelRequested: false)
        case .runningNone, .runningShuttingDown: .running(stdinOpen: false, cancelRequested: false)
        case .runningStream: .running(stdinOpen: true, cancelRequested: false)
        case .runningStdinClosed: .running(stdinOpen: false, cancelRequested: false)
        case .runningCancelled: .running(stdinOpen: true, cancelRequested: true)
        case .closed: .closed
        }
    }

    func machine() -> Machine {
        var machine = Machine()
        for event in path { _ = event.apply(to: &machine) }
        return machine
    }
}

/// The `protocolError` the launcher sends for a message its state does not allow.
func unexpected(_ text: String) -> Action {
    .send(.protocolError(message: "message.unexpected: \(text)"))
}

let summary = JobSummary(termination: .exited(0), stdoutBytesSeen: 3, stdoutBytesKept: 3, wallMicroseconds: 1500)
let decodeError = ProtocolError(.unknownType, "type 0x42 is not a front-end message")
let helloAck = Action.send(.helloAck(version: ProtocolVersion.current, maxFrameSize: UInt32(ProtocolLimits.maxFrameSize)))
