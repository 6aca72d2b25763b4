/* The child side of a job: see the contract in include/CSpawn.h. */
#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/prctl.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_execveat
#define SYS_execveat 322
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* ---- raw system calls: no errno, no libc; return -errno on failure ---- */

#if defined(__x86_64__)
static inline long hx_sys6(long n, long a, long b, long c, long d, long e, long f) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
static inline long hx_sys6(long n, long a, long b, long c, long d, long e, long f) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory", "cc");
    return x0;
}
#else
#error "CSpawn supports x86_64 and aarch64"
#endif

#define SYS0(n) hx_sys6((n), 0, 0, 0, 0, 0, 0)
#define SYS1(n, a) hx_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b) hx_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c) hx_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d) hx_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e) hx_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* The kernel's struct sigaction (not glibc's): handler, flags, restorer, 64-bit mask. */
struct hx_ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

struct hx_child_ctx {
    const hx_spawn_plan *plan;
    volatile hx_spawn_result *result;
};

/* Records the failing step in the parent's memory and leaves. Never returns. */
static void hx_fail(struct hx_child_ctx *ctx, int step, long negative_errno) {
    ctx->result->error = (int32_t)(negative_errno < 0 ? -negative_errno : EIO);
    ctx->result->step = step;
    /* exit(2) as a fallback: a profile that denies exit_group must not leave the child spinning
     * (and the engine thread waiting for it). */
    for (;;) {
        SYS1(SYS_exit_group, 127);
        SYS1(SYS_exit, 127);
    }
}

#ifdef HX_FAULT_INJECTION
#define HX_FAULT(ctx, step) \
    do { if ((ctx)->plan->fault_step == (step)) hx_fail((ctx), (step), -EPERM); } while (0)
#else
#define HX_FAULT(ctx, step) do { } while (0)
#endif

#define HX_CHECK(ctx, step, expr) \
    do { long hx_r = (expr); if (hx_r < 0) hx_fail((ctx), (step), hx_r); } while (0)

/* Closes every fd in [from, to] except the (at most two) kept ones. */
static long hx_close_except(unsigned from, int keep_a, int keep_b) {
    int lo = keep_a < keep_b ? keep_a : keep_b;
    int hi = keep_a < keep_b ? keep_b : keep_a;
    int keeps[2] = {lo, hi};
    unsigned next = from;
    for (int i = 0; i < 2; i++) {
        if (keeps[i] < (int)next) continue;
        if ((unsigned)keeps[i] > next) {
            long r = SYS3(SYS_close_range, next, (unsigned)keeps[i] - 1, 0);
            if (r < 0) return r;
        }
        next = (unsigned)keeps[i] + 1;
    }
    return SYS3(SYS_close_range, next, ~0U, 0);
}

