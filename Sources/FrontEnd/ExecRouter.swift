import HTTPTypes
import Hummingbird
import LauncherProtocol
import Logging
import NIOCore

/// The routes of the httpexec API, built on Hummingbird's router:
/// - `POST /<command…>` runs a command (`ExecHandler`);
/// - `GET /healthz`, `/readyz` and `/metrics` are the probe and monitoring endpoints
///   (`HealthEndpoints`); `GET` on any other path is 405;
/// - `OPTIONS` on any path answers 200 with `Allow` (`OPTIONS, POST`, or `GET, OPTIONS, POST` on
///   an endpoint path) and an empty body;
/// - every other method answers 405 with the same `Allow` header (checked before the command is
///   looked up, as in the original);
/// - any error becomes the JSON error body; every response carries `X-Request-ID` and is
///   counted in `httpexec_http_requests_total`.
///
/// The endpoints are matched in the middleware, ahead of its method filter (see `HealthRouting`).
public enum ExecRouter {
    /// The router of a main listener: commands through `handler`, plus `endpoints` (none when
    /// nil: every GET is then 405).
    public static func make(handler: ExecHandler, endpoints: HealthEndpoints? = nil) -> Router<ExecRequestContext> {
        let router = Router(context: ExecRequestContext.self)
        router.add(middleware: ExecMiddleware(endpoints: endpoints))
        router.post("**") { request, context in
            try await handler.handle(request, context: context)
        }
        return router
    }

    /// The router of a metrics listener: the endpoints only, no commands (404 on other paths).
    public static func makeEndpointsOnly(_ endpoints: HealthEndpoints) -> Router<ExecRequestContext> {
        let router = Router(context: ExecRequestContext.self)
        router.add(middleware: ExecMiddleware(endpoints: endpoints))
        return router
    }

    /// The `X-Request-ID` header.
    static let requestIDHeader = HTTPField.Name("X-Request-ID")!
}

/// Routing decisions, request ids, error rendering and response counting around every route.
struct ExecMiddleware: RouterMiddleware {
    typealias Context = ExecRequestContext

    let endpoints: HealthEndpoints?
    private let routing: HealthRouting

    init(endpoints: HealthEndpoints?) {
        self.endpoints = endpoints
        self.routing = endpoints?.routing ?? HealthRouting(runsCommands: true, servesMetrics: false)
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let requestID = RequestIdentity.from(request.headers[ExecRouter.requestIDHeader])
        var context = context
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = .string(requestID)
        var response: Response
        do {
            switch routing.decide(method: request.method.rawValue, target: request.head.path ?? "") {
            case .command:
                response = try await next(request, context)
            case .endpoint(let route):
                // `routing` only names endpoints when there are some.
                response = await endpoints?.respond(to: route) ?? APIError.notFound.response
            case .options(let allow):
                response = Response(status: .ok, headers: [.allow: allow])
            case .methodNotAllowed(let allow):
                throw APIError.methodNotAllowed(allow: allow)
            case .notFound:
                throw APIError.notFound
            }
        } catch let error as APIError {
            response = error.response
        } catch let error as HTTPError where error.status == .notFound {
            // The router found no route: `POST /` and friends.
            response = APIError.notFound.response
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            response = APIError(status: 500, code: .internalError, message: "Internal server error.").response
        }
        response.headers[ExecRouter.requestIDHeader] = requestID
        endpoints?.metrics?.responded(status: response.status.code)
        return response
    }
}

extension APIError {
    /// This error as a Hummingbird response.
    var response: Response {
        var headers: HTTPFields = [.contentType: APIError.contentType]
        for header in self.headers {
            if let name = HTTPField.Name(header.name) { headers[name] = header.value }
        }
        return Response(
            status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonBody)))
    }
}

/// Request ids: the client's, when it is safe to log and echo, else a fresh one.
enum RequestIdentity {
    /// The client's `X-Request-ID` when it is 1…128 visible ASCII characters; otherwise 32 random
    /// hex digits (so a hostile id can neither forge log lines nor grow without bound).
    static func from(_ header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= ProtocolLimits.maxRequestIDBytes,
            header.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E })
        {
            return header
        }
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
