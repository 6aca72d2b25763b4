import LauncherProtocol

/// Turns what the launcher reports into the HTTP answer.
///
/// The 200 body is byte for byte the original's for every job that ran normally:
/// `{"return":N,"stderr":S,"stdout":S}` with sorted keys, compact, ASCII-escaped (see
/// `JSONWriter`), where S is `null` when the stream was not captured and otherwise
/// `{"content":"…","encode":<scheme or null>}`, and N is the exit status, or `-signal` for a
/// command killed by a signal.
///
/// Two keys are added, only when they are true, so ordinary responses stay identical and old
/// clients keep parsing (they ignore keys they do not know):
/// - `"timed_out":true` when the launcher stopped the command at its timeout (`return` is then
///   the signal that ended it, e.g. -15);
/// - `"truncated":{"stderr":B,"stdout":B}` when a stream produced more than the launcher's
///   output cap and only the first bytes were kept (both members are always present).
public enum ExecResponse {
    /// The media type of `body`.
    public static let contentType = "application/json"

    /// The 200 body for a finished job.
    ///
    /// A captured stream with `encode: null` must be UTF-8, as in the original; when the
    /// launcher truncated the stream, an incomplete character cut off at the end is dropped first,
    /// so only output that really is not UTF-8 fails.
    /// - Parameters:
    ///   - summary: the launcher's `finished` summary.
    ///   - stdout: the collected `output(.stdout)` bytes (ignored when not captured).
    ///   - stderr: the collected `output(.stderr)` bytes (ignored when not captured).
    ///   - request: the request, for what to capture and how to encode it.
    /// - Throws: `APIError` 502 `output_not_utf8` when captured output with `encode: null` is not
    ///   UTF-8 (the original answered 500). The command has run by then.
    public static func body(
        summary: JobSummary, stdout: [UInt8], stderr: [UInt8], request: ExecRequest
    ) throws(APIError) -> [UInt8] {
        let stdoutTruncated = summary.stdoutBytesSeen > summary.stdoutBytesKept
        let stderrTruncated = summary.stderrBytesSeen > summary.stderrBytesKept
        let stdoutText = try content(stdout, request.stdout, name: "stdout", truncated: stdoutTruncated)
        let stderrText = try content(stderr, request.stderr, name: "stderr", truncated: stderrTruncated)

        var writer = JSONWriter(capacity: 64 + (stdoutText?.count ?? 0) + (stderrText?.count ?? 0))
        writer.raw(#"{"return":"#)
        writer.integer(returnValue(summary.termination))
        writer.raw(#","stderr":"#)
        write(stderrText, request.stderr, to: &writer)
        writer.raw(#","stdout":"#)
        write(stdoutText, request.stdout, to: &writer)
        if summary.timedOut {
            writer.raw(#","timed_out":true"#)
        }
        if stdoutTruncated || stderrTruncated {
            writer.raw(#","truncated":{"stderr":"#)
            writer.bool(stderrTruncated)
            writer.raw(#","stdout":"#)
            writer.bool(stdoutTruncated)
            writer.raw("}")
        }
        writer.raw("}")
        return writer.bytes
    }

    /// The `return` value: the exit status, or minus the signal number (Python's convention).
    public static func returnValue(_ termination: JobSummary.Termination) -> Int {
        switch termination {
        case .exited(let status): Int(status)
        case .signaled(let signal): -Int(signal)
        }
    }

    /// What a captured stream contributes: ASCII from its encoding, or validated UTF-8 bytes;
    /// nil when not captured.
    private static func content(
        _ bytes: [UInt8], _ options: ExecRequest.OutputOptions, name: String, truncated: Bool
    ) throws(APIError) -> [UInt8]? {
        guard options.capture else { return nil }
        if let encoding = options.encoding { return encoding.encode(bytes) }
        var text = bytes
        if truncated { text.removeLast(UTF8Validation.incompleteSuffixLength(text)) }
        guard UTF8Validation.firstInvalidOffset(text) == nil else {
            throw APIError(
                status: 502, code: .outputNotUTF8,
                message: "The command's \(name) is not valid UTF-8; capture it with \"encode\": \"base64\" or \"base85\".")
        }
        return text
    }

    private static func write(_ content: [UInt8]?, _ options: ExecRequest.OutputOptions, to writer: inout JSONWriter) {
        guard let content else {
            writer.raw("null")
            return
        }
        writer.raw(#"{"content":"#)
        if let encoding = options.encoding {
            writer.asciiString(content)
            writer.raw(#","encode":"#)
            writer.string(encoding.rawValue)
        } else {
            writer.string(String(decoding: content, as: UTF8.self))
            writer.raw(#","encode":null"#)
        }
        writer.raw("}")
    }
}
