import FrontEnd
import LauncherProtocol
import Testing

/// Launcher rejections → HTTP status, code, message and headers.
@Suite("Launcher rejections")
struct RejectionMappingTests {
    static let rows: [(launcher: String, status: Int, code: APIError.Code)] = [
        (RejectCode.invalidPath, 404, .notFound),
        (RejectCode.notFound, 404, .notFound),
        (RejectCode.notExecutable, 500, .notExecutable),
        ("spawn:exec", 500, .execFailed),
        ("spawn:setup.seccomp", 500, .execFailed),
        ("spawn:spawn.clone", 500, .execFailed),
        (RejectCode.invalidArgument, 400, .invalidArgument),
        (RejectCode.invalidEnvironment, 400, .invalidEnvironment),
        (RejectCode.deniedEnvironment, 400, .deniedEnvironment),
        (RejectCode.busy, 429, .busy),
        (RejectCode.shuttingDown, 503, .shuttingDown),
        (RejectCode.policy, 500, .policyError),
        (RejectCode.internalError, 500, .internalError),
        ("something_new", 500, .internalError),
        ("", 500, .internalError),
    ]

    @Test("status and code", arguments: rows)
    func mapping(_ row: (launcher: String, status: Int, code: APIError.Code)) {
        let error = ExecResponse.error(for: row.launcher, message: "no such command")
        #expect(error.status == row.status)
        #expect(error.code == row.code)
        #expect(!looksUnsafe(error.message))
        // Retry-After on the "try again later" answers only.
        let retryAfter = error.headers.filter { $0.name == "Retry-After" }
        #expect(retryAfter.count == (row.status == 429 || row.status == 503 ? 1 : 0))
        #expect(error.headers.count == retryAfter.count)
    }

    @Test("404 and 500 use the original OpenAPI messages and hide the launcher's", arguments: [
        (RejectCode.notFound, "Command could not be found."), (RejectCode.invalidPath, "Command could not be found."),
        (RejectCode.notExecutable, "Command could not be executed."), ("spawn:exec", "Command could not be executed."),
    ])
    func fixedMessages(_ row: (code: String, message: String)) {
        #expect(ExecResponse.error(for: row.code, message: "secret detail EACCES").message == row.message)
    }

    @Test("400 codes pass the launcher's message on", arguments: [
        RejectCode.invalidArgument, RejectCode.invalidEnvironment, RejectCode.deniedEnvironment,
    ])
    func passedOn(_ code: String) {
        let error = ExecResponse.error(for: code, message: "environment variable LD_PRELOAD may not be set")
        #expect(error.message == "environment variable LD_PRELOAD may not be set")
    }

    @Test("a launcher message with a '/' or nothing in it is replaced", arguments: [
        "cannot open /srv/exec/secret", "/", "",
    ])
    func replacedWhenUnsafe(_ message: String) {
        for code in [RejectCode.invalidArgument, RejectCode.invalidEnvironment, RejectCode.deniedEnvironment] {
            let error = ExecResponse.error(for: code, message: message)
            #expect(!error.message.contains("/"))
            #expect(!error.message.isEmpty)
        }
    }

    @Test("control characters in a launcher message are escaped")
    func controlCharacters() {
        let error = ExecResponse.error(for: RejectCode.deniedEnvironment, message: "variable X\nFORGED\u{1B}[0m may not be set")
        #expect(!looksUnsafe(error.message))
        #expect(error.message.contains("X\\u{a}FORGED\\u{1b}[0m"))
    }

    @Test("busy carries Retry-After", arguments: [1, 5, 0])
    func retryAfter(_ seconds: Int) {
        let error = ExecResponse.error(for: RejectCode.busy, message: "", retryAfterSeconds: seconds)
        #expect(error.headers == [APIError.Header(name: "Retry-After", value: String(seconds))])
    }
}
