/* Small system-call wrappers for the Swift side (parent process only; ordinary libc is fine). */
#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/openat2.h>


int hx_memfd_create(const char *name, unsigned int flags) { return (int)syscall(SYS_memfd_create, name, flags); }

int hx_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

#define HX_REAPER_MAX_GROUPS 8192

int hx_start_group_reaper(void) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) { int saved = errno; close(fds[0]); close(fds[1]); errno = saved; return -1; }
    if (pid == 0) {
        /* Only async-signal-safe calls from here on. */
        struct sigaction ignore = { .sa_handler = SIG_IGN };
        sigaction(SIGINT, &ignore, NULL);
        sigaction(SIGTERM, &ignore, NULL);
        sigaction(SIGHUP, &ignore, NULL);
        sigaction(SIGPIPE, &ignore, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_NAME, "httpexec-reaper", 0, 0, 0);
        int input = fds[0];
        /* Keep stdio (the launcher's log) and the pipe; close everything else. */
        if (input != 3) { dup2(input, 3); input = 3; }
        syscall(436 /* close_range */, 4u, ~0u, 0u);
        static int groups[HX_REAPER_MAX_GROUPS];
        int count = 0;
        int value = 0;
        size_t have = 0;
        for (;;) {
            ssize_t n = read(input, (char *)&value + have, sizeof(value) - have);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            have += (size_t)n;
            if (have < sizeof(value)) continue;
            have = 0;
            if (value > 0) {
                if (count < HX_REAPER_MAX_GROUPS) groups[count++] = value;
            } else if (value < 0) {
                for (int i = 0; i < count; i++) {
                    if (groups[i] == -value) { groups[i] = groups[--count]; break; }
                }
            }
        }
        /* The launcher is gone: nothing of its jobs may outlive it. */
        for (int i = 0; i < count; i++) kill(-groups[i], SIGKILL);
        _exit(0);
    }
    close(fds[0]);
    return fds[1];
}

int hx_send_sealed_memfd(const char *path, const void *data, size_t length) {
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    size_t path_length = strlen(path);
    if (path_length >= sizeof(address.sun_path)) { errno = ENAMETOOLONG; return -1; }
    memcpy(address.sun_path, path, path_length);
    int memfd = (int)syscall(SYS_memfd_create, "journal-entry", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (memfd < 0) return -1;
    const char *cursor = data;
    size_t left = length;
    while (left > 0) {
        ssize_t n = write(memfd, cursor, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            int saved = errno; close(memfd); errno = saved; return -1;
        }
        cursor += n;
        left -= (size_t)n;
    }
    if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
        int saved = errno; close(memfd); errno = saved; return -1;
    }
    int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) { int saved = errno; close(memfd); errno = saved; return -1; }
    union { struct cmsghdr header; char bytes[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = {
        .msg_name = &address,
        .msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length + 1),
        .msg_control = control.bytes,
        .msg_controllen = sizeof(control.bytes),
    };
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &memfd, sizeof(int));
    ssize_t sent = sendmsg(sock, &message, MSG_NOSIGNAL);
    int saved = errno;
    close(sock);
    close(memfd);
    errno = saved;
    return sent < 0 ? -1 : 0;
}

int hx_pidfd_open(int pid) { return (int)syscall(434 /* pidfd_open */, pid, 0); }

int hx_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int hx_set_dumpable(int value) { return prctl(PR_SET_DUMPABLE, value, 0, 0, 0); }

/* Waits for the parent's pidfd to become readable (it exited), then SIGTERMs this process. */
static void *hx_parent_watch(void *argument) {
    int pidfd = (int)(intptr_t)argument;
    prctl(PR_SET_NAME, "parent-watch", 0, 0, 0);
    struct pollfd entry = { .fd = pidfd, .events = POLLIN };
    while (poll(&entry, 1, -1) < 0 && errno == EINTR) {}
    kill(getpid(), SIGTERM);
    return NULL;
}

int hx_exit_with_parent(int parent) {
    /* PR_SET_PDEATHSIG belongs to the calling thread and is lost when that thread exits (an async
       main's worker threads come and go; its main thread parks in dispatch_main). A watcher thread
       on the parent's pidfd holds the promise for the whole process; the prctl stays as a second
       line for callers on a thread that lives as long as the process. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) return -1;
    int pidfd = (int)syscall(434 /* pidfd_open */, parent, 0);
    if (pidfd < 0) return errno == ESRCH ? 1 : -1;
    fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    if (getppid() != parent) { close(pidfd); return 1; }
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attributes, 64 * 1024);
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous); /* the watcher takes no signals */
    pthread_t thread;
    int failed = pthread_create(&thread, &attributes, hx_parent_watch, (void *)(intptr_t)pidfd);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    pthread_attr_destroy(&attributes);
    if (failed) { close(pidfd); errno = failed; return -1; }
    return 0;
}

int hx_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int hx_dup_above(int fd, int minimum) { return fcntl(fd, F_DUPFD_CLOEXEC, minimum); }

int hx_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int hx_open_path(const char *path, int directory) {
    return open(path, O_PATH | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
}

int hx_ignore_sigpipe(void) {
    struct sigaction sa = {0};
    sa.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &sa, NULL);
}

int hx_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int hx_block_signals_fd(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC);
}

int hx_read_signal(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

int hx_kernel_nr_open(void) {
    FILE *f = fopen("/proc/sys/fs/nr_open", "re");
    if (!f) return -1;
    int value = -1;
    if (fscanf(f, "%d", &value) != 1) value = -1;
    fclose(f);
    return value;
}

int hx_wait4(int pid, int nohang, hx_wait_result *out) {
    int status = 0;
    struct rusage ru;
    int r;
    do {
        r = wait4(pid, &status, __WALL | (nohang ? WNOHANG : 0), &ru);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return r;
    out->pid = r;
    out->exited = WIFEXITED(status) ? 1 : 0;
    out->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    out->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    out->user_usec = (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
    out->system_usec = (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
    out->max_rss_kib = ru.ru_maxrss;
    return r;
}

int hx_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int hx_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event ev = {.events = events, .data.u64 = token};
    int kop = op == HX_EPOLL_ADD ? EPOLL_CTL_ADD : op == HX_EPOLL_DEL ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    return epoll_ctl(epfd, kop, fd, &ev);
}

int hx_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n;
    do {
        n = epoll_wait(epfd, evs, max, timeout_ms);
    } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) {
        tokens[i] = evs[i].data.u64;
        events[i] = evs[i].events;
    }
    return n;
}

int hx_peek_exited_child(void) {
    siginfo_t info = {0};
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -1;
    return info.si_pid;
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int hx_open_beneath(int dirfd, const char *path, int flags, int no_symlinks) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
    int fd;
    do {
        fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    return fd;
}

int hx_readlinkat(int dirfd, const char *path, char *buf, int size) {
    if (size < 1) return -1;
    ssize_t n = readlinkat(dirfd, path, buf, (size_t)size - 1);
    if (n < 0) return -1;
    buf[n] = 0;
    return (int)n;
}

int hx_landlock_abi(void) {
    /* landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) */
    long abi = syscall(444, NULL, 0, 1U);
    return abi < 0 ? -1 : (int)abi;
}
