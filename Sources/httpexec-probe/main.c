/*
 * httpexec-probe: test helper run INSIDE the httpexec sandbox (seccomp filter,
 * dropped uid/gid/caps). It reports what it observes so tests can assert on it.
 * Only libc is used. Output goes to stdout unless noted.
 *
 * Usage: httpexec-probe COMMAND [ARGS...]
 *   status             lines of /proc/self/status (verbatim) whose key is one of
 *                      Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb
 *                      NoNewPrivs Seccomp Seccomp_filters
 *   fds                open fd numbers from /proc/self/fd, ascending, one per
 *                      line, excluding the fd used to read that directory
 *   environ            every environ entry followed by '\n'
 *   limits             "NAME SOFT HARD" for CORE CPU DATA FSIZE NOFILE NPROC
 *                      STACK AS MEMLOCK ("unlimited" for RLIM_INFINITY)
 *   ids                "uid=R,E,S gid=R,E,S groups=G1,G2,..."
 *   ppid|pgid|sid|cwd  getppid(), getpgid(0), getsid(0), getcwd()
 *   sigmask            SigBlk and SigIgn lines of /proc/self/status (verbatim)
 *   try NAME...        "NAME=E" per NAME: E is 0 on success, else errno;
 *                      "NAME=unknown" for unknown names. Returned fds are closed.
 *                      Names: unshare clone3 socket_inet socket_unix mount ptrace
 *                      bpf keyctl setuid0 userfaultfd io_uring_setup
 *                      perf_event_open kexec_load init_module getpid (control)
 *   exit N             exit with status N (0..255)
 *   signal N           reset signal N to SIG_DFL and raise it; exit 99 if alive
 *   cat                copy stdin to stdout until EOF
 *   echo-both          per stdin chunk (<= 65536 bytes): write it to stdout,
 *                      then to stderr; exit 0 at EOF
 *   spew N             N bytes to stdout and N bytes to stderr, alternating
 *                      65536-byte chunks (stdout first); byte at offset i of each
 *                      stream is 'a' + i % 26
 *   spew-stdout N      like spew, stdout only
 *   sleep              pause() forever
 *   ignore-term-fork   ignore SIGTERM, double-fork; grandchild prints
 *                      "grandchild=PID", main waits for the intermediate child,
 *                      prints "main=PID"; both then pause() forever
 *   close-stdout-sleep close fds 1 and 2, then pause() forever
 *   connect PATH       connect to the Unix stream socket PATH, send 16 bytes, read until EOF;
 *                      prints `connect=E` (errno, 0 on success) and then `eof` or `read=E`
 *
 * Exit status: 0 after a successful report (unless the command says otherwise),
 * 64 on usage error (message on stderr), 3 if writing output fails (no message),
 * 1 on other unexpected errors (message on stderr). SIGPIPE disposition is left
 * as inherited (if it is ignored, a failed write gives exit 3).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435 /* same on x86_64 and aarch64 */
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425 /* same on x86_64 and aarch64 */
#endif

#define CHUNK 65536

extern char **environ;

static unsigned char buf[CHUNK];

static _Noreturn void usage(const char *msg)
{
    fprintf(stderr, "httpexec-probe: %s\n"
            "usage: httpexec-probe COMMAND [ARGS...] (see source header)\n", msg);
    exit(64);
}

/* Flush stdout and exit; a failed flush means the report was lost: exit 3. */
static _Noreturn void finish(int status)
{
    if (fflush(stdout) != 0)
        _exit(3);
    exit(status);
}

static _Noreturn void fail(const char *what)
{
    perror(what);
    fflush(stdout);
    exit(1);
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static long long parse_num(const char *s, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        usage("invalid number argument");
    return v;
}

static _Noreturn void pause_forever(void)
{
    for (;;)
        pause();
}

/* Print /proc/self/status lines whose key (text before ':') is in keys. */
static void print_status(const char *const *keys, size_t nkeys)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        fail("/proc/self/status");
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) != -1) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        size_t klen = (size_t)(colon - line);
        for (size_t i = 0; i < nkeys; i++) {
            if (strlen(keys[i]) == klen && strncmp(line, keys[i], klen) == 0) {
                fputs(line, stdout);
                break;
            }
        }
    }
    free(line);
    fclose(f);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void cmd_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        fail("/proc/self/fd");
    int self = dirfd(d), *fds = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        int fd = atoi(e->d_name);
        if (fd == self)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            if (!(fds = realloc(fds, cap * sizeof *fds)))
                fail("realloc");
        }
        fds[n++] = fd;
    }
    closedir(d);
    qsort(fds, n, sizeof *fds, cmp_int);
    for (size_t i = 0; i < n; i++)
        printf("%d\n", fds[i]);
    free(fds);
}

