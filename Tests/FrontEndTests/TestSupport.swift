import FrontEnd
import LauncherProtocol
import Testing

/// Bytes from a hex string ("" → []).
func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    precondition(digits.count % 2 == 0)
    func value(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: preconditionFailure("not lowercase hex")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
}

/// A deterministic generator (SplitMix64), so random tests fail the same way every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Decodes a request the way the server will: JSON content type unless told otherwise.
func decode(
    _ body: String, path: String = "/echo", contentType: String? = "application/json",
    limits: RequestLimits = RequestLimits()
) throws(APIError) -> ExecRequest {
    try ExecRequest.decode(path: path, contentType: contentType, body: Array(body.utf8), limits: limits)
}

/// The `APIError` that `body` throws, or nil (and an issue) when it decodes.
func decodeError(
    _ body: [UInt8], path: String = "/echo", contentType: String? = "application/json",
    limits: RequestLimits = RequestLimits(), sourceLocation: SourceLocation = #_sourceLocation
) -> APIError? {
    do {
        let request = try ExecRequest.decode(path: path, contentType: contentType, body: body, limits: limits)
        Issue.record("expected an error, decoded \(request)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// True when `message` holds something that looks like an absolute path (a `/` at the start or
/// after a space, quote, backtick, `(` or `=`) or a control character.
func looksUnsafe(_ message: String) -> Bool {
    var previous: Character = " "
    for character in message {
        if character == "/", " \"'`(=".contains(previous) { return true }
        previous = character
    }
    return message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
}

/// A JSON string literal for `text` (escaping only what JSON requires), to build bodies.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// One row of `ResponseTables.bodies`.
struct ResponseCase: Sendable, CustomTestStringConvertible {
    let name: String
    let stdout: [UInt8]
    let stdoutMode: String
    let stderr: [UInt8]
    let stderrMode: String
    let termination: JobSummary.Termination
    let expected: String

    init(
        _ name: String, stdout: String, _ stdoutMode: String, stderr: String, _ stderrMode: String,
        _ termination: JobSummary.Termination, _ expected: String
    ) {
        self.name = name
        self.stdout = bytes(hex: stdout)
        self.stdoutMode = stdoutMode
        self.stderr = bytes(hex: stderr)
        self.stderrMode = stderrMode
        self.termination = termination
        self.expected = expected
    }

    var testDescription: String { name }

    static func options(_ mode: String) -> ExecRequest.OutputOptions {
        switch mode {
        case "none": .discard
        case "text": ExecRequest.OutputOptions(capture: true)
        default: ExecRequest.OutputOptions(capture: true, encoding: StreamEncoding(rawValue: mode)!)
        }
    }

    var request: ExecRequest {
        ExecRequest(command: "cmd", stdout: Self.options(stdoutMode), stderr: Self.options(stderrMode))
    }
}
