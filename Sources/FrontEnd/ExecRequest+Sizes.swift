import LauncherProtocol

/// Size checks that need the whole request.
extension ExecRequest {
    /// The size of this request's `start` frame body with the longest possible request id and
    /// client address: type 1, requestID 4 + 128, command 4 + n, two counts 2 + 2, each argument
    /// 4 + n, each variable 8 + name + value, stdin and two bools 3, timeout 4, client address
    /// 4 + 256. `decode` refuses requests where this exceeds `ProtocolLimits.maxFrameSize`.
    public var startFrameBytes: Int {
        let fixed = 1 + 4 + ProtocolLimits.maxRequestIDBytes + 4 + 2 + 2 + 3 + 4 + 4 + ProtocolLimits.maxClientAddressBytes
        let arguments = arguments.reduce(0) { $0 + 4 + $1.utf8.count }
        let environment = environment.reduce(0) { $0 + 8 + $1.name.utf8.count + $1.value.utf8.count }
        return fixed + command.utf8.count + arguments + environment
    }

    /// Arguments and environment together, against `execve`'s budget and the launcher frame.
    func checkSizes(_ limits: RequestLimits) throws(APIError) {
        let argumentBytes = arguments.reduce(0) { $0 + $1.utf8.count + 1 }
        let environmentBytes = environment.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
        guard argumentBytes + environmentBytes <= limits.maxArgumentTotalBytes else {
            throw APIError(
                status: 400, code: .argumentsTooLarge,
                message: "The arguments and environment together are larger than \(limits.maxArgumentTotalBytes) bytes.")
        }
        guard startFrameBytes <= ProtocolLimits.maxFrameSize else {
            throw APIError(
                status: 400, code: .argumentsTooLarge,
                message: "The command, arguments and environment together are too large for one request (at most about \(ProtocolLimits.maxFrameSize - Self.emptyStartFrameBytes) bytes).")
        }
    }

    /// `startFrameBytes` of a request with an empty command and nothing else.
    static var emptyStartFrameBytes: Int { ExecRequest(command: "").startFrameBytes }
}
