# Shared by bench.sh and bench-peers.sh (sourced, POSIX sh). Benchmarks are not tests: nothing
# here fails on a number; a function returns non-zero only when the harness itself breaks.

BENCH_SECONDS="${BENCH_SECONDS:-10}"
BENCH_MAX_LOAD="${BENCH_MAX_LOAD:-1.0}"      # wait for the 1-minute load to drop below this …
BENCH_LOAD_WAIT="${BENCH_LOAD_WAIT:-600}"   # … for at most this many seconds, then measure anyway
BODY_TRUE='{}'
BODY_ECHO='{"args":["hello"],"stdout":{"capture":true}}'
BUILD_NOTE=""

say() { echo "bench: $*" >&2; }

load1() { cut -d' ' -f1 /proc/loadavg; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# apt-get install (root only).
apt_install() { # package...
    if [ "$(id -u)" != 0 ]; then say "need root to apt-get install $*"; return 1; fi
    say "installing $*"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Installs a Debian package when its command is missing.
need_apt() { # command package
    command -v "$1" >/dev/null 2>&1 || apt_install "$2"
}

# The machine has few cores and is shared: wait (polling every 30 s, bounded) until the 1-minute
# load is below BENCH_MAX_LOAD, so other work does not end up in the figures; the load at the
# start is printed with every table either way.
wait_for_quiet() {
    waited=0
    while awk -v l="$(load1)" -v m="$BENCH_MAX_LOAD" 'BEGIN { exit !(l >= m) }'; do
        if [ "$waited" -ge "$BENCH_LOAD_WAIT" ]; then
            say "load still $(loadavg) after ${waited}s: measuring anyway"
            return 0
        fi
        say "load $(loadavg) ≥ $BENCH_MAX_LOAD: waiting 30 s (${waited}s so far)"
        sleep 30
        waited=$((waited + 30))
    done
}

# Other work on the machine while a row runs: every second, the number of runnable threads that
# are not the benchmark's (not the pids given, not their children, not wrk, ps, the spawned
# programs or kernel threads, which the load itself keeps busy). start_foreign/stop_foreign bracket a row; FOREIGN is then the mean, e.g. "0.0".
start_foreign() { # pid...
    FOREIGN_FILE="$WORK/foreign.$$"
    rm -f "$FOREIGN_FILE"
    (
        pids=" $* "; sum=0; n=0
        while :; do
            c="$(ps -eLo pid=,ppid=,stat=,comm= | awk -v pids="$pids" '
                $3 ~ /^R/ && $4 != "ps" && $4 != "wrk" && $4 != "raw-spawn" && $4 != "true" && $4 != "echo" &&
                $1 != 2 && $2 != 2 && index(pids, " " $1 " ") == 0 && index(pids, " " $2 " ") == 0 { c++ } END { print c + 0 }')"
            sum=$((sum + c)); n=$((n + 1))
            echo "$sum $n" >"$FOREIGN_FILE.tmp" && mv "$FOREIGN_FILE.tmp" "$FOREIGN_FILE"
            sleep 1
        done
    ) &
    FOREIGN_PID=$!
}
stop_foreign() {
    stop_pid "$FOREIGN_PID"; FOREIGN_PID=""
    FOREIGN="$(awk '{ if ($2 > 0) printf "%.1f", $1 / $2; else print "-" }' "$FOREIGN_FILE" 2>/dev/null || echo "-")"
    [ -n "$FOREIGN" ] || FOREIGN="-"
}

# Release build of the three products; sets BIN to the directory holding them.
build_release() {
    BIN="$(swift build -c release --show-bin-path)"
    if ! swift build -c release >"$WORK/build.log" 2>&1; then
        # Swift 6.3 enforces MemberImportVisibility in release builds where debug builds pass. A
        # benchmark must not stop at that: build again without the upcoming feature, in a scratch
        # directory of its own (other flags in .build would make every build there start over).
        say "swift build -c release failed: $(grep -m1 'error:' "$WORK/build.log" || tail -1 "$WORK/build.log")"
        set -- -c release --scratch-path .build/bench-fallback -Xswiftc -disable-upcoming-feature -Xswiftc MemberImportVisibility
        say "building instead with: swift build $*"
        BUILD_NOTE="plain 'swift build -c release' failed; built with -Xswiftc -disable-upcoming-feature -Xswiftc MemberImportVisibility"
        swift build "$@" >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; return 1; }
        BIN="$(swift build "$@" --show-bin-path)"
    fi
    for p in httpexec httpexec-server httpexec-launcher; do
        [ -x "$BIN/$p" ] || { say "missing $BIN/$p"; return 1; }
    done
}

# The raw spawn ceiling (Benchmarks/raw-spawn.c), built once per run.
build_raw_spawn() {
    cc -O2 -Wall -pthread -o "$WORK/raw-spawn" Benchmarks/raw-spawn.c
}

# A TCP port on 127.0.0.1 that was free a moment ago.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Exec root with copies of /bin/true and /bin/echo (not symlinks: FOLLOW_LINKS is off).
make_exec_root() { # dir
    mkdir -p "$1"
    cp /bin/true /bin/echo "$1/"
    chmod 755 "$1" "$1/true" "$1/echo"
}

# wrk scripts: POST with a JSON body; done() prints one machine-readable line
# "RESULT requests seconds req/s p50_us p99_us errors", errors = HTTP ≥ 400 + socket errors
# (wrk counts statuses above 399 as "non-2xx or 3xx").
write_wrk_script() { # file body
    cat >"$1" <<EOF
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %d %.2f %.1f %d %d %d\n", summary.requests, secs,
    summary.requests / secs, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
EOF
}

# Runs wrk; prints "req/s p50_us p99_us errors" (or "- - - -" when wrk itself failed).
run_wrk() { # url script connections
    threads=2
    [ "$3" = 1 ] && threads=1
    out="$(wrk -t"$threads" -c"$3" -d"${BENCH_SECONDS}s" --latency -s "$2" "$1" 2>&1)"
    line="$(printf '%s\n' "$out" | grep '^RESULT ' | tail -1)"
    if [ -z "$line" ]; then
        say "wrk failed for $1 at $3 connections: $(printf '%s' "$out" | tail -3)"
        echo "- - - -"
        return 0
    fi
    set -- $line
    echo "$4 $5 $6 $7"
}

# Microseconds as milliseconds with two decimals.
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.2f", u / 1000 }'; }

# a / b with two decimals, "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

# VmRSS of a pid in MiB (one decimal), "-" when it is gone.
rss_mib() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024; found = 1 } END { if (!found) print "-" }' "/proc/$1/status" 2>/dev/null || echo "-"
}

