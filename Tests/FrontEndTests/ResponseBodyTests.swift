import FrontEnd
import LauncherProtocol
import Testing

/// The 200 body, byte for byte against Python's `json.dumps` (as Quart's `jsonify` calls it).
@Suite("Response bodies")
struct ResponseBodyTests {
    static func summary(
        _ termination: JobSummary.Termination, timedOut: Bool = false, stdoutCut: Bool = false, stderrCut: Bool = false
    ) -> JobSummary {
        JobSummary(
            termination: termination, timedOut: timedOut, outputLimitExceeded: stdoutCut || stderrCut,
            stdoutBytesSeen: stdoutCut ? 200 : 10, stdoutBytesKept: 10, stderrBytesSeen: stderrCut ? 200 : 10,
            stderrBytesKept: 10)
    }

    static func body(_ summary: JobSummary, stdout: [UInt8] = [], stderr: [UInt8] = [], _ request: ExecRequest) throws -> String {
        String(decoding: try ExecResponse.body(summary: summary, stdout: stdout, stderr: stderr, request: request), as: UTF8.self)
    }

    @Test("bodies match Python's json.dumps", arguments: ResponseTables.bodies)
    func matchesPython(_ row: ResponseCase) throws {
        let bytes = try ExecResponse.body(
            summary: JobSummary(termination: row.termination), stdout: row.stdout, stderr: row.stderr, request: row.request)
        #expect(String(decoding: bytes, as: UTF8.self) == row.expected)
        #expect(bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "ASCII only, no raw control characters")
    }

    @Test("return is the exit status or minus the signal", arguments: [
        (JobSummary.Termination.exited(0), 0), (.exited(1), 1), (.exited(255), 255), (.signaled(9), -9), (.signaled(15), -15),
        (.signaled(31), -31),
    ])
    func returnValue(_ row: (JobSummary.Termination, Int)) throws {
        #expect(ExecResponse.returnValue(row.0) == row.1)
        #expect(try Self.body(JobSummary(termination: row.0), ExecRequest(command: "c"))
            == #"{"return":\#(row.1),"stderr":null,"stdout":null}"#)
    }

    @Test("timed_out is added only when true")
    func timedOut() throws {
        let request = ExecRequest(command: "c", stdout: .init(capture: true))
        #expect(try Self.body(Self.summary(.signaled(15), timedOut: true), stdout: Array("part".utf8), request)
            == #"{"return":-15,"stderr":null,"stdout":{"content":"part","encode":null},"timed_out":true}"#)
        #expect(try Self.body(Self.summary(.signaled(15)), stdout: Array("part".utf8), request)
            == #"{"return":-15,"stderr":null,"stdout":{"content":"part","encode":null}}"#)
    }

    @Test("truncated is added, with both streams, only when a stream was cut", arguments: [
        (false, false, #"{"return":0,"stderr":null,"stdout":null}"#),
        (true, false, #"{"return":0,"stderr":null,"stdout":null,"truncated":{"stderr":false,"stdout":true}}"#),
        (false, true, #"{"return":0,"stderr":null,"stdout":null,"truncated":{"stderr":true,"stdout":false}}"#),
        (true, true, #"{"return":0,"stderr":null,"stdout":null,"timed_out":true,"truncated":{"stderr":true,"stdout":true}}"#),
    ])
    func truncated(_ row: (stdoutCut: Bool, stderrCut: Bool, expected: String)) throws {
        let summary = Self.summary(.exited(0), timedOut: row.stdoutCut && row.stderrCut, stdoutCut: row.stdoutCut, stderrCut: row.stderrCut)
        #expect(try Self.body(summary, ExecRequest(command: "c")) == row.expected)
    }

    @Test("a character cut by the output cap is dropped; the same bytes uncut are not UTF-8", arguments: [
        ("68e282", "h", false), ("68f09f98", "h", false), ("68c3", "h", false), ("68e282ac", "h\\u20ac", true), ("68", "h", true),
    ])
    func cutCharacter(_ row: (hex: String, content: String, wholeIsValid: Bool)) throws {
        let request = ExecRequest(command: "c", stdout: .init(capture: true))
        let cut = try Self.body(Self.summary(.exited(0), stdoutCut: true), stdout: bytes(hex: row.hex), request)
        #expect(cut == #"{"return":0,"stderr":null,"stdout":{"content":"\#(row.content)","encode":null},"truncated":{"stderr":false,"stdout":true}}"#)
        let whole = try? Self.body(JobSummary(termination: .exited(0)), stdout: bytes(hex: row.hex), request)
        #expect((whole != nil) == row.wholeIsValid)
    }

    @Test("a truncated stream that is invalid before the cut still fails")
    func truncatedInvalid() {
        let request = ExecRequest(command: "c", stdout: .init(capture: true))
        #expect(throws: APIError.self) {
            _ = try ExecResponse.body(summary: Self.summary(.exited(0), stdoutCut: true), stdout: [0xFF, 0x41], stderr: [], request: request)
        }
        #expect(throws: APIError.self) {
            // A lead byte that can never start a valid sequence (overlong) at the cut.
            _ = try ExecResponse.body(summary: Self.summary(.exited(0), stdoutCut: true), stdout: [0x41, 0xE0, 0x80], stderr: [], request: request)
        }
    }

    @Test("captured text must be strict UTF-8, as Python decodes it", arguments: ResponseTables.utf8)
    func strictUTF8(_ row: (hex: String, valid: Bool)) {
        for stream in ["stdout", "stderr"] {
            let text = ExecRequest.OutputOptions(capture: true)
            let request = stream == "stdout" ? ExecRequest(command: "c", stdout: text) : ExecRequest(command: "c", stderr: text)
            let output = bytes(hex: row.hex)
            do {
                _ = try ExecResponse.body(summary: JobSummary(termination: .exited(0)), stdout: output, stderr: output, request: request)
                #expect(row.valid)
            } catch {
                #expect(!row.valid)
                #expect(error.status == 502)
                #expect(error.code == .outputNotUTF8)
                #expect(error.message.contains(stream))
            }
        }
    }

    @Test("output of a stream that was not captured is ignored, even when it is not UTF-8")
    func uncapturedIgnored() throws {
        #expect(try Self.body(JobSummary(termination: .exited(0)), stdout: [0xFF], stderr: [0xFE], ExecRequest(command: "c"))
            == #"{"return":0,"stderr":null,"stdout":null}"#)
    }

    @Test("encoded output never needs to be UTF-8")
    func encodedBinary() throws {
        let request = ExecRequest(command: "c", stdout: .init(capture: true, encoding: .base64))
        #expect(try Self.body(JobSummary(termination: .exited(0)), stdout: [0xFF, 0xFE], request)
            == #"{"return":0,"stderr":null,"stdout":{"content":"//4=","encode":"base64"}}"#)
    }
}
