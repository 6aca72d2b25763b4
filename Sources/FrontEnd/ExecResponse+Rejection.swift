import LauncherProtocol

/// Launcher rejections (`LauncherMessage.rejected`) as HTTP errors. Nothing ran for any of them.
extension ExecResponse {
    /// The HTTP error for a rejection code from the launcher.
    ///
    /// | launcher code | status | API code | message |
    /// |---|---|---|---|
    /// | `invalid_path`, `not_found` | 404 | `not_found` | "Command could not be found." |
    /// | `not_executable` | 500 | `not_executable` | "Command could not be executed." |
    /// | `spawn:<step>` | 500 | `exec_failed` | "Command could not be executed." |
    /// | `invalid_argument`, `invalid_environment`, `denied_environment` | 400 | the same | the launcher's |
    /// | `busy` | 429 | `busy` | fixed, with `Retry-After` |
    /// | `shutting_down` | 503 | `shutting_down` | fixed |
    /// | `audit_unavailable` | 503 | `audit_unavailable` | fixed, with `Retry-After` |
    /// | `policy` | 500 | `policy_error` | fixed |
    /// | `internal` and anything unknown | 500 | `internal_error` | fixed |
    ///
    /// The launcher's own message is passed on only for the 400 codes, where it tells the client
    /// what to fix, and only when it contains no `/` (the launcher promises never to name a host
    /// path; this makes sure); otherwise a fixed message stands in. 404 and 500 messages are the
    /// original OpenAPI document's, so they cannot tell a missing file from an unreadable one.
    /// - Parameters:
    ///   - rejectionCode: the `code` of `LauncherMessage.rejected`.
    ///   - message: its `message`.
    ///   - retryAfterSeconds: the `Retry-After` value sent with 429.
    public static func error(for rejectionCode: String, message: String, retryAfterSeconds: Int = 1) -> APIError {
        switch rejectionCode {
        case RejectCode.invalidPath, RejectCode.notFound:
            return .notFound
        case RejectCode.notExecutable:
            return APIError(status: 500, code: .notExecutable, message: APIError.commandNotExecutedMessage)
        case let code where code.hasPrefix("spawn:"):
            return APIError(status: 500, code: .execFailed, message: APIError.commandNotExecutedMessage)
        case RejectCode.invalidArgument:
            return clientError(.invalidArgument, message, fallback: "An argument is not acceptable.")
        case RejectCode.invalidEnvironment:
            return clientError(.invalidEnvironment, message, fallback: "An environment variable is not acceptable.")
        case RejectCode.deniedEnvironment:
            return clientError(.deniedEnvironment, message, fallback: "An environment variable may not be set.")
        case RejectCode.busy:
            return APIError(
                status: 429, code: .busy, message: "Too many commands are running; retry later.",
                headers: [APIError.Header(name: "Retry-After", value: String(max(0, retryAfterSeconds)))])
        case RejectCode.shuttingDown:
            return .shuttingDown
        case RejectCode.auditUnavailable:
            return .auditUnavailable
        case RejectCode.policy:
            return APIError(status: 500, code: .policyError, message: "The server's policy does not allow running this command.")
        default:
            return APIError(status: 500, code: .internalError, message: "Internal server error.")
        }
    }

    private static func clientError(_ code: APIError.Code, _ message: String, fallback: String) -> APIError {
        let usable = !message.isEmpty && !message.contains("/")
        return APIError(status: 400, code: code, message: usable ? message : fallback)
    }
}