static int hx_child(void *arg) {
    struct hx_child_ctx *ctx = arg;
    const hx_spawn_plan *p = ctx->plan;
    /* Until the exec succeeds the parent sees "in progress": a child killed by a signal (a bad
     * pointer in the plan, a filter that kills) is then a failure, not a started job. */
    ctx->result->step = HX_STEP_SIGNALS;
    ctx->result->error = 0;

    /* 1. Signals: the parent's handlers must never run here (shared memory, shared stack
     *    of nothing we own); dispositions back to default, then unblock everything. */
    HX_FAULT(ctx, HX_STEP_SIGNALS);
    struct hx_ksigaction dfl;
    /* Field by field: an aggregate initialiser may compile to a memset call through the PLT,
     * and lazy binding would then run the dynamic linker in the vfork child. */
    dfl.handler = 0;
    dfl.flags = 0;
    dfl.restorer = 0;
    dfl.mask = 0;
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        HX_CHECK(ctx, HX_STEP_SIGNALS, SYS4(SYS_rt_sigaction, sig, &dfl, 0, 8));
    }
    uint64_t empty = 0;
    HX_CHECK(ctx, HX_STEP_SIGNALS, SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, 8));

    /* 2. New session: no controlling terminal, so no TIOCSTI keystroke injection; the job is
     *    its own process group, which is what the timeout ladder signals. */
    HX_FAULT(ctx, HX_STEP_SETSID);
    HX_CHECK(ctx, HX_STEP_SETSID, SYS0(SYS_setsid));

    /* 3. stdio from launcher-owned pipes or /dev/null; never a directory (an fd to a
     *    directory on stdio is an openat() escape hatch). */
    HX_FAULT(ctx, HX_STEP_STDIO);
    for (int i = 0; i < 3; i++) {
        struct stat st;
        HX_CHECK(ctx, HX_STEP_STDIO, SYS2(SYS_fstat, p->stdio_fds[i], &st));
        if (S_ISDIR(st.st_mode)) hx_fail(ctx, HX_STEP_STDIO, -EISDIR);
        HX_CHECK(ctx, HX_STEP_STDIO, SYS3(SYS_dup3, p->stdio_fds[i], i, 0));
    }

    /* 4. Nothing else of the launcher's survives into the job. */
    HX_FAULT(ctx, HX_STEP_CLOSE_FDS);
    HX_CHECK(ctx, HX_STEP_CLOSE_FDS, hx_close_except(3, p->exe_fd, p->workdir_fd));
    if (p->exe_is_script)
        HX_CHECK(ctx, HX_STEP_CLOSE_FDS, SYS3(SYS_fcntl, p->exe_fd, F_SETFD, 0));

    /* 5. Working directory, by fd: no path lookup races. */
    HX_FAULT(ctx, HX_STEP_CHDIR);
    if (p->workdir_fd >= 0) HX_CHECK(ctx, HX_STEP_CHDIR, SYS1(SYS_fchdir, p->workdir_fd));

    /* 6. Resource limits, while we may still raise them (root) or at least lower them. */
    HX_FAULT(ctx, HX_STEP_RLIMIT);
    for (uint32_t i = 0; i < p->rlimit_count; i++) {
        uint64_t lim[2] = {p->rlimits[i].soft, p->rlimits[i].hard};
        HX_CHECK(ctx, HX_STEP_RLIMIT, SYS4(SYS_prlimit64, 0, p->rlimits[i].resource, lim, 0));
    }

    /* 7. Credentials with raw syscalls: glibc's set*id wrappers would signal every thread of
     *    the (shared) parent. Groups first, uid last, then verify all three ids of each. */
    HX_FAULT(ctx, HX_STEP_CREDENTIALS);
    if (p->change_ids) {
#if defined(__x86_64__) || defined(__aarch64__)
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS2(SYS_setgroups, p->group_count, p->groups));
#endif
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS3(SYS_setresgid, p->gid, p->gid, p->gid));
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS3(SYS_setresuid, p->uid, p->uid, p->uid));
        uint32_t r = 0, e = 0, s = 0;
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS3(SYS_getresuid, &r, &e, &s));
        if (r != p->uid || e != p->uid || s != p->uid) hx_fail(ctx, HX_STEP_CREDENTIALS, -EPERM);
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS3(SYS_getresgid, &r, &e, &s));
        if (r != p->gid || e != p->gid || s != p->gid) hx_fail(ctx, HX_STEP_CREDENTIALS, -EPERM);
        long n = SYS2(SYS_getgroups, 0, 0);
        if (n != (long)p->group_count) hx_fail(ctx, HX_STEP_CREDENTIALS, n < 0 ? n : -EPERM);
    }

    /* 7b. No capabilities survive: a non-root launcher holding CAP_SETUID/CAP_SETGID keeps them
     *     across setresuid (the kernel clears them only when leaving uid 0), and ambient ones
     *     would survive exec. Clear ambient, then every set, then verify. */
    {
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
        struct { uint32_t version; int pid; } header;
        struct { uint32_t effective, permitted, inheritable; } data[2];
        header.version = 0x20080522; /* _LINUX_CAPABILITY_VERSION_3 */
        header.pid = 0;
        for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted = data[i].inheritable = 0;
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS2(SYS_capset, &header, data));
        data[0].effective = data[1].effective = data[0].permitted = data[1].permitted = 1;
        HX_CHECK(ctx, HX_STEP_CREDENTIALS, SYS2(SYS_capget, &header, data));
        if (data[0].effective | data[1].effective | data[0].permitted | data[1].permitted |
            data[0].inheritable | data[1].inheritable)
            hx_fail(ctx, HX_STEP_CREDENTIALS, -EPERM);
    }

    /* 8. Die with the spawning thread. Set after the id change, which clears it; re-check the
     *    parent to close the race where it died before the prctl. */
    HX_FAULT(ctx, HX_STEP_PDEATHSIG);
    if (p->set_pdeathsig) {
        HX_CHECK(ctx, HX_STEP_PDEATHSIG, SYS2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL));
        if (SYS0(SYS_getppid) != p->expected_parent) hx_fail(ctx, HX_STEP_PDEATHSIG, -ESRCH);
    }

    /* 9. No setuid/file-capability gains across exec (also required for an unprivileged
     *    seccomp filter). */
    HX_FAULT(ctx, HX_STEP_NO_NEW_PRIVS);
    if (p->no_new_privs)
        HX_CHECK(ctx, HX_STEP_NO_NEW_PRIVS, SYS5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));

    /* 10. The filter, last: everything after it is only the exec. */
    HX_FAULT(ctx, HX_STEP_SECCOMP);
    if (p->bpf != 0) {
        struct sock_fprog prog;
        prog.len = p->bpf_len;
        prog.filter = (struct sock_filter *)p->bpf;
        HX_CHECK(ctx, HX_STEP_SECCOMP,
                 SYS3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->seccomp_flags, &prog));
    }

    /* 11. Exec the file the launcher opened, not a path that could have been swapped. */
    HX_FAULT(ctx, HX_STEP_EXEC);
    ctx->result->step = HX_STEP_NONE; /* if execveat returns, hx_fail sets the step again */
    long r = SYS5(SYS_execveat, p->exe_fd, "", p->argv, p->envp, AT_EMPTY_PATH);
    hx_fail(ctx, HX_STEP_EXEC, r);
    return 127;
}

int hx_spawn(const hx_spawn_plan *plan, void *stack, size_t stack_size, hx_spawn_result *result) {
    struct hx_child_ctx ctx = {.plan = plan, .result = result};
    result->pid = -1;
    result->pidfd = -1;
    result->step = HX_STEP_NONE;
    result->error = 0;

    /* Block everything, glibc's internal signals included, so no handler of ours can run in
     * the child before it resets dispositions (it shares our memory). */
    uint64_t all = ~(uint64_t)0, old = 0;
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);

    uintptr_t top = ((uintptr_t)stack + stack_size) & ~(uintptr_t)15;
    int pidfd = -1;
    int pid = clone(hx_child, (void *)top, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &ctx,
                    &pidfd);
    int saved = errno;
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);

    if (pid < 0) {
        result->step = HX_STEP_CLONE;
        result->error = saved;
        return -1;
    }
    if (result->step != HX_STEP_NONE) {
        /* The child has exited (CLONE_VFORK resumed us); reap it so it cannot linger. */
        int status;
        while (wait4(pid, &status, __WALL, 0) < 0 && errno == EINTR) {}
        if (pidfd >= 0) close(pidfd);
        return -1;
    }
    result->pid = pid;
    result->pidfd = pidfd;
    return 0;
}
