import LauncherProtocol

/// `environment`: variables the client adds to the launcher policy's base environment.
extension ExecRequest {
    /// An object of string values. Names must be non-empty and hold neither `=` nor NUL, values
    /// no NUL: `execve` splits `NAME=value` at the first `=` and C strings end at NUL, so such a
    /// variable would reach the command as something else (the original accepted an empty name
    /// and passed `=x`, and failed on the others with 500).
    static func environment(_ value: JSONValue?, limits: RequestLimits) throws(APIError) -> [EnvironmentEntry] {
        switch value {
        case nil, .null?:
            return []
        case .object(let fields)?:
            let members = fields.members
            guard members.count <= limits.effectiveMaxEnvironmentEntries else {
                throw APIError(
                    status: 400, code: .environmentTooLarge,
                    message: "Too many environment variables: \(members.count), at most \(limits.effectiveMaxEnvironmentEntries).")
            }
            var entries: [EnvironmentEntry] = []
            entries.reserveCapacity(members.count)
            for (name, value) in members {
                try checkName(name)
                let shown = APIError.quotedName(name).map { "environment variable \($0)" } ?? "an environment variable"
                guard case .string(let text) = value else {
                    throw invalid("The value of \(shown) must be a string, not \(value.typeName).")
                }
                guard !text.utf8.contains(0) else {
                    throw invalid("The value of \(shown) contains a NUL character.")
                }
                guard name.utf8.count + 1 + text.utf8.count <= limits.effectiveMaxArgumentBytes else {
                    throw APIError(
                        status: 400, code: .environmentTooLarge,
                        message: "NAME=value of \(shown) is longer than \(limits.effectiveMaxArgumentBytes) bytes.")
                }
                entries.append(EnvironmentEntry(name: name, value: text))
            }
            return entries
        case let other?:
            throw invalidRequest("\"environment\" must be an object of strings or null, not \(other.typeName).")
        }
    }

    private static func checkName(_ name: String) throws(APIError) {
        if name.isEmpty { throw invalid("Environment variable names must not be empty.") }
        if name.utf8.contains(UInt8(ascii: "=")) { throw invalid("Environment variable names must not contain '='.") }
        if name.utf8.contains(0) { throw invalid("Environment variable names must not contain NUL.") }
        guard name.utf8.count <= ProtocolLimits.maxEnvironmentNameBytes else {
            throw APIError(
                status: 400, code: .environmentTooLarge,
                message: "Environment variable names may be at most \(ProtocolLimits.maxEnvironmentNameBytes) bytes.")
        }
    }

    private static func invalid(_ message: String) -> APIError {
        APIError(status: 400, code: .invalidEnvironment, message: message)
    }
}
