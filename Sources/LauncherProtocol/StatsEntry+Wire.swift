/// The `stats` payload: `u16` count (≤ `maxStatsEntries`), then per entry: name `string`,
/// kind `u8` (0 counter, 1 gauge), hasLabel `bool`, [label name `string`, label value `string`],
/// value `u64`. Names and label values are checked (`isValidName`, `isValidLabelValue`) on both
/// sides, so neither end renders text the other did not mean as an identifier.
extension StatsEntry {
    static func readList(from payload: inout ByteReader) throws(ProtocolError) -> [StatsEntry] {
        let count = try payload.readCount("stats.entries", limit: ProtocolLimits.maxStatsEntries)
        var entries: [StatsEntry] = []
        entries.reserveCapacity(min(count, payload.remaining / 15))
        for _ in 0..<count {
            let name = try payload.readString("stats.name", limit: ProtocolLimits.maxStatsNameBytes)
            guard isValidName(name) else { throw .invalidValue("stats.name") }
            let kind = try payload.readEnum(Kind.self, "stats.kind")
            var label: Label?
            if try payload.readBool("stats.hasLabel") {
                let labelName = try payload.readString("stats.label.name", limit: ProtocolLimits.maxStatsNameBytes)
                let labelValue = try payload.readString("stats.label.value", limit: ProtocolLimits.maxStatsNameBytes)
                guard isValidName(labelName) else { throw .invalidValue("stats.label.name") }
                guard isValidLabelValue(labelValue) else { throw .invalidValue("stats.label.value") }
                label = Label(labelName, labelValue)
            }
            entries.append(StatsEntry(name, kind, label: label, value: try payload.readUInt64("stats.value")))
        }
        return entries
    }

    static func writeList(_ entries: [StatsEntry], to writer: inout ByteWriter) throws(ProtocolError) {
        try writer.writeCount(entries.count, "stats.entries", limit: ProtocolLimits.maxStatsEntries)
        for entry in entries {
            guard isValidName(entry.name) else { throw .invalidValue("stats.name") }
            try writer.writeString(entry.name, "stats.name", limit: ProtocolLimits.maxStatsNameBytes)
            writer.writeInteger(entry.kind.rawValue)
            writer.writeBool(entry.label != nil)
            if let label = entry.label {
                guard isValidName(label.name) else { throw .invalidValue("stats.label.name") }
                guard isValidLabelValue(label.value) else { throw .invalidValue("stats.label.value") }
                try writer.writeString(label.name, "stats.label.name", limit: ProtocolLimits.maxStatsNameBytes)
                try writer.writeString(label.value, "stats.label.value", limit: ProtocolLimits.maxStatsNameBytes)
            }
            writer.writeInteger(entry.value)
        }
    }
}
