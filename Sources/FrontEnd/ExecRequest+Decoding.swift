/// Decoding and validating a request, all of it before anything runs.
extension ExecRequest {
    /// Decodes `POST /<path>` into a request, or says why it must be refused.
    ///
    /// Checks, in this order (the first failure is the answer):
    /// 1. the path (`CommandPath.normalise`) → 404 `not_found`;
    /// 2. the body size → 413 `body_too_large`;
    /// 3. the media type: a body declared as JSON (`application/json`, `application/…+json`,
    ///    case-insensitive, parameters ignored) is parsed; an **empty** body with any other or no
    ///    `Content-Type` means "all defaults", as in the original (`curl -X POST URL` runs the
    ///    command); a **non-empty** body that is not declared as JSON → 415
    ///    `unsupported_media_type` (the original silently ignored it and ran with defaults);
    /// 4. strict JSON (`JSONParser`) → 400 `invalid_json`; an empty JSON body is 400 as it was;
    /// 5. the document: an object, or `null` meaning all defaults; any other value → 400
    ///    `invalid_request` (the original ran `false`, `0`, `""` and `[]` as `{}` and failed on
    ///    the rest with 500);
    /// 6. each field, with `null` meaning absent and unknown keys ignored at every level (see
    ///    `docs/api.md` for the per-field rules and codes);
    /// 7. sizes: arguments and environment against `limits`, and the whole `start` frame.
    ///
    /// - Parameters:
    ///   - path: the request path after percent-decoding (e.g. from `CommandPath` or the router).
    ///   - contentType: the `Content-Type` header, if any.
    ///   - body: the complete body.
    ///   - limits: the bounds to apply.
    /// - Throws: `APIError` with status 400, 404, 413 or 415; its message never repeats the path.
    public static func decode(
        path: String, contentType: String?, body: [UInt8], limits: RequestLimits = RequestLimits()
    ) throws(APIError) -> ExecRequest {
        var request = ExecRequest(command: try CommandPath.normalise(path))
        guard body.count <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        guard ContentType.isJSON(contentType) else {
            guard body.isEmpty else {
                throw APIError(
                    status: 415, code: .unsupportedMediaType,
                    message: "A request body must be sent as Content-Type: application/json.")
            }
            return request
        }

        let document: JSONValue
        do {
            document = try JSONParser.parse(body, maxDepth: limits.maxDepth)
        } catch {
            throw APIError(
                status: 400, code: .invalidJSON, message: "The body is not valid JSON: \(error.reason) (byte \(error.offset)).")
        }
        switch document {
        case .null:
            return request
        case .object(let fields):
            try request.apply(fields, limits: limits)
        default:
            throw invalidRequest("The request body must be a JSON object, not \(document.typeName).")
        }
        try request.checkSizes(limits)
        return request
    }

    /// Reads every known field of the body object; unknown keys are ignored.
    private mutating func apply(_ fields: JSONObject, limits: RequestLimits) throws(APIError) {
        arguments = try Self.arguments(fields["args"], limits: limits)
        stdin = try Self.stdin(fields["stdin"])
        stdout = try Self.output(fields["stdout"], name: "stdout")
        stderr = try Self.output(fields["stderr"], name: "stderr")
        environment = try Self.environment(fields["environment"], limits: limits)
        timeoutMilliseconds = try Self.timeout(fields["timeout"], limits: limits)
    }

    /// 400 `invalid_request`.
    static func invalidRequest(_ message: String) -> APIError {
        APIError(status: 400, code: .invalidRequest, message: message)
    }
}
