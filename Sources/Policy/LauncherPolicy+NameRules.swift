/// The syntax of names a policy file contains. Each check returns the problem, or nil when the
/// name is acceptable, so callers can attach the file location.
/// The naming rules of the policy, shared with the launcher's own re-validation.
public enum PolicyNameRules {
    /// An environment variable name in `base` (exact; no pattern).
    static func environmentNameProblem(_ name: String) -> String? {
        if let problem = environmentTextProblem(name) { return problem }
        if name.contains("*") { return "\"\(name)\": base names are exact names, not patterns ('*' is not allowed)" }
        return nil
    }

    /// An entry of `deny` / `allow` / `environment_allow`: an exact name or `PREFIX*`.
    static func environmentPatternProblem(_ pattern: String) -> String? {
        if let problem = environmentTextProblem(pattern) { return problem }
        if let star = pattern.firstIndex(of: "*"), star != pattern.index(before: pattern.endIndex) {
            return "\"\(pattern)\": '*' may only appear once, at the end of a pattern (PREFIX*)"
        }
        return nil
    }

    /// `execve` splits `NAME=value` at the first '=' and C strings end at NUL, so a name with
    /// either would mean something other than what is written.
    private static func environmentTextProblem(_ name: String) -> String? {
        if name.isEmpty { return "environment variable names must not be empty" }
        if name.contains("=") { return "\"\(name)\": environment variable names must not contain '='" }
        if name.utf8.contains(0) { return "environment variable names must not contain NUL" }
        return nil
    }

    /// A value of the base environment.
    static func environmentValueProblem(_ value: String) -> String? {
        value.utf8.contains(0) ? "environment values must not contain NUL" : nil
    }

    /// A user or group: a name, or a numeric id written as a string. Names are resolved by the
    /// launcher when it starts (the accounts may not exist where the policy is checked).
    static func accountProblem(_ text: String) -> String? {
        if text.isEmpty { return "user and group names must not be empty" }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // (uid_t)-1 means "unchanged" to set*id(2): never a real account.
            guard let id = UInt32(text), id != .max else { return "\"\(text)\" is not a valid numeric id (0…4294967294)" }
            return nil
        }
        if text.hasPrefix("-") { return "\"\(text)\": names must not start with '-'" }
        if text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }) {
            return "\"\(text)\": names must not contain spaces, control characters, ':' or '/'"
        }
        return nil
    }

    /// True for the superuser, by name or id (the launcher re-checks after resolving names).
    static func isRoot(_ account: String) -> Bool { account == "root" || account == "0" }

    /// A command path as matched against requests: relative to the exec root, non-empty
    /// components, no `.` or `..` (so one command has exactly one spelling), no NUL. The launcher
    /// applies the same rule to every request path.
    public static func commandPathProblem(_ path: String) -> String? {
        if path.isEmpty { return "command paths must not be empty" }
        if path.utf8.contains(0) { return "command paths must not contain NUL" }
        // Bytes, as the kernel reads the path: on Characters a combining mark right after '/'
        // forms one Character with it, which hid a leading '/' or a '..' component (found by
        // fuzzing the front-end's copy of this rule).
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let bytes = Array(path.utf8)
        if bytes.first == slash { return "\"\(path)\": command paths are relative to exec_root and must not start with '/'" }
        for component in bytes.split(separator: slash, omittingEmptySubsequences: false)
        where component.isEmpty || component.elementsEqual([dot]) || component.elementsEqual([dot, dot]) {
            return "\"\(path)\": command paths must not have empty, '.' or '..' components"
        }
        return nil
    }
}
