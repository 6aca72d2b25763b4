#!/bin/sh
# Where the time of a request goes (docs/benchmarks.md, "What the gap is made of"). Run by hand:
# ./Benchmarks/profile.sh. Needs root for system-wide perf; falls back to strace alone when perf
# cannot sample. Not a test and not part of `make bench`: profiling slows what it watches.
#  1. CPU per request by component: perf (software clock, system-wide) while wrk runs POST /true at
#     8 connections against httpexec serve, and while raw-spawn runs 2 threads — same buckets.
#  2. Syscalls per request in each process: strace -c at 1 connection.
#  3. The sandbox alone: the spawn engine (httpexec-spawn-bench) with and without its seccomp filter.
set -eu
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
SECS="${BENCH_SECONDS:-10}"

WORK="$(mktemp -d /tmp/httpexec-profile.XXXXXX)"
chmod 755 "$WORK"
SERVE_PID=""
FOREIGN_PID=""
cleanup() { stop_pid "$SERVE_PID"; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

need_apt wrk wrk
need_apt strace strace
need_apt python3 python3
build_release
swift build -c release --product httpexec-spawn-bench >/dev/null 2>&1 || true
build_raw_spawn
ROOT="$WORK/root"
make_exec_root "$ROOT"
write_wrk_script "$WORK/true.lua" "$BODY_TRUE"
PERF=no
if command -v perf >/dev/null 2>&1 && perf record -q -e cpu-clock -a -o "$WORK/probe.data" -- true >/dev/null 2>&1; then PERF=yes; fi

# CPU shares from a perf.data file: buckets by process (pid = thread group) and command name.
# Prints "bucket share% µs-per-unit" lines; units = requests or spawns in the profiled window.
shares() { # perf.data units seconds main_label main_pid frontend_pid
    perf script -i "$1" -F comm,pid,tid 2>/dev/null | awk -v units="$2" -v secs="$3" -v label="$4" -v mp="$5" -v fp="$6" -v cpus="$(nproc)" '
        { split($NF, id, "/"); pid = id[1]; comm = $1; for (i = 2; i < NF; i++) comm = comm " " $i
          if (pid == mp) b = label
          else if (pid == fp) b = "front-end"
          else if (comm == "httpexec-engine" || comm == "raw-spawn") b = "child before exec"
          else if (comm == "true") b = "/bin/true after exec"
          else if (comm == "wrk") b = "wrk"
          else if (comm == "swapper") b = "idle"
          else b = "other (kernel threads, softirq, perf)"
          n[b]++; total++ }
        END { for (b in n) printf "%d\t  %-40s %5.1f%%  %6.0f µs\n", n[b], b, 100 * n[b] / total, n[b] / total * cpus * secs * 1e6 / units }' |
        sort -rn | cut -f2
}

if [ "$PERF" = yes ]; then
    wait_for_quiet
    echo "== 1. CPU per request (perf record -e cpu-clock -a, ${SECS}s; load before: $(loadavg))"
    start_ours "$ROOT" "$WORK/serve.log"
    wait_http "http://127.0.0.1:$PORT/true" "$BODY_TRUE"
    perf record -q -e cpu-clock -F 2000 -a -g -o "$WORK/ours.data" -- sleep "$SECS" >/dev/null 2>&1 &
    PERF_PID=$!
    set -- $(run_wrk "http://127.0.0.1:$PORT/true" "$WORK/true.lua" 8)
    wait "$PERF_PID" || true
    REQS="$(awk -v r="$1" -v s="$SECS" 'BEGIN { printf "%d", r * s }')"
    echo "ours, POST /true at 8 connections: $1 req/s (≈ $REQS requests in the window); share of all CPU time and CPU µs per request:"
    shares "$WORK/ours.data" "$REQS" "$SECS" launcher "$LAUNCHER_PID" "$FRONTEND_PID"
    echo "  inside 'child before exec' (inclusive, % of all CPU time):"
    perf report -i "$WORK/ours.data" --children --comm httpexec-engine --sort sym --stdio -g none 2>/dev/null |
        awk '/\[k\] (do_seccomp|bpf_prepare_filter|bpf_int_jit_compile|__do_sys_clone|__x64_sys_execveat|__x64_sys_prlimit64|__do_sys_close_range)$/ { printf "    %-28s %s\n", $NF, $1 }'
    for who in front-end:"$FRONTEND_PID" launcher:"$LAUNCHER_PID"; do
        echo "  ${who%%:*} by code (self time, % of all CPU time):"
        # The leaf frame of each sample (perf report's dso sort drops kernel samples with --pid).
        perf script -i "$WORK/ours.data" -F pid,ip,dso 2>/dev/null | awk -v p="${who#*:}" '
            /^[^\t]/ && NF { pid = $1; leaf = 1; n++; next }
            /^\t/ && leaf { leaf = 0; if (pid == p) { d = $NF; gsub(/[()]/, "", d); sub(".*/", "", d); c[d]++ } }
            END { for (k in c) if (100 * c[k] / n >= 0.3) printf "    %-28s %5.2f%%\n", k, 100 * c[k] / n }' | sort -k2 -rn
        echo "  ${who%%:*} in the kernel (inclusive, % of all CPU time):"
        perf report -i "$WORK/ours.data" --children --pid "${who#*:}" --sort sym --stdio -g none 2>/dev/null |
            awk '$3 == "[k]" && $NF ~ /^(__schedule|do_futex|eventfd_write|ksys_write|ksys_read|do_writev|do_epoll_wait|tcp_sendmsg|__do_sys_clone|do_sys_openat2|do_mprotect_pkey)$/ { printf "    %-28s %s\n", $NF, $1 }'
    done
    stop_pid "$SERVE_PID"; SERVE_PID=""

    perf record -q -e cpu-clock -F 2000 -a -g -o "$WORK/raw.data" -- sleep "$SECS" >/dev/null 2>&1 &
    PERF_PID=$!
    "$WORK/raw-spawn" 2 "$SECS" /bin/true >"$WORK/raw.out" &
    RAW_PID=$!
    wait "$RAW_PID"; wait "$PERF_PID" || true
    set -- $(cat "$WORK/raw.out")
    echo "raw posix_spawn+wait, 2 threads: $3 spawns/s; share of all CPU time and CPU µs per spawn:"
    shares "$WORK/raw.data" "$2" "$SECS" "raw-spawn (parent)" "$RAW_PID" -
    echo
fi

echo "== 2. Syscalls per request (strace -c, POST /true at 1 connection, 5 s; strace slows both processes)"
start_ours "$ROOT" "$WORK/serve.log"
wait_http "http://127.0.0.1:$PORT/true" "$BODY_TRUE"
strace -c -f -p "$FRONTEND_PID" -o "$WORK/fe.strace" 2>/dev/null &
S1=$!
# Launcher threads only (no -f): the jobs it spawns are not counted here.
set --; for t in /proc/"$LAUNCHER_PID"/task/*; do set -- "$@" -p "${t##*/}"; done
strace -c "$@" -o "$WORK/la.strace" 2>/dev/null &
S2=$!
sleep 1
BENCH_SECONDS=5 run_wrk "http://127.0.0.1:$PORT/true" "$WORK/true.lua" 1 >"$WORK/wrk1.out"
sleep 0.5
kill -INT "$S1" "$S2"; wait "$S1" "$S2" 2>/dev/null || true
set -- $(cat "$WORK/wrk1.out")
REQS="$(awk -v r="$1" 'BEGIN { printf "%d", r * 5 }')"
for f in fe:front-end la:launcher; do
    file="$WORK/${f%%:*}.strace"
    awk -v who="${f#*:}" -v n="$REQS" '
        $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { c[$NF] = $4; t += $4 }
        END { printf "%s: %.1f syscalls per request:", who, t / n
              for (k in c) if (c[k] / n >= 0.5) printf " %s %.1f", k, c[k] / n; printf "\n" }' "$file"
done
stop_pid "$SERVE_PID"; SERVE_PID=""
echo

BENCH="$(swift build -c release --show-bin-path)/httpexec-spawn-bench"
if [ -x "$BENCH" ]; then
    echo "== 3. The spawn engine alone, 2 in flight, ${SECS}s each (no HTTP, no launcher socket; /bin/true, output captured)"
    set -- $("$WORK/raw-spawn" 2 "$SECS" /bin/true); echo "raw posix_spawn+wait, 2 threads:   $3 spawns/s"
    set -- $("$BENCH" 2 "$SECS" policy/seccomp/default.json /bin/true); echo "engine, full sandbox:              $3 spawns/s"
    set -- $(BENCH_ABLATE=seccomp "$BENCH" 2 "$SECS" policy/seccomp/default.json /bin/true); echo "engine without the seccomp filter: $3 spawns/s"
fi
echo "load average after: $(loadavg)"
