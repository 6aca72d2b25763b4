@testable import FrontEnd
import LauncherProtocol

// `ExecRequest.decode(path:contentType:body:limits:)`: the HTTP request body's JSON parser,
// field rules, codecs and size checks, with the path and Content-Type picked by the input.
//
// Input: a selector byte, then the rest. Selector bits 0–2 pick the path, bits 3–5 the
// Content-Type, bit 6 small limits (so size errors are reachable with small inputs). For the
// paths taken from the input, the first line of the rest is the raw request target (through
// `CommandPath.fromRequestTarget`, as the router does) and the body follows it.
//
// Properties:
// - no input traps or trips AddressSanitizer;
// - refusals are `APIError`s with 400, 404, 413 or 415 and the code that goes with the status,
//   a message without control characters, and a JSON body that parses back to that code and
//   message;
// - a decoded request keeps the type's promises: a normalised command (non-empty `/`-separated
//   byte components, none `.` or `..`, no control characters, at most 4096 bytes), no NUL in any
//   argument or variable, names without `=`, every count and size within `limits`, a non-empty
//   body only when declared as JSON;
// - a decoded request is safe to send: its `start` message, with the longest request id and
//   client address, and its stdin messages all encode, and decode back equal.

private let fixedPaths = ["/echo", "tools/echo", "/sub//x/./y", "/", "/a/../b", "//bin/sh\u{0}x"]
private let contentTypes: [String?] = [
    nil, "application/json", "APPLICATION/JSON ; charset=utf-8", "\tapplication/problem+json ", "text/plain",
    "application/jsonx", "",
]

private let smallLimits = RequestLimits(
    maxBodyBytes: 512, maxDepth: 3, maxArguments: 3, maxArgumentBytes: 16, maxArgumentTotalBytes: 40,
    maxEnvironmentEntries: 2, maxTimeoutSeconds: 1.5)

/// Longer than the protocol allows, with multi-byte characters, so `startJob` must cut them.
private let longRequestID = String(repeating: "é", count: 100) + "x"
private let longClientAddress = String(repeating: "ü", count: 150) + "y"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = InputCursor(fuzzInput(data, size))
    let selector = input.byte()
    var body = input.rest
    let limits = selector & 0x40 != 0 ? smallLimits : RequestLimits()
    let contentType = contentTypes[Int(selector >> 3 & 7) % contentTypes.count]

    let path: String
    let pathChoice = Int(selector & 7)
    if pathChoice < fixedPaths.count {
        path = fixedPaths[pathChoice]
    } else {
        let line = body.prefix { $0 != 0x0A }
        body = Array(body.dropFirst(line.count + 1))
        let target = String(decoding: line, as: UTF8.self)
        do throws(APIError) {
            let normalised = try CommandPath.fromRequestTarget(target)
            checkCommand(normalised)
            // Normalising is idempotent, so the router's result goes through `decode` unchanged.
            let again: String
            do throws(APIError) { again = try CommandPath.normalise(normalised) } catch {
                violated("a normalised path is refused when normalised again")
            }
            require(again == normalised, "normalising a normalised path changes it")
            path = pathChoice == 6 ? normalised : "/" + normalised
        } catch {
            require(error == .notFound, "a request target was refused with \(error.status) \(error.code)")
            return 0
        }
    }

    do throws(APIError) {
        let request = try ExecRequest.decode(path: path, contentType: contentType, body: body, limits: limits)
        checkDecoded(request, body: body, contentType: contentType, limits: limits)
    } catch {
        checkRefusal(error)
    }
    return 0
}

/// The command promises: what the launcher's own path rule (bytes split at `/`) accepts.
private func checkCommand(_ command: String) {
    let bytes = Array(command.utf8)
    require(!bytes.isEmpty && bytes.count <= ProtocolLimits.maxCommandBytes, "command of \(bytes.count) bytes")
    for component in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
        require(!component.isEmpty && !component.elementsEqual([0x2E]) && !component.elementsEqual([0x2E, 0x2E]),
                "the command has an empty, '.' or '..' component: \(bytes)")
    }
    require(!command.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
            "the command holds a control character")
}