static void cmd_limits(void)
{
    static const struct { const char *name; int res; } lim[] = {
        {"CORE", RLIMIT_CORE}, {"CPU", RLIMIT_CPU}, {"DATA", RLIMIT_DATA},
        {"FSIZE", RLIMIT_FSIZE}, {"NOFILE", RLIMIT_NOFILE},
        {"NPROC", RLIMIT_NPROC}, {"STACK", RLIMIT_STACK}, {"AS", RLIMIT_AS},
        {"MEMLOCK", RLIMIT_MEMLOCK},
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        struct rlimit rl;
        if (getrlimit(lim[i].res, &rl) != 0)
            fail("getrlimit");
        printf("%s", lim[i].name);
        rlim_t v[2] = {rl.rlim_cur, rl.rlim_max};
        for (int j = 0; j < 2; j++) {
            if (v[j] == RLIM_INFINITY)
                printf(" unlimited");
            else
                printf(" %llu", (unsigned long long)v[j]);
        }
        putchar('\n');
    }
}

static void cmd_ids(void)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
        fail("getresuid/getresgid");
    int n = getgroups(0, NULL);
    if (n < 0)
        fail("getgroups");
    gid_t *gs = malloc(((size_t)n + 1) * sizeof *gs);
    if (!gs || (n = getgroups(n, gs)) < 0)
        fail("getgroups");
    printf("uid=%u,%u,%u gid=%u,%u,%u groups=", (unsigned)ru, (unsigned)eu,
           (unsigned)su, (unsigned)rg, (unsigned)eg, (unsigned)sg);
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", (unsigned)gs[i]);
    putchar('\n');
    free(gs);
}

/* Perform the named syscall and return its result (errno set on failure);
 * *is_fd tells whether a success result is an fd; *known = 0 for bad names. */
static long try_one(const char *name, int *known, int *is_fd)
{
#define TRY(n, fd, call) if (strcmp(name, n) == 0) { *is_fd = fd; return (call); }
    *known = 1;
    errno = 0;
    TRY("unshare", 0, syscall(SYS_unshare, 0))
    TRY("clone3", 0, syscall(SYS_clone3, NULL, 0))
    TRY("socket_inet", 1, socket(AF_INET, SOCK_STREAM, 0))
    TRY("socket_unix", 1, socket(AF_UNIX, SOCK_STREAM, 0))
    TRY("mount", 0, syscall(SYS_mount, "none", "/", NULL, MS_REMOUNT | MS_BIND, NULL))
    TRY("ptrace", 0, syscall(SYS_ptrace, PTRACE_PEEKDATA, getppid(), NULL, NULL))
    TRY("bpf", 1, syscall(SYS_bpf, -1, NULL, 0))
    /* KEYCTL_GET_KEYRING_ID = 0, KEY_SPEC_SESSION_KEYRING = -3 */
    TRY("keyctl", 0, syscall(SYS_keyctl, 0, -3, 0))
    TRY("setuid0", 0, syscall(SYS_setuid, 0))
    TRY("userfaultfd", 1, syscall(SYS_userfaultfd, 0))
    TRY("io_uring_setup", 1, syscall(SYS_io_uring_setup, 0, NULL))
    TRY("perf_event_open", 1, syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0))
    TRY("kexec_load", 0, syscall(SYS_kexec_load, 0, 0, NULL, 0))
    TRY("init_module", 0, syscall(SYS_init_module, NULL, 0, ""))
    TRY("getpid", 0, syscall(SYS_getpid))
#undef TRY
    *known = 0;
    return 0;
}

static void cmd_try(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        int known, is_fd;
        long ret = try_one(argv[i], &known, &is_fd);
        if (!known) {
            printf("%s=unknown\n", argv[i]);
            continue;
        }
        int err = ret < 0 ? errno : 0;
        if (ret >= 0 && is_fd)
            close((int)ret);
        printf("%s=%d\n", argv[i], err);
    }
}

