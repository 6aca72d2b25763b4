/*
 * httpexec-container-sim: test helper that starts a program the way a container runtime (runc,
 * crun) starts a container process under its *default* seccomp profile and a non-root user, so
 * tests can show the launcher works — and still confines its jobs — inside a container, where
 * no container engine is available.
 *
 * Usage (as root): httpexec-container-sim UID GID -- PROGRAM [ARGS...]
 *
 * In order, like runc without no_new_privs (Docker's and containerd's default):
 *   1. the seccomp filter below is installed while still root, WITHOUT setting no_new_privs
 *      (libseccomp would set it by default; runc does not);
 *   2. the whole capability bounding set is dropped (Kubernetes' `capabilities: drop: [ALL]`;
 *      Docker's non-root user gets an empty effective set either way);
 *   3. setgroups(0) + setresgid + setresuid to UID/GID (glibc wrappers: we are single-threaded),
 *      then CapEff must read 0 in /proc/self/status;
 *   4. execv(PROGRAM).
 * Any setup failure: a message on stderr and exit 125 (the code Docker uses for its own errors).
 *
 * The filter models the effect of moby's profiles/seccomp/default.json on the calls that matter
 * here. It is a deny-list with default ALLOW (moby's is an allow-list with an EPERM default; it
 * allows every other call a Swift/NIO process and the launcher make):
 *   EPERM: unshare setns mount umount2 pivot_root chroot keyctl add_key request_key bpf
 *          perf_event_open kexec_load kexec_file_load init_module finit_module delete_module
 *          open_by_handle_at userfaultfd swapon swapoff reboot acct quotactl lookup_dcookie
 *          (chroot: moby allows it only with CAP_SYS_CHROOT, which a drop-ALL container lacks);
 *   EPERM: clone with any namespace flag (CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|
 *          NEWCGROUP), moby's masked check on the flags argument;
 *   ENOSYS: clone3 (moby: its flags live in memory a filter cannot read, so glibc is told the
 *          call does not exist and falls back to clone, whose flags are checked above).
 *   Allowed on purpose: ptrace (moby allows it on kernels >= 4.8, where it can no longer bypass
 *          seccomp), seccomp and prctl (the launcher installs its jobs' filters and sets NNP).
 * Only the native architecture is in the filter (other ABIs hit libseccomp's default bad-arch
 * action, kill): stricter than moby, which admits x86/x32 on amd64; irrelevant to the test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static _Noreturn void die(const char *what, int err)
{
    fprintf(stderr, "httpexec-container-sim: %s: %s\n", what, strerror(err));
    exit(125);
}

static unsigned long parse_id(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v == 0 || v >= 0xFFFFFFFFUL)
        die("UID and GID must be non-zero decimal ids", EINVAL);
    return v;
}

static void install_filter(void)
{
    static const char *const denied[] = {
        "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
        "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
        "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
        "open_by_handle_at", "userfaultfd", "swapon", "swapoff", "reboot", "acct",
        "quotactl", "lookup_dcookie",
    };
    static const unsigned long ns_flags[] = {
        CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        die("seccomp_init", ENOMEM);
    /* runc leaves no_new_privs alone unless the container asks for it; so do we. Root (we still
     * are) may install a filter without it. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    for (size_t i = 0; rc == 0 && i < sizeof denied / sizeof denied[0]; i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        rc = nr == __NR_SCMP_ERROR ? -EINVAL : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        if (rc != 0)
            fprintf(stderr, "httpexec-container-sim: rule for %s\n", denied[i]);
    }
    /* One rule per flag; rules for one syscall are alternatives, so any namespace flag denies
     * (moby writes it as one allow rule: flags & 0x7E020000 == 0). Arg 0 is the flags word on
     * x86_64 and aarch64. */
    for (size_t i = 0; rc == 0 && i < sizeof ns_flags / sizeof ns_flags[0]; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0)
        die("seccomp filter", -rc);
}

/* 0 when /proc/self/status says CapEff is all zeroes, else -1. */
static int effective_caps_empty(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    int empty = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "CapEff:", 7) == 0)
            empty = strspn(line + 7, " \t0") == strcspn(line + 7, "\n") ? 0 : -1;
    fclose(f);
    return empty;
}

int main(int argc, char **argv)
{
    if (argc < 5 || strcmp(argv[3], "--") != 0) {
        fprintf(stderr, "usage: httpexec-container-sim UID GID -- PROGRAM [ARGS...]\n");
        return 125;
    }
    uid_t uid = (uid_t)parse_id(argv[1]);
    gid_t gid = (gid_t)parse_id(argv[2]);
    if (geteuid() != 0)
        die("must be started as root (it installs the filter, then drops to UID/GID)", EPERM);

    install_filter();
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            die("PR_CAPBSET_DROP", errno);
    if (setgroups(0, NULL) != 0)
        die("setgroups", errno);
    if (setresgid(gid, gid, gid) != 0)
        die("setresgid", errno);
    if (setresuid(uid, uid, uid) != 0)
        die("setresuid", errno);
    if (effective_caps_empty() != 0)
        die("CapEff is not 0 after the uid change", EPERM);

    execv(argv[4], argv + 4);
    die(argv[4], errno);
}
