/// The `start` payload, in order:
/// requestID `string` (≤ `maxRequestIDBytes`), command `string` (≤ `maxCommandBytes`),
/// arguments: `u16` count (≤ `maxArguments`) then each `string` (≤ `maxValueBytes`),
/// environment: `u16` count (≤ `maxEnvironmentEntries`) then each name `string`
/// (≤ `maxEnvironmentNameBytes`) and value `string` (≤ `maxValueBytes`),
/// stdin `u8` (`StdinMode` raw value), captureStdout `bool`, captureStderr `bool`,
/// timeoutMilliseconds `u32`, clientAddress `string` (≤ `maxClientAddressBytes`).
///
/// Within their limits, the fields together may still exceed `maxFrameSize`; the encoder then
/// throws `encode.too_large`.
extension StartJob {
    init(from payload: inout ByteReader) throws(ProtocolError) {
        let requestID = try payload.readString("start.requestID", limit: ProtocolLimits.maxRequestIDBytes)
        let command = try payload.readString("start.command", limit: ProtocolLimits.maxCommandBytes)

        let argumentCount = try payload.readCount("start.arguments", limit: ProtocolLimits.maxArguments)
        // Each element takes at least its 4-byte length, so a lying count cannot over-reserve.
        var arguments: [String] = []
        arguments.reserveCapacity(min(argumentCount, payload.remaining / 4))
        for _ in 0..<argumentCount {
            arguments.append(try payload.readString("start.arguments[]", limit: ProtocolLimits.maxValueBytes))
        }

        let environmentCount = try payload.readCount("start.environment", limit: ProtocolLimits.maxEnvironmentEntries)
        var environment: [EnvironmentEntry] = []
        environment.reserveCapacity(min(environmentCount, payload.remaining / 8))
        for _ in 0..<environmentCount {
            let name = try payload.readString("start.environment[].name", limit: ProtocolLimits.maxEnvironmentNameBytes)
            let value = try payload.readString("start.environment[].value", limit: ProtocolLimits.maxValueBytes)
            environment.append(EnvironmentEntry(name: name, value: value))
        }

        self.init(
            requestID: requestID,
            command: command,
            arguments: arguments,
            environment: environment,
            stdin: try payload.readEnum(StdinMode.self, "start.stdin"),
            captureStdout: try payload.readBool("start.captureStdout"),
            captureStderr: try payload.readBool("start.captureStderr"),
            timeoutMilliseconds: try payload.readUInt32("start.timeoutMilliseconds"),
            clientAddress: try payload.readString("start.clientAddress", limit: ProtocolLimits.maxClientAddressBytes)
        )
    }

    func encode(to writer: inout ByteWriter) throws(ProtocolError) {
        try writer.writeString(requestID, "start.requestID", limit: ProtocolLimits.maxRequestIDBytes)
        try writer.writeString(command, "start.command", limit: ProtocolLimits.maxCommandBytes)
        try writer.writeCount(arguments.count, "start.arguments", limit: ProtocolLimits.maxArguments)
        for argument in arguments {
            try writer.writeString(argument, "start.arguments[]", limit: ProtocolLimits.maxValueBytes)
        }
        try writer.writeCount(environment.count, "start.environment", limit: ProtocolLimits.maxEnvironmentEntries)
        for entry in environment {
            try writer.writeString(entry.name, "start.environment[].name", limit: ProtocolLimits.maxEnvironmentNameBytes)
            try writer.writeString(entry.value, "start.environment[].value", limit: ProtocolLimits.maxValueBytes)
        }
        writer.writeInteger(stdin.rawValue)
        writer.writeBool(captureStdout)
        writer.writeBool(captureStderr)
        writer.writeInteger(timeoutMilliseconds)
        try writer.writeString(clientAddress, "start.clientAddress", limit: ProtocolLimits.maxClientAddressBytes)
    }
}
