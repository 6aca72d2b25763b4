import Policy

/// The launcher policy `httpexec serve` writes for itself when the operator names none
/// (`POLICY`): the original's settings (`EXEC_ROOT`, `FOLLOW_LINKS`) plus safe defaults, every
/// limit generous enough that each correct request the original served still works.
struct ServePolicy {
    var execRoot: String
    var followLinks: Bool
    /// The jobs' working directory: the directory `serve` was started in, as in the original
    /// (its upstream test lists it with `ls`). Jobs cannot write there unless it is world-writable.
    var workingDirectory: String
    var seccompProfile: String
    /// Jobs' user and group, when the launcher runs as root; nil runs them as the launcher's own
    /// user (an unprivileged `serve` cannot switch users).
    var jobUser: String?
    var jobGroup: String?
    var jobTimeoutSeconds: Double
    /// The largest stdin a job may get: the HTTP body limit (decoded stdin is never larger).
    var stdinCapBytes: Int
    /// The front-end's uid and gid: the only peer, and the socket's group.
    var frontEndUID: UInt32
    var frontEndGID: UInt32
    var socketPath: String
    /// `audit.file`, when the operator asked for an audit trail.
    var auditFile: String? = nil

    /// The policy as TOML.
    var text: String {
        var lines = [
            "# Written by `httpexec serve` at start-up; see docs/policy.md. Not meant to be edited:",
            "# set POLICY to use a policy file of your own instead.",
            "exec_root = \(quoted(execRoot))",
            "follow_links = \(followLinks)",
            "working_directory = \(quoted(workingDirectory))",
            "seccomp = \(quoted(seccompProfile))",
        ]
        if let jobUser {
            lines += ["", "[run_as]", "user = \(quoted(jobUser))"]
            if let jobGroup { lines.append("group = \(quoted(jobGroup))") }
        } else {
            // Unprivileged serve: jobs can only run as the one uid there is, the front-end's.
            lines += ["", "[run_as]", "allow_peer_identity = true"]
        }
        lines += [
            "",
            "[environment]",
            "base = { PATH = \"/usr/local/bin:/usr/bin:/bin\", LANG = \"C.UTF-8\" }",
            "deny_extra = [\"HTTPEXEC_*\"]",
            "",
            "[limits]",
            "timeout = \(quoted(Self.duration(jobTimeoutSeconds)))",
            "output_cap = \"16MiB\"",
            "on_output_overflow = \"truncate\"",
            "stdin_cap = \(quoted("\(max(1, stdinCapBytes))B"))",
            "open_files = 1024",
            // RLIMIT_NPROC counts every process of the jobs' uid: without it jobs inherit the
            // launcher's (root's: often above kernel.pid_max), and one fork bomb could take every
            // pid on the host until its timeout.
            "processes = 4096",
            "file_size = \"1GiB\"",
            "cpu_seconds = \(Int(jobTimeoutSeconds.rounded(.up)))",
            "address_space = \"4GiB\"",
            "core = 0",
            "",
            "[concurrency]",
            "max_jobs = 64",
            "max_per_command = 64",
            "",
            "[peers]",
            "users = [\(quoted(String(frontEndUID)))]",
            "",
            "[socket]",
            "path = \(quoted(socketPath))",
            "group = \(quoted(String(frontEndGID)))",
            "mode = \"0660\"",
        ]
        if let auditFile {
            lines += ["", "[audit]", "file = \(quoted(auditFile))"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func quoted(_ text: String) -> String { tomlQuoted(text) }

    /// Seconds in the policy's duration syntax (milliseconds when not whole).
    static func duration(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded())
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
