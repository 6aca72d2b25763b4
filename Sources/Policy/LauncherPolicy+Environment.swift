import TOMLKit

extension PolicyTableReader {
    static let environmentKeys = ["base", "deny", "deny_extra", "allow"]

    /// `[environment]`, starting from `defaults` (the base environment and deny list of
    /// ``LauncherPolicy/init(sourcePath:execRoot:)``).
    ///
    /// `base` replaces the default base environment; `deny` replaces the default deny list while
    /// `deny_extra` adds to it (giving both is an error: one of them would be ignored in spirit).
    func environmentPolicy(defaults: LauncherPolicy.EnvironmentPolicy) throws(PolicyError) -> LauncherPolicy.EnvironmentPolicy {
        try rejectUnknownKeys(Self.environmentKeys)
        var environment = defaults
        if let base = try table("base") { environment.base = try base.environmentBase() }
        let deny = try strings("deny", PolicyNameRules.environmentPatternProblem)
        let denyExtra = try strings("deny_extra", PolicyNameRules.environmentPatternProblem)
        if deny != nil && denyExtra != nil {
            throw error(.invalidField, "deny_extra", "give either deny (replaces the default deny list) or deny_extra (adds to it), not both")
        }
        if let deny { environment.deny = uniqued(deny) }
        if let denyExtra { environment.deny = uniqued(environment.deny + denyExtra) }
        environment.allow = try strings("allow", PolicyNameRules.environmentPatternProblem) ?? environment.allow
        return environment
    }

    /// `base`: names and string values, in the order the file lists them (TOMLKit returns keys
    /// sorted; the source map knows the order).
    private func environmentBase() throws(PolicyError) -> [LauncherPolicy.NameValue] {
        let names = table.keys.sorted { a, b in
            let (oa, ob) = (document.map.ordinal(of: path(a)), document.map.ordinal(of: path(b)))
            return oa != ob ? oa < ob : a < b
        }
        var out: [LauncherPolicy.NameValue] = []
        for name in names {
            if let problem = PolicyNameRules.environmentNameProblem(name) {
                throw error(.invalidField, name, problem)
            }
            guard let value = try string(name) else { continue }
            if let problem = PolicyNameRules.environmentValueProblem(value) {
                throw error(.invalidField, name, problem)
            }
            out.append(LauncherPolicy.NameValue(name, value))
        }
        return out
    }

    private func uniqued(_ patterns: [String]) -> [String] {
        var seen: Set<String> = []
        return patterns.filter { seen.insert($0).inserted }
    }
}
