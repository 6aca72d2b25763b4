/*
 * raw-spawn: the machine's spawn ceiling, for comparison with the engine in the same run.
 * Each iteration: two pipes (stdout, stderr), posix_spawn of PROGRAM with them as fds 1 and 2
 * and /dev/null as stdin, read both to EOF, waitpid. THREADS threads run the loop for SECONDS.
 * Prints: threads, spawns, spawns/s, p50 and p99 latency in microseconds.
 *
 * usage: raw-spawn THREADS SECONDS [PROGRAM]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *program = "/bin/true";
static double seconds = 3;
#define MAX_SAMPLES 2000000

struct worker { long count; double *lat; };

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void drain(int fd) {
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {}
    close(fd);
}

static void *run(void *arg) {
    struct worker *w = arg;
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char *argv[] = {(char *)program, NULL};
    double end = now() + seconds;
    while (now() < end && w->count < MAX_SAMPLES) {
        double t0 = now();
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) { perror("pipe2"); exit(1); }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, devnull, 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        pid_t pid;
        int rc = posix_spawn(&pid, program, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        close(err[1]);
        if (rc) { fprintf(stderr, "posix_spawn: %s\n", strerror(rc)); exit(1); }
        drain(out[0]);
        drain(err[0]);
        int status;
        waitpid(pid, &status, 0);
        w->lat[w->count++] = (now() - t0) * 1e6;
    }
    close(devnull);
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: raw-spawn THREADS SECONDS [PROGRAM]\n"); return 64; }
    int threads = atoi(argv[1]);
    seconds = atof(argv[2]);
    if (argc > 3) program = argv[3];
    pthread_t tids[64];
    struct worker workers[64];
    if (threads < 1 || threads > 64) return 64;
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        workers[i].count = 0;
        workers[i].lat = malloc(sizeof(double) * MAX_SAMPLES);
        pthread_create(&tids[i], NULL, run, &workers[i]);
    }
    long total = 0;
    for (int i = 0; i < threads; i++) { pthread_join(tids[i], NULL); total += workers[i].count; }
    double elapsed = now() - t0;
    double *all = malloc(sizeof(double) * total);
    long k = 0;
    for (int i = 0; i < threads; i++) { memcpy(all + k, workers[i].lat, sizeof(double) * workers[i].count); k += workers[i].count; }
    qsort(all, total, sizeof(double), cmp);
    printf("%d %ld %.1f %.0f %.0f\n", threads, total, total / elapsed, all[total / 2], all[(long)(total * 0.99)]);
    return 0;
}
