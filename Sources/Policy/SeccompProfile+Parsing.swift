import Crypto

extension SeccompProfile {
    private static let topLevelKeys: Set<String> = [
        "defaultAction", "defaultErrnoRet", "architectures", "archMap", "flags", "syscalls",
        "listenerPath", "listenerMetadata", "comment",
    ]
    private static let ruleKeys: Set<String> = [
        "names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes",
    ]
    private static let argKeys: Set<String> = ["index", "value", "valueTwo", "op"]
    private static let conditionKeys: Set<String> = ["caps", "arches", "minKernel"]
    /// Filter flags we can install; TSYNC is meaningless for a single-threaded child and the
    /// notify-related ones need a listener we do not run.
    static let supportedFlags: [String: UInt32] = [
        "SECCOMP_FILTER_FLAG_LOG": 2, "SECCOMP_FILTER_FLAG_SPEC_ALLOW": 4,
    ]

    /// Parses an OCI or Docker seccomp profile.
    ///
    /// - Parameters:
    ///   - bytes: the file's exact contents (their SHA-256 becomes ``contentHash``).
    ///   - name: display name for logs and errors.
    /// - Throws: `PolicyError` naming the offending rule for malformed JSON, unknown keys,
    ///   actions, operators or flags, and out-of-range values.
    public static func parse(_ bytes: [UInt8], name: String) throws(PolicyError) -> SeccompProfile {
        let root = try JSONObjectReader(JSONValue.parse(bytes, what: "seccomp profile \"\(name)\""), at: "profile")
        try root.rejectUnknownKeys(topLevelKeys)

        if let path = try root.string("listenerPath"), !path.isEmpty {
            throw PolicyError(.unsupported, at: "profile", "\"listenerPath\" needs a user-notification listener, which httpexec does not run")
        }
        guard let defaultName = try root.string("defaultAction") else {
            throw PolicyError(.invalidField, at: "profile", "\"defaultAction\" is required")
        }
        let defaultErrno = try root.unsigned("defaultErrnoRet", max: 4095).map(UInt16.init)
        let defaultAction = try action(named: defaultName, errno: defaultErrno, at: "profile.defaultAction")

        var architectures = try root.strings("architectures") ?? []
        if let archMap = try root.array("archMap") {
            for (i, entry) in archMap.enumerated() {
                let item = try JSONObjectReader(entry, at: "archMap[\(i)]")
                try item.rejectUnknownKeys(["architecture", "subArchitectures"])
                if let arch = try item.string("architecture") { architectures.append(arch) }
                architectures += try item.strings("subArchitectures") ?? []
            }
        }

        let flags = try root.strings("flags") ?? []
        for flag in flags where supportedFlags[flag] == nil {
            throw PolicyError(.unsupported, at: "profile.flags", "flag \"\(flag)\" is not supported (supported: \(supportedFlags.keys.sorted().joined(separator: ", ")))")
        }

        var rules: [SeccompRule] = []
        let ruleValues: [JSONValue] = try root.array("syscalls") ?? []
        for (i, entry) in ruleValues.enumerated() {
            rules.append(try rule(entry, index: i))
        }

        let hash = SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        return SeccompProfile(
            name: name, defaultAction: defaultAction, architectures: architectures, flags: flags,
            rules: rules, contentHash: hash
        )
    }

    private static func rule(_ value: JSONValue, index: Int) throws(PolicyError) -> SeccompRule {
        let provisional = try JSONObjectReader(value, at: "syscalls[\(index)]")
        let comment = try provisional.string("comment")
        // Name the rule by its comment when it has one: that is what an operator searches for.
        let label = SeccompRule(names: (try? provisional.strings("names")) ?? [], action: .allow, comment: comment, index: index).location
        let obj = JSONObjectReader(fields: provisional.fields, location: label)
        try obj.rejectUnknownKeys(ruleKeys)

        var names = try obj.strings("names") ?? []
        if let legacy = try obj.string("name") { names.append(legacy) }
        guard !names.isEmpty else {
            throw PolicyError(.invalidField, at: label, "a rule needs at least one syscall name in \"names\"")
        }
        for n in names where n.isEmpty || n.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw PolicyError(.unknownSyscall, at: label, "\"\(n)\" is not a syscall name")
        }
        guard let actionName = try obj.string("action") else {
            throw PolicyError(.invalidField, at: label, "\"action\" is required")
        }
        let errno = try obj.unsigned("errnoRet", max: 4095).map(UInt16.init)
        let action = try action(named: actionName, errno: errno, at: label)

        var args: [SeccompArgument] = []
        let argValues: [JSONValue] = try obj.array("args") ?? []
        for (j, entry) in argValues.enumerated() {
            let arg = try JSONObjectReader(entry, at: "\(label).args[\(j)]")
            try arg.rejectUnknownKeys(argKeys)
            guard let index = try arg.unsigned("index", max: 5) else {
                throw PolicyError(.invalidField, at: arg.location, "\"index\" (0-5) is required")
            }
            guard let opName = try arg.string("op") else {
                throw PolicyError(.invalidField, at: arg.location, "\"op\" is required")
            }
            guard let op = SeccompArgument.Operator(rawValue: opName) else {
                throw PolicyError(.unknownOperator, at: arg.location, "unknown operator \"\(opName)\" (known: \(SeccompArgument.Operator.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            args.append(SeccompArgument(
                index: UInt32(index), value: try arg.unsigned("value") ?? 0,
                valueTwo: try arg.unsigned("valueTwo") ?? 0, op: op))
        }

        return SeccompRule(
            names: names, action: action, args: args,
            includes: try condition(obj.fields["includes"], at: "\(label).includes"),
            excludes: try condition(obj.fields["excludes"], at: "\(label).excludes"),
            comment: comment, index: index)
    }

    private static func condition(_ value: JSONValue?, at location: String) throws(PolicyError) -> SeccompCondition {
        guard let value, case .object = value else {
            if let value, case .null = value { return SeccompCondition() }
            if value == nil { return SeccompCondition() }
            throw PolicyError(.invalidField, at: location, "must be an object")
        }
        let obj = try JSONObjectReader(value, at: location)
        try obj.rejectUnknownKeys(conditionKeys)
        var minKernel: KernelVersion?
        if let text = try obj.string("minKernel") {
            guard let v = KernelVersion(parsing: text) else {
                throw PolicyError(.invalidField, at: location, "\"minKernel\" must look like \"5.8\"")
            }
            minKernel = v
        }
        return SeccompCondition(caps: try obj.strings("caps") ?? [], arches: try obj.strings("arches") ?? [], minKernel: minKernel)
    }

    /// Maps an OCI action name (plus its errno, where one applies) to an action.
    static func action(named name: String, errno: UInt16?, at location: String) throws(PolicyError) -> SeccompAction {
        switch name {
        case "SCMP_ACT_ALLOW": return .allow
        case "SCMP_ACT_ERRNO": return .errno(errno ?? 1) // the runtime-spec default is EPERM
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return .killThread
        case "SCMP_ACT_KILL_PROCESS": return .killProcess
        case "SCMP_ACT_TRAP": return .trap
        case "SCMP_ACT_TRACE": return .trace(errno ?? 38)
        case "SCMP_ACT_LOG": return .log
        case "SCMP_ACT_NOTIFY":
            throw PolicyError(.unsupported, at: location, "SCMP_ACT_NOTIFY needs a user-notification listener, which httpexec does not run")
        default:
            throw PolicyError(.unknownAction, at: location, "unknown action \"\(name)\"")
        }
    }
}
