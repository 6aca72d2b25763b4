/// The stable codes, grouped by status. `docs/api.md` lists the same table.
extension APIError.Code {
    // 400
    /// The body is not strict JSON (syntax, invalid UTF-8, BOM, NaN, too deep, empty).
    public static let invalidJSON = Self(rawValue: "invalid_json")
    /// The JSON is well-formed but a field has the wrong type or value.
    public static let invalidRequest = Self(rawValue: "invalid_request")
    /// `stdin.content` is not valid text in its `encode` scheme.
    public static let invalidEncoding = Self(rawValue: "invalid_encoding")
    /// An argument contains NUL (also the launcher's `invalid_argument`).
    public static let invalidArgument = Self(rawValue: "invalid_argument")
    /// A bad environment name or value (also the launcher's `invalid_environment`).
    public static let invalidEnvironment = Self(rawValue: "invalid_environment")
    /// The launcher's policy forbids setting a variable.
    public static let deniedEnvironment = Self(rawValue: "denied_environment")
    /// Too many arguments, one too long, or arguments and environment too large together.
    public static let argumentsTooLarge = Self(rawValue: "arguments_too_large")
    /// Too many environment variables, or a name or value too long.
    public static let environmentTooLarge = Self(rawValue: "environment_too_large")
    // 404, 405, 413, 415, 429
    /// No such command, or a command path that can never name one.
    public static let notFound = Self(rawValue: "not_found")
    /// A method other than POST (or OPTIONS).
    public static let methodNotAllowed = Self(rawValue: "method_not_allowed")
    /// The body is larger than the configured limit.
    public static let bodyTooLarge = Self(rawValue: "body_too_large")
    /// A non-empty body that is not declared as JSON.
    public static let unsupportedMediaType = Self(rawValue: "unsupported_media_type")
    /// A concurrency limit was reached; retry after `Retry-After` seconds.
    public static let busy = Self(rawValue: "busy")
    // 500, 502, 503
    /// The command exists but is not a file the jobs' user may execute.
    public static let notExecutable = Self(rawValue: "not_executable")
    /// The command could not be started (a sandbox setup step or exec failed).
    public static let execFailed = Self(rawValue: "exec_failed")
    /// The launcher refused the job under its policy for a reason that is not the client's.
    public static let policyError = Self(rawValue: "policy_error")
    /// Anything else that is the server's fault.
    public static let internalError = Self(rawValue: "internal_error")
    /// Captured output with `encode: null` is not UTF-8 (the command has run).
    public static let outputNotUTF8 = Self(rawValue: "output_not_utf8")
    /// The launcher is not reachable (nothing ran); retry after `Retry-After` seconds.
    public static let launcherUnavailable = Self(rawValue: "launcher_unavailable")
    /// The launcher went away or broke the protocol after the command started (it was stopped).
    public static let launcherFailed = Self(rawValue: "launcher_failed")
    /// The server is shutting down and takes no new jobs.
    public static let shuttingDown = Self(rawValue: "shutting_down")
    /// The launcher cannot write its audit record, and its policy refuses unrecorded jobs.
    public static let auditUnavailable = Self(rawValue: "audit_unavailable")
}

/// Errors the HTTP server produces itself, outside request decoding.
extension APIError {
    /// The message the original's OpenAPI document gives for 404.
    public static let commandNotFoundMessage = "Command could not be found."
    /// The message the original's OpenAPI document gives for 500.
    public static let commandNotExecutedMessage = "Command could not be executed."

    /// 404 `not_found`, for every path that names no command (never says which path).
    public static let notFound = APIError(status: 404, code: .notFound, message: commandNotFoundMessage)

    /// 405 `method_not_allowed` with `Allow: OPTIONS, POST` (the original answered OPTIONS with
    /// 200 and everything else but POST with 405).
    public static let methodNotAllowed = APIError(
        status: 405, code: .methodNotAllowed, message: "Only POST is allowed.",
        headers: [Header(name: "Allow", value: "OPTIONS, POST")])

    /// 413 `body_too_large`; the server may send it as soon as a `Content-Length` exceeds `limit`.
    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: .bodyTooLarge, message: "The request body is larger than \(limit) bytes.")
    }

    /// 503 `launcher_unavailable` with `Retry-After: 1`: the launcher could not be reached, or
    /// did not answer in time; nothing ran.
    public static let launcherUnavailable = APIError(
        status: 503, code: .launcherUnavailable, message: "The command launcher is not available.",
        headers: [Header(name: "Retry-After", value: "1")])

    /// 502 `launcher_failed`: the connection to the launcher broke while the command ran (the
    /// launcher stops a job whose connection closes, so nothing is left running).
    public static let launcherFailed = APIError(
        status: 502, code: .launcherFailed, message: "The command launcher failed while the command was running.")

    /// 503 `audit_unavailable` with `Retry-After: 5`: the launcher cannot record executions (its
    /// audit file or journal fails) and refuses to run unrecorded jobs; nothing ran.
    public static let auditUnavailable = APIError(
        status: 503, code: .auditUnavailable, message: "The server cannot record executions right now; nothing was run.",
        headers: [Header(name: "Retry-After", value: "5")])

    /// 503 `shutting_down` with `Retry-After: 1`: the server takes no new commands.
    public static let shuttingDown = APIError(
        status: 503, code: .shuttingDown, message: "The server is shutting down.",
        headers: [Header(name: "Retry-After", value: "1")])
}
