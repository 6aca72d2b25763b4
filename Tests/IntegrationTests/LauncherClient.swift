import Foundation
import LauncherProtocol

#if canImport(Glibc)
import Glibc
#endif

/// A small blocking client for the launcher socket, as the front-end will speak it.
final class LauncherClient {
    let fd: Int32
    private var decoder = LauncherMessageDecoder()

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Connects (no handshake).
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            // No close here: the instance is fully initialised, so deinit runs and closes fd.
            // Closing twice would close whatever fd number another thread got in between (an
            // engine pidfd in a concurrently running test, as it happened).
            throw Failure(description: "connect: \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0) // a hung launcher fails the test, never hangs it
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Connects and completes the handshake.
    static func connected(_ path: String) throws -> LauncherClient {
        let c = try LauncherClient(path: path)
        try c.send(.hello(version: ProtocolVersion.current))
        guard case .helloAck = try c.receive() else { throw Failure(description: "no helloAck") }
        return c
    }

    func send(_ message: ClientMessage) throws {
        try sendRaw(FrameEncoder.encode(message))
    }

    func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            guard n > 0 else { throw Failure(description: "write: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// The next message, or nil on EOF.
    func receive() throws -> LauncherMessage? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let m = try decoder.next() { return m }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            guard n > 0 else { throw Failure(description: "read: \(String(cString: strerror(errno)))") }
            decoder.append(buffer[0..<n])
        }
    }

    /// True when the launcher closed the connection (EOF) before `deadline`.
    func waitForClose() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    struct Outcome {
        var accepted = false
        var rejected: (code: String, message: String)?
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var summary: JobSummary?
        var pid: Int32?
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs one job to its end on this connection.
    func run(_ job: StartJob, stdin: [UInt8]? = nil, afterStart: ((LauncherClient) throws -> Void)? = nil) throws -> Outcome {
        var job = job
        if stdin != nil { job.stdin = .stream }
        try send(.start(job))
        var outcome = Outcome()
        while let m = try receive() {
            switch m {
            case .accepted:
                outcome.accepted = true
                if let stdin {
                    var i = 0
                    while i < stdin.count {
                        let end = min(stdin.count, i + ProtocolLimits.maxChunkBytes)
                        try send(.stdinData(Array(stdin[i..<end])))
                        i = end
                    }
                    try send(.stdinClose)
                }
                try afterStart?(self)
            case .rejected(let code, let message):
                outcome.rejected = (code, message)
                return outcome
            case .started(let pid): outcome.pid = pid
            case .output(let stream, let bytes):
                if stream == .stdout { outcome.stdout += bytes } else { outcome.stderr += bytes }
            case .finished(let summary):
                outcome.summary = summary
                return outcome
            case .protocolError(let message):
                throw Failure(description: "protocol error: \(message)")
            case .helloAck, .stats:
                throw Failure(description: "unexpected \(m) during a job")
            }
        }
        throw Failure(description: "connection closed mid-job")
    }
}
