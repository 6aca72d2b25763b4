/// The `finished` payload, in order: termination kind `u8` (0 exited, 1 signaled), `i32` status
/// or signal, flags `u8` (bit 0 timedOut, bit 1 cancelled, bit 2 outputLimitExceeded; other bits
/// must be clear), then nine `u64`: stdoutBytesSeen, stdoutBytesKept, stderrBytesSeen,
/// stderrBytesKept, stdinBytes, wallMicroseconds, userMicroseconds, systemMicroseconds, maxRSSKiB.
extension JobSummary {
    private enum TerminationKind: UInt8 {
        case exited = 0
        case signaled = 1
    }

    private enum Flag {
        static let timedOut: UInt8 = 1 << 0
        static let cancelled: UInt8 = 1 << 1
        static let outputLimitExceeded: UInt8 = 1 << 2
        static let all: UInt8 = timedOut | cancelled | outputLimitExceeded
    }

    init(from payload: inout ByteReader) throws(ProtocolError) {
        let kind = try payload.readEnum(TerminationKind.self, "finished.termination")
        let value = try payload.readInt32("finished.termination.value")
        let flags = try payload.readUInt8("finished.flags")
        guard flags & ~Flag.all == 0 else { throw .invalidValue("finished.flags") }
        self.init(
            termination: kind == .exited ? .exited(value) : .signaled(value),
            timedOut: flags & Flag.timedOut != 0,
            cancelled: flags & Flag.cancelled != 0,
            outputLimitExceeded: flags & Flag.outputLimitExceeded != 0,
            stdoutBytesSeen: try payload.readUInt64("finished.stdoutBytesSeen"),
            stdoutBytesKept: try payload.readUInt64("finished.stdoutBytesKept"),
            stderrBytesSeen: try payload.readUInt64("finished.stderrBytesSeen"),
            stderrBytesKept: try payload.readUInt64("finished.stderrBytesKept"),
            stdinBytes: try payload.readUInt64("finished.stdinBytes"),
            wallMicroseconds: try payload.readUInt64("finished.wallMicroseconds"),
            userMicroseconds: try payload.readUInt64("finished.userMicroseconds"),
            systemMicroseconds: try payload.readUInt64("finished.systemMicroseconds"),
            maxRSSKiB: try payload.readUInt64("finished.maxRSSKiB")
        )
    }

    func encode(to writer: inout ByteWriter) {
        switch termination {
        case .exited(let status):
            writer.writeInteger(TerminationKind.exited.rawValue)
            writer.writeInt32(status)
        case .signaled(let signal):
            writer.writeInteger(TerminationKind.signaled.rawValue)
            writer.writeInt32(signal)
        }
        var flags: UInt8 = 0
        if timedOut { flags |= Flag.timedOut }
        if cancelled { flags |= Flag.cancelled }
        if outputLimitExceeded { flags |= Flag.outputLimitExceeded }
        writer.writeInteger(flags)
        for counter in [stdoutBytesSeen, stdoutBytesKept, stderrBytesSeen, stderrBytesKept, stdinBytes,
                        wallMicroseconds, userMicroseconds, systemMicroseconds, maxRSSKiB] {
            writer.writeInteger(counter)
        }
    }
}
