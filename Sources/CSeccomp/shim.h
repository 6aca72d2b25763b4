#ifndef HTTPEXEC_CSECCOMP_SHIM_H
#define HTTPEXEC_CSECCOMP_SHIM_H
#include <seccomp.h>

/*
 * Front-end self-confinement helpers (httpexec-server: PrivilegeDrop, SelfConfinement,
 * ConfinementProbe). Swift's Glibc module is built without _GNU_SOURCE and does not import
 * variadic C functions, so these calls are unreachable from Swift directly:
 *   - setresuid/setresgid/getresuid/getresgid (GNU declarations). These go through glibc's
 *     wrappers on purpose: in a multithreaded process glibc applies the change to every thread
 *     (its setxid broadcast); the raw syscall would change only the calling thread and leave the
 *     NIO threads running as root.
 *   - prctl and syscall (variadic).
 * The block-scope declarations keep the GNU names out of the module's (and Swift's) namespace.
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>

static inline int hx_fe_setresuid(uid_t r, uid_t e, uid_t s) {
    extern int setresuid(uid_t, uid_t, uid_t);
    return setresuid(r, e, s);
}

static inline int hx_fe_setresgid(gid_t r, gid_t e, gid_t s) {
    extern int setresgid(gid_t, gid_t, gid_t);
    return setresgid(r, e, s);
}

static inline int hx_fe_getresuid(uid_t *r, uid_t *e, uid_t *s) {
    extern int getresuid(uid_t *, uid_t *, uid_t *);
    return getresuid(r, e, s);
}

static inline int hx_fe_getresgid(gid_t *r, gid_t *e, gid_t *s) {
    extern int getresgid(gid_t *, gid_t *, gid_t *);
    return getresgid(r, e, s);
}

/* PR_SET_NO_NEW_PRIVS for the calling thread (seccomp's TSYNC copies it to the others). */
static inline int hx_fe_set_no_new_privs(void) {
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* SIGTERM when the process that started us (pid `parent`) dies: `httpexec serve` killed with
 * SIGKILL must not leave a front-end serving. Set after the privilege drop, which clears it.
 * Returns 0, 1 when the parent is already gone, -1 with errno on failure. */
static inline int hx_fe_exit_with_parent(int parent) {
    if (prctl(PR_SET_PDEATHSIG, 15 /* SIGTERM */, 0, 0, 0) != 0) return -1;
    return getppid() == parent ? 0 : 1;
}

/* 1 when the calling thread has no_new_privs, 0 when not, -1 with errno on failure. */
static inline int hx_fe_get_no_new_privs(void) {
    return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
}

/* A raw system call (self-test only: the syscall number comes from libseccomp's resolver). */
static inline long hx_fe_syscall6(long nr, long a, long b, long c, long d, long e, long f) {
    return syscall(nr, a, b, c, d, e, f);
}

/*
 * Self-test only: a new process by raw clone(SIGCHLD) (no CLONE_THREAD), or by glibc's fork.
 * A child that does come into being exits at once, before running any Swift code.
 * Returns the child's pid, or -1 with errno.
 */
static inline long hx_fe_try_clone_process(void) {
    long pid = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
    if (pid == 0) _exit(0);
    return pid;
}

static inline long hx_fe_try_fork(void) {
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    return pid;
}

/*
 * Self-test only: getpid through the i386 entry point (int 0x80) on x86_64, the classic way past
 * a filter that checks only native syscall numbers. Returns -ENOSYS elsewhere.
 */
static inline long hx_fe_i386_getpid(void) {
#if defined(__x86_64__)
    long ret = 20; /* __NR_getpid on i386 */
    __asm__ volatile("int $0x80" : "+a"(ret) : : "r8", "r9", "r10", "r11", "memory");
    return ret;
#else
    return -38;
#endif
}

#endif