private func checkDecoded(_ request: ExecRequest, body: [UInt8], contentType: String?, limits: RequestLimits) {
    checkCommand(request.command)
    if !ContentType.isJSON(contentType) {
        require(body.isEmpty, "a non-empty body was accepted without a JSON Content-Type")
        require(request == ExecRequest(command: request.command), "an empty non-JSON body did not give the defaults")
    }
    require(body.count <= limits.maxBodyBytes, "a body over maxBodyBytes was accepted")

    require(request.arguments.count <= limits.effectiveMaxArguments, "too many arguments accepted")
    for argument in request.arguments {
        require(!argument.utf8.contains(0), "an argument holds NUL")
        require(argument.utf8.count <= limits.effectiveMaxArgumentBytes, "an argument over the limit was accepted")
    }
    require(request.environment.count <= limits.effectiveMaxEnvironmentEntries, "too many variables accepted")
    for entry in request.environment {
        let name = Array(entry.name.utf8)
        require(!name.isEmpty && !name.contains(UInt8(ascii: "=")) && !name.contains(0), "a bad variable name was accepted")
        require(name.count <= ProtocolLimits.maxEnvironmentNameBytes, "a variable name over the limit was accepted")
        require(!entry.value.utf8.contains(0), "a variable value holds NUL")
        require(name.count + 1 + entry.value.utf8.count <= limits.effectiveMaxArgumentBytes, "NAME=value over the limit")
    }
    let total = request.arguments.reduce(0) { $0 + $1.utf8.count + 1 }
        + request.environment.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
    require(total <= limits.maxArgumentTotalBytes, "arguments and environment over maxArgumentTotalBytes")
    if let timeout = request.timeoutMilliseconds {
        require(timeout >= 1 && Double(timeout) <= (limits.effectiveMaxTimeoutSeconds * 1000).rounded(.up),
                "timeout \(timeout) ms outside 1…\(limits.effectiveMaxTimeoutSeconds) s")
    }
    require(request.startFrameBytes <= ProtocolLimits.maxFrameSize, "startFrameBytes over the frame limit")

    // Safe to send: everything the front-end would write to the launcher encodes and decodes back.
    let job = request.startJob(requestID: longRequestID, clientAddress: longClientAddress)
    var messages: [ClientMessage] = [.start(job)]
    messages += request.stdinMessages()
    var stream: [UInt8] = []
    for message in messages {
        do throws(ProtocolError) {
            try FrameEncoder.append(message, to: &stream)
        } catch {
            violated("a decoded request's launcher message does not encode: \(error)")
        }
    }
    var decoder = ClientMessageDecoder()
    decoder.append(stream)
    var decoded: [ClientMessage] = []
    do throws(ProtocolError) {
        while let message = try decoder.next() { decoded.append(message) }
    } catch {
        violated("the launcher would refuse a decoded request's messages: \(error)")
    }
    require(decoded == messages, "a decoded request's messages do not decode back equal")
    if let stdin = request.stdin {
        let sent = messages.dropFirst().reduce(into: [UInt8]()) { bytes, message in
            if case .stdinData(let chunk) = message { bytes += chunk }
        }
        require(sent == stdin, "the stdin messages do not carry the stdin bytes")
    }
}

private func checkRefusal(_ error: APIError) {
    let expected: [Int: [APIError.Code]] = [
        400: [.invalidJSON, .invalidRequest, .invalidEncoding, .invalidArgument, .invalidEnvironment,
              .argumentsTooLarge, .environmentTooLarge],
        404: [.notFound], 413: [.bodyTooLarge], 415: [.unsupportedMediaType],
    ]
    guard let codes = expected[error.status] else { violated("refused with status \(error.status) \(error.code)") }
    require(codes.contains(error.code), "status \(error.status) with code \(error.code)")
    require(!error.message.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
            "an error message holds a control character")
    // The body the client gets is JSON this API itself would accept, with the same code and message.
    guard case .object(let top)? = try? JSONParser.parse(error.jsonBody, maxDepth: 2),
        case .object(let inner)? = top["error"], inner["code"] == .string(error.code.rawValue),
        inner["message"] == .string(error.message)
    else { violated("the error body does not parse back to its code and message") }
}
