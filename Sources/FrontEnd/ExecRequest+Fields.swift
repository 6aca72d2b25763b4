/// The per-field rules. `nil` (absent) and JSON `null` always mean the field's default.
extension ExecRequest {
    /// `args`: an array of strings; no string may contain NUL (C strings end there, so the
    /// command would see a different argument).
    static func arguments(_ value: JSONValue?, limits: RequestLimits) throws(APIError) -> [String] {
        switch value {
        case nil, .null?:
            return []
        case .array(let elements)?:
            guard elements.count <= limits.effectiveMaxArguments else {
                throw APIError(
                    status: 400, code: .argumentsTooLarge,
                    message: "Too many arguments: \(elements.count), at most \(limits.effectiveMaxArguments).")
            }
            var arguments: [String] = []
            arguments.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                guard case .string(let argument) = element else {
                    throw invalidRequest("\"args[\(index)]\" must be a string, not \(element.typeName).")
                }
                guard !argument.utf8.contains(0) else {
                    throw APIError(status: 400, code: .invalidArgument, message: "\"args[\(index)]\" contains a NUL character.")
                }
                guard argument.utf8.count <= limits.effectiveMaxArgumentBytes else {
                    throw APIError(
                        status: 400, code: .argumentsTooLarge,
                        message: "\"args[\(index)]\" is longer than \(limits.effectiveMaxArgumentBytes) bytes.")
                }
                arguments.append(argument)
            }
            return arguments
        case let other?:
            throw invalidRequest("\"args\" must be an array of strings or null, not \(other.typeName).")
        }
    }

    /// `stdin`: an object whose `content` (a string, or null for no stdin) is decoded with its
    /// `encode` scheme, or taken as UTF-8 text when `encode` is null. `encode` is checked even
    /// when there is no content.
    static func stdin(_ value: JSONValue?) throws(APIError) -> [UInt8]? {
        switch value {
        case nil, .null?:
            return nil
        case .object(let fields)?:
            let encoding = try encoding(fields["encode"], field: "stdin.encode")
            switch fields["content"] {
            case nil, .null?:
                return nil
            case .string(let content)?:
                guard let encoding else { return Array(content.utf8) }
                do {
                    return try encoding.decode(content)
                } catch {
                    throw APIError(
                        status: 400, code: .invalidEncoding,
                        message: "\"stdin.content\" is not valid \(encoding.rawValue): \(error.message).")
                }
            case let other?:
                throw invalidRequest("\"stdin.content\" must be a string or null, not \(other.typeName).")
            }
        case let other?:
            throw invalidRequest("\"stdin\" must be an object or null, not \(other.typeName).")
        }
    }

    /// `stdout` / `stderr`: an object with `capture` (a JSON boolean; the original used Python
    /// truthiness, so `"false"` captured) and `encode` (checked even when not capturing).
    static func output(_ value: JSONValue?, name: String) throws(APIError) -> OutputOptions {
        switch value {
        case nil, .null?:
            return .discard
        case .object(let fields)?:
            let encoding = try encoding(fields["encode"], field: "\(name).encode")
            let capture: Bool
            switch fields["capture"] {
            case nil, .null?: capture = false
            case .bool(let flag)?: capture = flag
            case let other?:
                throw invalidRequest("\"\(name).capture\" must be true or false, not \(other.typeName).")
            }
            return capture ? OutputOptions(capture: true, encoding: encoding) : .discard
        case let other?:
            throw invalidRequest("\"\(name)\" must be an object or null, not \(other.typeName).")
        }
    }

    /// An `encode` field: `"base64"`, `"base85"` (exact spelling) or null.
    static func encoding(_ value: JSONValue?, field: String) throws(APIError) -> StreamEncoding? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let name)? where StreamEncoding(rawValue: name) != nil:
            return StreamEncoding(rawValue: name)
        case _?:
            throw invalidRequest("\"\(field)\" must be \"base64\", \"base85\" or null.")
        }
    }

    /// `timeout` (not in the original): seconds as a JSON number, > 0 and at most the limit;
    /// rounded up to whole milliseconds.
    static func timeout(_ value: JSONValue?, limits: RequestLimits) throws(APIError) -> UInt32? {
        let maximum = limits.effectiveMaxTimeoutSeconds
        switch value {
        case nil, .null?:
            return nil
        case .number(let seconds)? where seconds.isFinite && seconds > 0 && seconds <= maximum:
            let milliseconds = min((seconds * 1000).rounded(.up), Double(UInt32.max))
            return max(1, UInt32(milliseconds))
        case _?:
            let shown = maximum == maximum.rounded() ? String(Int(maximum)) : String(maximum)
            throw invalidRequest("\"timeout\" must be a number of seconds greater than 0 and at most \(shown).")
        }
    }
}