# Starts `httpexec serve` on a free port with the exec root given; sets SERVE_PID, PORT,
# LAUNCHER_PID, FRONTEND_PID. Its log (the launcher logs every job at info) goes to a file.
start_ours() { # exec_root log
    start_ours_with "$2" --exec-root "$1"
}

# The same with other serve arguments (e.g. --policy FILE).
start_ours_with() { # log serve-argument...
    log="$1"; shift
    PORT="$(free_port)"
    "$BIN/httpexec" serve "$@" --bind "127.0.0.1:$PORT" >"$log" 2>&1 &
    SERVE_PID=$!
    i=0
    while ! grep -q "serving on 127.0.0.1:$PORT" "$log" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -gt 600 ] || ! kill -0 "$SERVE_PID" 2>/dev/null; then
            say "httpexec serve did not start:"; tail -20 "$log" >&2
            return 1
        fi
        sleep 0.05
    done
    line="$(grep "serving on 127.0.0.1:$PORT" "$log" | head -1)"
    LAUNCHER_PID="$(printf '%s' "$line" | sed -n 's/.*launcher pid \([0-9]*\).*/\1/p')"
    FRONTEND_PID="$(printf '%s' "$line" | sed -n 's/.*front-end pid \([0-9]*\).*/\1/p')"
}

# SIGTERM a pid we started and wait for it (bounded), then SIGKILL.
stop_pid() {
    [ -n "${1:-}" ] || return 0
    kill "$1" 2>/dev/null || return 0
    i=0
    while kill -0 "$1" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# Waits (bounded) until an HTTP POST to url answers 200.
wait_http() { # url body
    i=0
    while [ "$i" -lt 300 ]; do
        code="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$2" "$1" 2>/dev/null || true)"
        [ "$code" = 200 ] && return 0
        i=$((i + 1))
        sleep 0.1
    done
    say "no 200 from $1 (last status $code)"
    return 1
}

# "met" or "NOT met" for value OP target (OP ">=" or "<="); "n/a" for a missing value.
met() { # value op target
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "-") print "n/a"; else if ((op == ">=" && v + 0 >= t + 0) || (op == "<=" && v + 0 <= t + 0)) print "met"; else print "NOT met" }'
}

# The lines above a table: title with date and machine, the given description lines, the build
# note if any, and the load average before and after (LOAD_BEFORE, LOAD_AFTER).
print_preamble() { # title line...
    echo
    echo "$1 — $(machine_line)"
    shift
    for line in "$@"; do echo "$line"; done
    if [ -n "$BUILD_NOTE" ]; then echo "note: $BUILD_NOTE"; fi
    echo "load average (1/5/15 min): before $LOAD_BEFORE, after $LOAD_AFTER"
}

machine_line() {
    cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($cpu), kernel $(uname -r), uid $(id -u)"
}
