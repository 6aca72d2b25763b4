import HTTPTypes
import Hummingbird
import LauncherProtocol
import Logging
import NIOCore

/// `POST /<command>`: validate everything, ask the launcher, answer like the original.
///
/// Order: the path (404), the declared `Content-Length` (413 before reading a byte of an
/// oversized body), the body read under the same limit (413), then `ExecRequest.decode` (400, 415).
/// Only a fully valid request reaches the launcher, which checks it all again under its policy.
/// The job is stopped if the HTTP client disconnects before the answer. Requests refused here
/// are counted by code in `httpexec_requests_rejected_total`.
public struct ExecHandler: Sendable {
    private let launcher: LauncherClient
    private let limits: RequestLimits
    private let metrics: MetricsCollector?

    /// Creates the handler; `metrics` counts the requests it refuses itself.
    public init(launcher: LauncherClient, limits: RequestLimits, metrics: MetricsCollector? = nil) {
        self.launcher = launcher
        self.limits = limits
        self.metrics = metrics
    }

    func handle(_ request: Request, context: ExecRequestContext) async throws -> Response {
        let exec: ExecRequest
        do {
            exec = try await validated(request)
        } catch let error as APIError {
            metrics?.requestRejected(code: error.code.rawValue)
            throw error
        }
        // Nobody is left to answer: run nothing (a job started now would only be cancelled).
        if context.connection?.isClosed == true { throw CancellationError() }
        let client = context.connection?.clientAddress ?? context.channel.remoteAddress.map(Self.describe) ?? ""
        context.logger.info("exec", metadata: ["command": .string(Self.loggable(exec.command)), "client": .string(client)])
        let outcome = try await launcher.run(
            exec.startJob(requestID: context.requestID, clientAddress: client),
            stdin: exec.stdinMessages(),
            cancelWhen: context.connection)
        let json = try ExecResponse.body(
            summary: outcome.summary, stdout: outcome.stdout, stderr: outcome.stderr, request: exec)
        return Response(
            status: .ok, headers: [.contentType: ExecResponse.contentType],
            body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// Everything the front-end checks before the launcher hears of the request.
    private func validated(_ request: Request) async throws -> ExecRequest {
        let command = try CommandPath.fromRequestTarget(request.head.path ?? "")
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limits.maxBodyBytes {
            throw APIError.bodyTooLarge(limit: limits.maxBodyBytes).closingConnection
        }
        var body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limits.maxBodyBytes).closingConnection
        } catch is NIOTooManyBytesError {
            // What `collect(upTo:)` throws for a body without Content-Length (chunked) that
            // passes the limit; unmapped it became a 500 on a connection left open.
            throw APIError.bodyTooLarge(limit: limits.maxBodyBytes).closingConnection
        }
        let bytes = body.readBytes(length: body.readableBytes) ?? []
        return try ExecRequest.decode(
            path: command, contentType: request.headers[.contentType], body: bytes, limits: limits)
    }

    /// `1.2.3.4:5678`, `[::1]:5678` or `unix` — what the audit log records as the client.
    static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4: "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: "unix"
        }
    }

    /// A command path with control characters escaped (they are refused anyway; belt and braces
    /// against log injection).
    static func loggable(_ text: String) -> String {
        APIError.sanitized(text)
    }
}

extension APIError {
    /// The same error, marked so the connection is closed after the response (the rest of an
    /// oversized body is never read).
    var closingConnection: APIError {
        APIError(status: status, code: code, message: message, headers: headers + [Header(name: "Connection", value: "close")])
    }
}
