import LauncherProtocol

/// The launcher's `stats` entries in the Prometheus text format, appended after the front-end's
/// own metrics.
///
/// Nothing is escaped because nothing needs to be: the decoder accepted only names of
/// `[a-z_][a-z0-9_]*` and label values of printable ASCII without `"` or `\`; the checks are
/// repeated here, so an entry that does not meet them is dropped rather than rendered. The text
/// stays valid whatever the launcher sends: one `# TYPE` line per family, every sample of a
/// family right after it (entries of a name are grouped even when the launcher interleaves them),
/// the family's kind taken from its first entry (later entries of the other kind are dropped), no
/// sample twice, and no name that collides with one of the front-end's own.
enum MetricsExposition {
    /// The prefix of every launcher metric.
    static let launcherPrefix = "httpexec_launcher_"

    /// Appends `entries` to `bytes`, skipping families whose full name is in `reserved`.
    static func appendLauncherEntries(_ entries: [StatsEntry], to bytes: inout [UInt8], reserved: Set<String>) {
        var families: [Family] = []
        var index: [String: Int] = [:]
        for entry in entries where isRenderable(entry) {
            if let i = index[entry.name] {
                guard families[i].kind == entry.kind, families[i].labels.insert(entry.label).inserted else { continue }
                families[i].samples.append(entry)
            } else if !reserved.contains(launcherPrefix + entry.name) {
                index[entry.name] = families.count
                families.append(Family(name: entry.name, kind: entry.kind, samples: [entry], labels: [entry.label]))
            }
        }
        for family in families {
            append("# TYPE ", to: &bytes)
            append(launcherPrefix, to: &bytes)
            append(family.name, to: &bytes)
            append(family.kind == .counter ? " counter\n" : " gauge\n", to: &bytes)
            for sample in family.samples {
                append(launcherPrefix, to: &bytes)
                append(sample.name, to: &bytes)
                if let label = sample.label {
                    bytes.append(UInt8(ascii: "{"))
                    append(label.name, to: &bytes)
                    append("=\"", to: &bytes)
                    append(label.value, to: &bytes)
                    append("\"}", to: &bytes)
                }
                bytes.append(UInt8(ascii: " "))
                append(String(sample.value), to: &bytes)
                bytes.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// One metric family: its samples in the order the launcher sent them.
    private struct Family {
        let name: String
        let kind: StatsEntry.Kind
        var samples: [StatsEntry]
        /// The label of every sample so far (nil for the unlabelled one), to drop repeats.
        var labels: Set<StatsEntry.Label?>
    }

    /// Whether `entry` can be written as it is: a valid name, and a label that is a valid name
    /// (not one of Prometheus's reserved `__` names) with a valid value.
    static func isRenderable(_ entry: StatsEntry) -> Bool {
        guard StatsEntry.isValidName(entry.name) else { return false }
        guard let label = entry.label else { return true }
        return StatsEntry.isValidName(label.name) && !label.name.hasPrefix("__") && StatsEntry.isValidLabelValue(label.value)
    }

    private static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
    }
}
