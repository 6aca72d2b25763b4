/*
 * cold-start: time from starting both socket activators to the first successful response.
 *
 * t0: just before the two activators are spawned (systemd-socket-activate for the launcher on a
 * Unix socket, and for the front-end on TCP — given as two argument vectors). The launcher's
 * socket is made connectable for the front-end's uid as soon as it exists (what SocketMode=
 * does in a unit). Then one client connects to the TCP port, retrying while it is refused, and
 * sends POST PATH with body {} — that first connection starts the front-end, whose first
 * launcher connection starts the launcher. A response other than 200, or a connection closed
 * without one, is retried on a new connection until the deadline.
 *
 * Prints: "listen_ms total_ms attempts" — listen_ms when both activators were listening,
 * total_ms at the first complete 200 response. Exit 1 (and "- - N") when the deadline passed.
 * Both activated processes are stopped (SIGTERM, then SIGKILL after 5 s) before exiting.
 *
 * usage: cold-start PORT UNIX_SOCKET PATH DEADLINE_S -- LAUNCHER_ARGV... -- FRONTEND_ARGV...
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static pid_t start(char **argv) {
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (rc) { fprintf(stderr, "cold-start: cannot start %s: %s\n", argv[0], strerror(rc)); return -1; }
    return pid;
}

static void stop(pid_t pid) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) return;
        pause_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static int tcp_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* One request on fd; 1 when the whole response arrived and its status is 200. */
static int request(int fd, const char *path) {
    char req[512];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: 2\r\nConnection: close\r\n\r\n{}", path);
    if (write(fd, req, n) != n) return 0;
    char buf[8192];
    size_t have = 0;
    ssize_t r;
    while ((r = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
        have += r;
        if (have >= sizeof buf - 1) break;
    }
    buf[have] = 0;
    return strncmp(buf, "HTTP/1.1 200", 12) == 0;
}

int main(int argc, char **argv) {
    if (argc < 8 || strcmp(argv[5], "--") != 0) {
        fprintf(stderr, "usage: cold-start PORT UNIX_SOCKET PATH DEADLINE_S -- LAUNCHER_ARGV... -- FRONTEND_ARGV...\n");
        return 64;
    }
    int port = atoi(argv[1]);
    const char *unix_socket = argv[2], *path = argv[3];
    double deadline_s = atof(argv[4]);
    char **launcher_argv = argv + 6, **frontend_argv = NULL;
    for (int i = 6; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) { argv[i] = NULL; frontend_argv = argv + i + 1; break; }
    if (!frontend_argv || !*frontend_argv) { fprintf(stderr, "cold-start: no front-end command\n"); return 64; }

    double t0 = now(), deadline = t0 + deadline_s;
    pid_t launcher = start(launcher_argv);
    pid_t frontend = start(frontend_argv);
    if (launcher < 0 || frontend < 0) { stop(launcher); stop(frontend); return 2; }

    /* Both activators listening: the launcher's socket file exists (and is opened up for the
     * front-end's uid), and the TCP port accepts connections. */
    struct stat st;
    while (stat(unix_socket, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        if (now() > deadline) goto timeout;
        pause_ms(1);
    }
    chmod(unix_socket, 0666);
    int fd;
    while ((fd = tcp_connect(port)) < 0) {
        if (now() > deadline) goto timeout;
        pause_ms(1);
    }
    double listening = now();
    int attempts = 1;
    while (!request(fd, path)) {
        close(fd);
        if (now() > deadline) goto timeout;
        pause_ms(1);
        while ((fd = tcp_connect(port)) < 0) {
            if (now() > deadline) goto timeout;
            pause_ms(1);
        }
        attempts++;
    }
    double done = now();
    close(fd);
    printf("%.1f %.1f %d\n", (listening - t0) * 1e3, (done - t0) * 1e3, attempts);
    stop(frontend);
    stop(launcher);
    return 0;

timeout:
    printf("- - %d\n", 0);
    stop(frontend);
    stop(launcher);
    return 1;
}