/* Copy stdin to stdout, and also to stderr if both (echo-both). */
static _Noreturn void copy_stdin(int both)
{
    for (;;) {
        ssize_t n = read(0, buf, CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("read");
        }
        if (n == 0)
            finish(0);
        if (write_all(1, buf, (size_t)n) != 0 ||
            (both && write_all(2, buf, (size_t)n) != 0))
            _exit(3);
    }
}

static _Noreturn void spew(long long total, int both)
{
    for (long long off = 0; off < total; off += CHUNK) {
        size_t len = total - off < CHUNK ? (size_t)(total - off) : CHUNK;
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)('a' + (off + (long long)i) % 26);
        if (write_all(1, buf, len) != 0 || (both && write_all(2, buf, len) != 0))
            _exit(3);
    }
    finish(0);
}

static _Noreturn void ignore_term_fork(void)
{
    signal(SIGTERM, SIG_IGN);
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        fail("fork");
    if (child == 0) {
        pid_t gc = fork();
        if (gc != 0)
            _exit(gc < 0 ? 1 : 0); /* intermediate child */
        printf("grandchild=%ld\n", (long)getpid());
        fflush(stdout);
        pause_forever();
    }
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    printf("main=%ld\n", (long)getpid());
    fflush(stdout);
    pause_forever();
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage("missing command");
    const char *cmd = argv[1];
#define IS(name) (strcmp(cmd, name) == 0)
    int need_n = IS("exit") || IS("signal") || IS("spew") || IS("spew-stdout") || IS("connect");
    if (need_n ? argc != 3 : (argc != 2 && !IS("try")))
        usage("wrong number of arguments");

    static const char *const status_keys[] = {
        "Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd",
        "CapAmb", "NoNewPrivs", "Seccomp", "Seccomp_filters"};
    static const char *const sig_keys[] = {"SigBlk", "SigIgn"};
    char path[PATH_MAX];

    if (IS("status"))
        print_status(status_keys, sizeof status_keys / sizeof status_keys[0]);
    else if (IS("sigmask"))
        print_status(sig_keys, 2);
    else if (IS("fds"))
        cmd_fds();
    else if (IS("environ")) {
        for (char **e = environ; e && *e; e++)
            printf("%s\n", *e);
    } else if (IS("limits"))
        cmd_limits();
    else if (IS("ids"))
        cmd_ids();
    else if (IS("ppid"))
        printf("%ld\n", (long)getppid());
    else if (IS("pgid"))
        printf("%ld\n", (long)getpgid(0));
    else if (IS("sid"))
        printf("%ld\n", (long)getsid(0));
    else if (IS("cwd")) {
        if (!getcwd(path, sizeof path))
            fail("getcwd");
        printf("%s\n", path);
    } else if (IS("try"))
        cmd_try(argc, argv);
    else if (IS("exit"))
        finish((int)parse_num(argv[2], 0, 255));
    else if (IS("signal")) {
        int sig = (int)parse_num(argv[2], 1, 64);
        fflush(stdout);
        signal(sig, SIG_DFL);
        raise(sig);
        finish(99);
    } else if (IS("cat") || IS("echo-both"))
        copy_stdin(IS("echo-both"));
    else if (IS("spew") || IS("spew-stdout"))
        spew(parse_num(argv[2], 0, LLONG_MAX), IS("spew"));
    else if (IS("sleep"))
        pause_forever();
    else if (IS("ignore-term-fork"))
        ignore_term_fork();
    else if (IS("connect") && argc == 3) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        strncpy(addr.sun_path, argv[2], sizeof addr.sun_path - 1);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        int rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
        printf("connect=%d\n", rc == 0 ? 0 : errno);
        if (rc == 0) {
            /* A valid hello frame: a refused peer must be closed without an answer. */
            static const unsigned char hello[] = {0, 0, 0, 3, 1, 0, 1};
            if (write(fd, hello, sizeof hello) < 0) {}
            char buf[256];
            ssize_t n;
            while ((n = read(fd, buf, sizeof buf)) > 0) printf("data=%zd\n", n);
            if (n == 0) printf("eof\n"); else printf("read=%d\n", errno);
        }
    } else if (IS("close-stdout-sleep")) {
        close(1);
        close(2);
        pause_forever();
    } else
        usage("unknown command");
    finish(0);
}
