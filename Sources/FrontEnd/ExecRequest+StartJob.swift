import LauncherProtocol

extension ExecRequest {
    /// The launcher's `start` message for this request.
    ///
    /// `requestID` and `clientAddress` are cut (at a character boundary) to the protocol's
    /// `maxRequestIDBytes` and `maxClientAddressBytes`, so the result always encodes: `decode`
    /// already checked that everything else fits one frame (`startFrameBytes`).
    public func startJob(requestID: String, clientAddress: String) -> StartJob {
        StartJob(
            requestID: Self.prefix(requestID, maxBytes: ProtocolLimits.maxRequestIDBytes),
            command: command,
            arguments: arguments,
            environment: environment,
            stdin: stdin == nil ? .none : .stream,
            captureStdout: stdout.capture,
            captureStderr: stderr.capture,
            timeoutMilliseconds: timeoutMilliseconds ?? 0,
            clientAddress: Self.prefix(clientAddress, maxBytes: ProtocolLimits.maxClientAddressBytes))
    }

    /// The messages that carry stdin after the launcher's `accepted`: `stdinData` chunks of at
    /// most `ProtocolLimits.maxChunkBytes`, then `stdinClose`. Empty when there is no stdin
    /// (the job was started with `stdin: .none`); just `stdinClose` for an empty stdin.
    public func stdinMessages() -> [ClientMessage] {
        guard let stdin else { return [] }
        var messages: [ClientMessage] = []
        messages.reserveCapacity(stdin.count / ProtocolLimits.maxChunkBytes + 2)
        var start = 0
        while start < stdin.count {
            let end = min(start + ProtocolLimits.maxChunkBytes, stdin.count)
            messages.append(.stdinData(Array(stdin[start..<end])))
            start = end
        }
        messages.append(.stdinClose)
        return messages
    }

    /// The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that ends on a character.
    private static func prefix(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > maxBytes { break }
            result.append(character)
            used += size
        }
        return result
    }
}
