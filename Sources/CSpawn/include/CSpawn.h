/*
 * CSpawn — the child side of a job, in C, with raw system calls only.
 *
 * CONTRACT
 * --------
 * hx_spawn() creates the child the way glibc's posix_spawn does: clone(CLONE_VM | CLONE_VFORK |
 * CLONE_PIDFD) on a caller-provided stack, with every signal (glibc's internal ones included)
 * blocked in the calling thread for the duration. The calling thread is suspended by the kernel
 * until the child has either exec'd or exited, so everything in the plan may live in the caller's
 * memory and be read by the child without copies.
 *
 * In the child — which shares the caller's memory and TLS — only raw system calls run: no libc
 * function, no errno, no allocation, no locks, no Swift. The steps, in this order, are:
 *   1. HX_STEP_SIGNALS      every catchable signal back to SIG_DFL, then an empty signal mask
 *   2. HX_STEP_SETSID       new session and process group (no controlling tty: no TIOCSTI)
 *   3. HX_STEP_STDIO        dup3 the three plan fds onto 0/1/2; none may be a directory
 *   4. HX_STEP_CLOSE_FDS    close_range every fd >= 3 except exe_fd and workdir_fd (both must be
 *                           O_CLOEXEC, so they close at exec; a script's exe_fd is made inheritable
 *                           because its interpreter reads it through /dev/fd/N)
 *   5. HX_STEP_CHDIR        fchdir(workdir_fd) when workdir_fd >= 0
 *   6. HX_STEP_RLIMIT       prlimit64 for each plan rlimit
 *   7. HX_STEP_CREDENTIALS  setgroups -> setresgid -> setresuid (when change_ids), then getresuid /
 *                           getresgid / getgroups-count verification; then every capability set
 *                           (ambient, effective, permitted, inheritable) cleared and verified
 *   8. HX_STEP_PDEATHSIG    PR_SET_PDEATHSIG(SIGKILL) *after* the id change (which clears it), then
 *                           getppid() must still be expected_parent
 *   9. HX_STEP_NO_NEW_PRIVS PR_SET_NO_NEW_PRIVS(1)
 *  10. HX_STEP_SECCOMP      seccomp(SECCOMP_SET_MODE_FILTER) with the pre-compiled BPF — last
 *  11. HX_STEP_EXEC         execveat(exe_fd, "", argv, envp, AT_EMPTY_PATH)
 *
 * Error reporting: a failing step stores {step, errno} into the caller's hx_spawn_result (the
 * memory is shared, and the caller only resumes after the child has exited) and exits with 127.
 * This is the channel glibc's posix_spawn uses; unlike a pipe it costs no fds or system calls and
 * still works when the installed filter denies write(2).
 *
 * Caller obligations: exe_fd and workdir_fd are O_CLOEXEC; stdio fds and exe_fd/workdir_fd are all
 * >= 3 (so dup3 onto 0..2 never clobbers a source); argv/envp are NULL-terminated; the stack is at
 * least HX_SPAWN_STACK_SIZE bytes and not used concurrently by another hx_spawn call; the calling
 * thread outlives the child (PR_SET_PDEATHSIG is tied to the creating thread).
 */
#ifndef HTTPEXEC_CSPAWN_H
#define HTTPEXEC_CSPAWN_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/resource.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Size of the stack the child runs on (it uses a few hundred bytes).
#define HX_SPAWN_STACK_SIZE (64 * 1024)

/// The step a child failed at; stable numbers shared with the Swift side.
typedef enum hx_step {
    HX_STEP_NONE = 0,
    HX_STEP_SIGNALS = 1,
    HX_STEP_SETSID = 2,
    HX_STEP_STDIO = 3,
    HX_STEP_CLOSE_FDS = 4,
    HX_STEP_CHDIR = 5,
    HX_STEP_RLIMIT = 6,
    HX_STEP_CREDENTIALS = 7,
    HX_STEP_PDEATHSIG = 8,
    HX_STEP_NO_NEW_PRIVS = 9,
    HX_STEP_SECCOMP = 10,
    HX_STEP_EXEC = 11,
    HX_STEP_CLONE = 12, /* clone itself failed, in the parent */
} hx_step;

/// One resource limit to apply in the child (both values; soft <= hard).
typedef struct hx_rlimit {
    int resource;
    uint64_t soft;
    uint64_t hard;
} hx_rlimit;

/// Everything the child needs, prepared by the parent before the clone.
typedef struct hx_spawn_plan {
    const char *const *argv;
    const char *const *envp;
    int exe_fd;               /* O_PATH|O_CLOEXEC fd of the program */
    int exe_is_script;        /* non-zero: keep exe_fd open across exec for the interpreter */
    int stdio_fds[3];         /* sources for fds 0, 1, 2 */
    int workdir_fd;           /* O_PATH|O_DIRECTORY|O_CLOEXEC, or -1 to keep the cwd */
    const hx_rlimit *rlimits;
    uint32_t rlimit_count;
    int change_ids;           /* non-zero: setgroups/setresgid/setresuid to the values below */
    uint32_t uid;
    uint32_t gid;
    const uint32_t *groups;
    uint32_t group_count;
    int set_pdeathsig;        /* non-zero: PR_SET_PDEATHSIG(SIGKILL) + getppid check */
    int expected_parent;      /* the launcher's pid, for the getppid re-check */
    int no_new_privs;         /* non-zero: PR_SET_NO_NEW_PRIVS */
    const void *bpf;          /* struct sock_filter[bpf_len], or NULL for no filter */
    uint16_t bpf_len;
    uint32_t seccomp_flags;   /* SECCOMP_FILTER_FLAG_* */
    int fault_step;           /* debug builds only: fail at this step with EPERM (tests) */
} hx_spawn_plan;

