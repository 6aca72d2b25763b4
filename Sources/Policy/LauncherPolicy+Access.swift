import TOMLKit

/// Who jobs run as, who may reach the launcher, and how many jobs run at once.
extension PolicyTableReader {
    /// `sun_path` holds 108 bytes including the terminating NUL.
    static let maxSocketPathBytes = 107

    /// `[run_as]`. Names are not resolved here (the accounts may not exist where the policy is
    /// checked); root, by name or id, needs `allow_root = true`.
    func runAs(defaults: LauncherPolicy.RunAs) throws(PolicyError) -> LauncherPolicy.RunAs {
        try rejectUnknownKeys(["user", "group", "allow_root", "uid_range", "allow_peer_identity"])
        var runAs = defaults
        runAs.user = try account("user") ?? runAs.user
        runAs.group = try account("group") ?? runAs.group
        runAs.allowRoot = try bool("allow_root") ?? runAs.allowRoot
        runAs.allowPeerIdentity = try bool("allow_peer_identity") ?? runAs.allowPeerIdentity
        if let v = value("uid_range") {
            guard let text = v.string else { throw wrongType("uid_range", v, expected: "a string such as \"61000-61999\"") }
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let low = UInt32(parts[0]), let high = UInt32(parts[1]), low >= 1000, low <= high,
                  high < UInt32.max - 1 else {
                throw error(.invalidField, "uid_range", "run_as.uid_range must look like \"61000-61999\" (first >= 1000, first <= last), found \"\(text)\"")
            }
            guard runAs.user == nil && runAs.group == nil else {
                throw error(.invalidField, "uid_range", "run_as.uid_range replaces user and group; set one or the other")
            }
            runAs.uidRange = low...high
        }
        for (key, value) in [("user", runAs.user), ("group", runAs.group)] where !runAs.allowRoot {
            if let value, PolicyNameRules.isRoot(value) {
                throw error(.invalidField, key, "run_as.\(key) is \"\(value)\" but allow_root is false: jobs would run with the superuser's rights")
            }
        }
        return runAs
    }

    /// `[concurrency]`.
    func concurrency(defaults: LauncherPolicy.Concurrency) throws(PolicyError) -> LauncherPolicy.Concurrency {
        try rejectUnknownKeys(["max_jobs", "max_per_command"])
        var concurrency = defaults
        concurrency.maxJobs = try count("max_jobs") ?? concurrency.maxJobs
        concurrency.maxPerCommand = try count("max_per_command") ?? concurrency.maxPerCommand
        return concurrency
    }

    /// `[peers]`: lists of user and group names or ids.
    func peers(defaults: LauncherPolicy.Peers) throws(PolicyError) -> LauncherPolicy.Peers {
        try rejectUnknownKeys(["users", "groups"])
        var peers = defaults
        peers.users = try accounts("users") ?? peers.users
        peers.groups = try accounts("groups") ?? peers.groups
        return peers
    }

    /// `[socket]`. The mode must not grant anything to "other": the launcher starts jobs, so only
    /// its owner and the front-end's group may connect.
    func socket(defaults: LauncherPolicy.Socket) throws(PolicyError) -> LauncherPolicy.Socket {
        try rejectUnknownKeys(["path", "group", "mode"])
        var socket = defaults
        if let path = try string("path") {
            guard path.hasPrefix("/") else {
                throw error(.invalidField, "path", "socket.path must be an absolute path, found \"\(path)\"")
            }
            let normalised = PolicyFileSystem.absolute(path, relativeTo: "/")
            guard normalised != "/" else { throw error(.invalidField, "path", "socket.path must name a file") }
            guard normalised.utf8.count <= Self.maxSocketPathBytes else {
                throw error(.invalidField, "path", "socket.path is \(normalised.utf8.count) bytes long; a Unix socket path has at most \(Self.maxSocketPathBytes)")
            }
            socket.path = normalised
        }
        socket.group = try account("group") ?? socket.group
        if let v = value("mode") {
            guard let text = v.string else {
                throw wrongType("mode", v, expected: "an octal string such as \"0660\" (a bare 660 would be read as decimal)")
            }
            let digits = text.hasPrefix("0o") ? text.dropFirst(2) : Substring(text)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }),
                  let mode = UInt32(digits, radix: 8), mode <= 0o777 else {
                throw error(.invalidField, "mode", "socket.mode must be an octal permission string between \"0000\" and \"0777\", found \"\(text)\"")
            }
            guard mode & 0o007 == 0 else {
                throw error(.invalidField, "mode", "socket.mode \"\(text)\" grants access to other users; other users must not reach the launcher (use \"0660\" with socket.group)")
            }
            socket.mode = mode
        }
        return socket
    }

    /// A user or group: a name, or a numeric id (as a string or an integer).
    private func account(_ key: String) throws(PolicyError) -> String? {
        guard let v = value(key) else { return nil }
        return try account(v, at: path(key), name: key)
    }

    private func accounts(_ key: String) throws(PolicyError) -> [String]? {
        guard let items = try elements(key, expected: "an array of names or numeric ids") else { return nil }
        var out: [String] = []
        for item in items {
            out.append(try account(item.value, at: item.path, name: key))
        }
        return out
    }

    private func account(_ v: any TOMLValueConvertible, at path: [PolicyKeySegment], name: String) throws(PolicyError) -> String {
        let text: String
        if let s = v.string {
            text = s
        } else if let n = v.int {
            guard n >= 0 else { throw document.error(.invalidField, at: path, "\(name): \(n) is not a valid numeric id (0…4294967294)") }
            text = String(n)
        } else {
            throw document.error(.invalidField, at: path, "\(name) must be a name or a numeric id, found \(typeName(v))")
        }
        if let problem = PolicyNameRules.accountProblem(text) {
            throw document.error(.invalidField, at: path, problem)
        }
        return text
    }
}
