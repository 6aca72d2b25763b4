import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Issue #7, sandbox escapes tried from inside a job run by the real `httpexec serve`: forbidden
// system calls, a setuid-root binary, the launcher's private /proc entries. Where a call would
// fail anyway for an unprivileged process, the test runs the same program *outside* the sandbox
// as the same uid (setpriv, no filter) to show which answers only the filter gives.
//
// Covered elsewhere: the same denials at the engine level (SandboxTests ConfinementTests
// "the default profile denies the dangerous set with its errno", "setuid(0) fails for the
// unprivileged job"); a job cannot reach the launcher socket under serve
// (FrontEndProcessTests.jobsCannotReachTheLauncherSocket); single-uid mode's non-dumpable launcher
// (LauncherIntegrationTests.launcherNotDumpable).

/// A test program: `userns` tries a user + mount namespace and a tmpfs mount in it (how an
/// unprivileged process gets root-like powers), `traceme` asks to be traced, `peek PID…` reads
/// private /proc entries of other processes. Prints `name=errno` (0: it worked).
private let escapeSource = #"""
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <unistd.h>

static int result(int rc) { return rc < 0 ? errno : 0; }

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "userns") == 0) {
        int ns = result(unshare(CLONE_NEWUSER | CLONE_NEWNS));
        int mnt = result(mount("none", "/tmp", "tmpfs", 0, NULL));
        printf("userns=%d\nmount=%d\n", ns, mnt);
    } else if (argc >= 2 && strcmp(argv[1], "traceme") == 0) {
        printf("traceme=%d\n", result(ptrace(PTRACE_TRACEME, 0, NULL, NULL)));
    } else if (argc >= 2 && strcmp(argv[1], "peek") == 0) {
        printf("ppid=%d\n", (int)getppid());
        for (int i = 2; i < argc; i++) {
            char path[64];
            static const char *files[] = {"environ", "mem", "cmdline", "status"};
            for (int f = 0; f < 4; f++) {
                snprintf(path, sizeof path, "/proc/%s/%s", argv[i], files[f]);
                int fd = open(path, O_RDONLY);
                char byte;
                /* environ and mem are checked at open or at read, depending on the kernel. */
                int err = fd < 0 ? errno : (read(fd, &byte, 1) < 0 ? errno : 0);
                if (fd >= 0) close(fd);
                printf("%s.%s=%d\n", argv[i], files[f], err);
            }
            snprintf(path, sizeof path, "/proc/%s/fd", argv[i]);
            DIR *d = opendir(path);
            printf("%s.fd=%d\n", argv[i], d ? 0 : errno);
            if (d) closedir(d);
        }
    } else {
        return 64;
    }
    return 0;
}
"""#

private func addEscapeFiles(_ fixture: SecurityFixture) throws {
    try fixture.compile(escapeSource, to: "escape")
    // A setuid-root copy of the probe: root-owned (as the copy is), mode 4755.
    try fixture.copyProbe(to: "suid-probe")
    chmod(fixture.root + "/suid-probe", 0o4755)
}

@Suite(
    "security: sandbox escapes from inside a job", .serialized,
    .enabled(if: runningAsRoot && access("/usr/bin/cc", X_OK) == 0, "needs root and cc (test programs are compiled at test time)"),
    .securityServer { try SecurityFixture(policy: .generated(), setup: addEscapeFiles) })
struct SecurityEscapeTests {
    /// One forbidden call: its name for the probe's `try` (or the `escape` program), the errno
    /// the job must get, and whether only the seccomp filter gives that answer.
    struct Forbidden: Sendable, CustomTestStringConvertible {
        let name: String
        let expected: Int32
        /// The layer that stops it, for the report.
        let layer: String
        var testDescription: String { "\(name) → errno \(expected) (\(layer))" }
    }

    static let forbidden: [Forbidden] = [
        Forbidden(name: "unshare", expected: EPERM, layer: "seccomp"),
        Forbidden(name: "ptrace", expected: EPERM, layer: "seccomp"),
        Forbidden(name: "bpf", expected: EPERM, layer: "seccomp"),
        Forbidden(name: "keyctl", expected: EPERM, layer: "seccomp"),
        Forbidden(name: "mount", expected: EPERM, layer: "seccomp and no capabilities"),
        Forbidden(name: "setuid0", expected: EPERM, layer: "uid drop, no capabilities"),
        Forbidden(name: "traceme", expected: EPERM, layer: "seccomp"),
        Forbidden(name: "userns", expected: EPERM, layer: "seccomp"),
    ]

    /// Each call fails in the job with its errno. For the calls whose layer is seccomp, the same
    /// program run by the same uid without the filter gets a different answer (success, ESRCH,
    /// EINVAL): the EPERM comes from the filter, not from the uid.
    @Test(arguments: forbidden)
    func forbiddenCallFails(_ call: Forbidden) throws {
        try SecurityFixture.current().checked { fixture in
            let own = ["traceme", "userns"].contains(call.name)
            let (program, args) = own ? ("escape", [call.name]) : ("probe", ["try", call.name])
            let body = #"{"args":\#(jsonArray(args)),"stdout":{"capture":true}}"#
            let response = try fixture.post("/" + program, body)
            #expect(response.status == 200 && SecurityFixture.returnValue(response) == 0, "\(response)")
            let seen = SecurityText.keyValues(SecurityFixture.stdout(response) ?? "")
            #expect(seen[call.name] == String(call.expected), "\(call.name) in the job: \(seen)")
            if call.name == "userns" { #expect(seen["mount"] == String(EPERM), "mount in a new namespace: \(seen)") }

            guard call.layer == "seccomp" else { return }
            let unfiltered = SecurityText.keyValues(try unconfined(fixture, [fixture.root + "/" + program] + args))
            #expect(unfiltered[call.name] != nil && unfiltered[call.name] != String(call.expected),
                    "without the filter \(call.name) answers \(unfiltered[call.name] ?? "nothing"): only the filter gives EPERM")
        }
    }

    /// A setuid-root binary in the exec root: no_new_privs keeps the exec from raising the uid,
    /// so the job's real, effective, saved and fs uids all stay the job's; it has no capability
    /// and cannot become root.
    @Test func setuidRootBinaryStaysUnprivileged() throws {
        try SecurityFixture.current().checked { fixture in
            var st = stat()
            #expect(stat(fixture.root + "/suid-probe", &st) == 0 && st.st_uid == 0 && st.st_mode & S_ISUID != 0, "the binary is setuid root")
            let response = try fixture.post("/suid-probe", #"{"args":["status"],"stdout":{"capture":true}}"#)
            let status = SecurityText.statusFields(SecurityFixture.stdout(response) ?? "")
            let uid = String(fixture.jobUID)
            #expect(status["Uid"] == [uid, uid, uid, uid].joined(separator: " "), "\(response)")
            #expect(status["NoNewPrivs"] == "1")
            #expect(status["CapEff"] == "0000000000000000")
            #expect(status["CapPrm"] == "0000000000000000")
            let tried = try fixture.post("/suid-probe", #"{"args":["try","setuid0"],"stdout":{"capture":true}}"#)
            #expect(SecurityText.keyValues(SecurityFixture.stdout(tried) ?? "")["setuid0"] == String(EPERM), "\(tried)")
        }
    }

    /// The launcher's (and the front-end's) environment, memory and fd table are closed to a
    /// job: another uid, so the kernel's ptrace-access check refuses them (EACCES), while their
    /// public entries (`cmdline`, `status`) stay readable — so the pids are right and /proc works.
    @Test func launcherProcEntriesAreClosedToJobs() throws {
        try SecurityFixture.current().checked { fixture in
            let (launcher, frontEnd) = (String(fixture.launcherPID), String(fixture.frontEndPID))
            let body = #"{"args":["peek","\#(launcher)","\#(frontEnd)"],"stdout":{"capture":true}}"#
            let response = try fixture.post("/escape", body)
            let seen = SecurityText.keyValues(SecurityFixture.stdout(response) ?? "")
            #expect(seen["ppid"] == launcher, "jobs are the launcher's children: \(response)")
            for pid in [launcher, frontEnd] {
                for entry in ["environ", "mem", "fd"] {
                    #expect(seen["\(pid).\(entry)"] == String(EACCES), "/proc/\(pid)/\(entry): \(seen)")
                }
                for entry in ["cmdline", "status"] {
                    #expect(seen["\(pid).\(entry)"] == "0", "/proc/\(pid)/\(entry) is public: \(seen)")
                }
            }
        }
    }

    private func jsonArray(_ items: [String]) -> String { "[" + items.map { "\"\($0)\"" }.joined(separator: ",") + "]" }

    /// Runs `command` as the job's uid with no_new_privs but no filter (setpriv); its stdout.
    private func unconfined(_ fixture: SecurityFixture, _ command: [String]) throws -> String {
        try #require(access("/usr/bin/setpriv", X_OK) == 0, "needs setpriv for the unfiltered comparison")
        let uid = String(fixture.jobUID)
        let (_, output) = try SecurityFixture.runTool(
            "/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--no-new-privs"] + command)
        return output
    }
}