/// What hx_spawn reports back.
typedef struct hx_spawn_result {
    int pid;
    int pidfd;
    int32_t step;   /* HX_STEP_NONE on success */
    int32_t error;  /* errno of the failing step */
} hx_spawn_result;

/// Creates the child and runs the plan. Returns 0 with pid/pidfd set once the child has exec'd,
/// or -1 with step/error set (the failed child has already been reaped).
int hx_spawn(const hx_spawn_plan *plan, void *stack, size_t stack_size, hx_spawn_result *result);

/* ---- small helpers the Swift side needs and Glibc's module does not export ---- */

int hx_memfd_create(const char *name, unsigned int flags);
int hx_pipe2(int fds[2], int flags);
int hx_pidfd_open(int pid);
int hx_set_child_subreaper(void);
/// Names the calling thread (prctl PR_SET_NAME; at most 15 characters are kept).
int hx_set_thread_name(const char *name);
/// prctl(PR_SET_DUMPABLE, value).
int hx_set_dumpable(int value);
/// SIGTERM to this process when its parent (pid `parent`) dies (`httpexec serve` supervision).
/// Returns 0, 1 when the parent is already gone, -1 with errno on failure.
int hx_exit_with_parent(int parent);
int hx_dup_above(int fd, int minimum);
int hx_set_nonblocking(int fd);
int hx_open_path(const char *path, int directory);
int hx_ignore_sigpipe(void);
int hx_eventfd(void);
int hx_kernel_nr_open(void);
/// Sends `data` to the Unix datagram socket at `path` (journald's native protocol) as a sealed
/// memfd passed with SCM_RIGHTS in an otherwise empty datagram: the form journald accepts for
/// entries too large for one datagram. Returns 0, or -1 with errno.
int hx_send_sealed_memfd(const char *path, const void *data, size_t length);

/// Forks the launcher's group reaper: a small process that keeps the process-group ids of running
/// jobs, read as native-endian int32 from a pipe (positive: a job started, negative: it ended),
/// and SIGKILLs every group still registered when the pipe reports end-of-file — that is, when the
/// launcher died, however abruptly. Jobs cannot leave their group (setsid/setpgid are denied by
/// the seccomp profile), so a job's children die with it even without a supervising cgroup.
/// The child ignores SIGINT/SIGTERM/SIGHUP (it ends with the launcher), keeps no other fd, and
/// runs only async-signal-safe code (it is forked from a multithreaded process).
/// Returns the pipe's close-on-exec write end, or -1 with errno.
int hx_start_group_reaper(void);
/// Blocks `signals` in the calling thread and returns a close-on-exec signalfd that reports them
/// (the supervisor in `httpexec serve` polls it together with its children's pidfds).
int hx_block_signals_fd(const int *signals, int count);
/// Reads one signal number from a signalfd (-1 on error).
int hx_read_signal(int fd);

/// wait4(__WALL) with rusage, decoding the status word (function-like macros do not import into Swift).
typedef struct hx_wait_result {
    int pid;
    int exited;       /* 1: exit_code valid; 0: killed by term_signal */
    int exit_code;
    int term_signal;
    int64_t user_usec;
    int64_t system_usec;
    int64_t max_rss_kib;
} hx_wait_result;
int hx_wait4(int pid, int nohang, hx_wait_result *out);
/// pid of some exited, not yet reaped child (without reaping it), 0 if none, -1 on error.
int hx_peek_exited_child(void);

/* epoll with a 64-bit token (struct epoll_event is packed on x86_64 and awkward from Swift) */
int hx_epoll_create(void);
int hx_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token);
int hx_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms);

enum { HX_O_PATH = 010000000 };

enum {
    HX_EPOLL_ADD = 1, HX_EPOLL_DEL = 2, HX_EPOLL_MOD = 3,
    HX_EPOLLIN = 0x001, HX_EPOLLOUT = 0x004, HX_EPOLLERR = 0x008, HX_EPOLLHUP = 0x010,
};

/* ---- launcher-side helpers ---- */

/// openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (| RESOLVE_NO_SYMLINKS when
/// no_symlinks): `path` can never resolve outside `dirfd`. Returns an fd or -1 with errno.
int hx_open_beneath(int dirfd, const char *path, int flags, int no_symlinks);
/// readlinkat into buf (NUL-terminated); returns length or -1.
int hx_readlinkat(int dirfd, const char *path, char *buf, int size);

/// Mirror of struct ucred (SO_PEERCRED), which Swift's Glibc module does not export.
typedef struct hx_peer { int pid; uint32_t uid; uint32_t gid; } hx_peer;

/// The kernel's Landlock ABI version (landlock_create_ruleset with the VERSION flag), or -1.
int hx_landlock_abi(void);


/* resource numbers (the RLIMIT_* macros do not import into Swift) */
enum {
    HX_RLIMIT_CPU = RLIMIT_CPU, HX_RLIMIT_FSIZE = RLIMIT_FSIZE, HX_RLIMIT_DATA = RLIMIT_DATA,
    HX_RLIMIT_STACK = RLIMIT_STACK, HX_RLIMIT_CORE = RLIMIT_CORE, HX_RLIMIT_NOFILE = RLIMIT_NOFILE,
    HX_RLIMIT_AS = RLIMIT_AS, HX_RLIMIT_NPROC = RLIMIT_NPROC, HX_RLIMIT_MEMLOCK = RLIMIT_MEMLOCK,
};

#ifdef __cplusplus
}
#endif
#endif
