#!/bin/sh
# make bench: httpexec serve with the full sandbox under wrk (POST /true and /echo captured, at 1,
# 8 and 32 connections) beside a raw posix_spawn+wait loop with pipes in the same run, the RSS of
# both processes idle and under load, the cold start under systemd-socket-activate, and one large
# request (POST /cat, 100 MiB each way) with its throughput and peak RSS.
# Prints one table. Not a test: nothing here fails on a number (exit 0 unless the harness breaks).
# BENCH_SECONDS (default 10) per wrk row and raw-spawn row; BENCH_COLD_RUNS (default 5);
# BENCH_LARGE_MIB (default 100) and BENCH_LARGE_RUNS (default 3) for the large request.
set -eu
cd "$(dirname "$0")/.."
REPO="$(pwd)"
. Benchmarks/lib.sh
COLD_RUNS="${BENCH_COLD_RUNS:-5}"

WORK="$(mktemp -d /tmp/httpexec-bench.XXXXXX)"
chmod 755 "$WORK"
SERVE_PID=""
SAMPLER_PID=""
SAMPLER2_PID=""
FOREIGN_PID=""
cleanup() {
    stop_pid "$FOREIGN_PID"
    stop_pid "$SAMPLER_PID"
    stop_pid "$SAMPLER2_PID"
    stop_pid "$SERVE_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_apt wrk wrk
need_apt curl curl
need_apt python3 python3
need_apt systemd-socket-activate systemd
say "building release binaries"
build_release
build_raw_spawn
cc -O2 -Wall -o "$WORK/cold-start" Benchmarks/cold-start.c

ROOT="$WORK/root"
make_exec_root "$ROOT"
write_wrk_script "$WORK/true.lua" "$BODY_TRUE"
write_wrk_script "$WORK/echo.lua" "$BODY_ECHO"

# A launcher policy like the one serve generates (jobs as nobody when root; the front-end, which
# drops to uid 60999 when started as root, is the only peer), with the output/stdin cap given.
if [ "$(id -u)" = 0 ]; then PEER=60999; else PEER="$(id -u)"; fi
write_policy() { # file socket cap
    {
        echo "exec_root = \"$ROOT\""
        echo "follow_links = false"
        echo "working_directory = \"/\""
        echo "seccomp = \"$REPO/policy/seccomp/default.json\""
        if [ "$(id -u)" = 0 ]; then printf '[run_as]\nuser = "nobody"\ngroup = "nogroup"\n'; fi
        printf '[limits]\noutput_cap = "%s"\nstdin_cap = "%s"\n' "$3" "$3"
        printf '[concurrency]\nmax_jobs = 64\nmax_per_command = 64\n'
        printf '[peers]\nusers = ["%s"]\n' "$PEER"
        printf '[socket]\npath = "%s"\nmode = "0660"\n' "$2"
        if [ "$(id -u)" = 0 ]; then printf 'group = "%s"\n' "$PEER"; fi
    } >"$1"
}

# Highest VmRSS and RssAnon (KiB) of a pid, written to a file every 200 ms until killed.
sample_rss() { # pid file
    peak=0; peak_anon=0
    while :; do
        set -- "$1" "$2" $(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } END { print r + 0, a + 0 }' "/proc/$1/status" 2>/dev/null || echo 0 0)
        [ "$3" -gt "$peak" ] && peak=$3
        [ "$4" -gt "$peak_anon" ] && peak_anon=$4
        echo "$peak $peak_anon" >"$2.tmp" && mv "$2.tmp" "$2"
        sleep 0.2
    done
}
# "VmRSS (anon RssAnon)" in MiB, now.
rss_now() {
    awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } END { if (r == "") print "-"; else printf "%.1f (anon %.1f)", r / 1024, a / 1024 }' "/proc/$1/status" 2>/dev/null || echo "-"
}
# The peak over sample files of field 1 (VmRSS) or 2 (RssAnon), in MiB.
peak_mib() { # field file...
    f=$1; shift
    cat "$@" 2>/dev/null | awk -v f="$f" 'BEGIN { m = 0 } { if ($f > m) m = $f } END { if (m) printf "%.1f", m / 1024; else print "-" }'
}

wait_for_quiet
LOAD_BEFORE="$(loadavg)"
ROWS="$WORK/rows"
: >"$ROWS"
row() { # what conns req/s p50_us p99_us errors load other
    p50="$(ms "$4")"; p99="$(ms "$5")"
    printf '%-30s %6s %9s %8s %8s %8s %7s %6s %6s\n' "$1" "$2" "$3" "$p50" "$p99" "$(ratio "$5" "$4")" "$6" "$7" "$8" >>"$ROWS"
}

say "raw posix_spawn+wait of /bin/true with pipes, 1 and 2 threads (${BENCH_SECONDS}s each)"
for threads in 1 2; do
    L="$(load1)"; start_foreign $$
    set -- $("$WORK/raw-spawn" "$threads" "$BENCH_SECONDS" /bin/true)
    stop_foreign
    eval "RAW$threads=$3"
    row "raw posix_spawn+wait, pipes" "$threads thr" "$3" "$4" "$5" "-" "$L" "$FOREIGN"
done

say "starting httpexec serve"
start_ours "$ROOT" "$WORK/serve.log"
BASE="http://127.0.0.1:$PORT"
sleep 1
RSS_IDLE_L="$(rss_mib "$LAUNCHER_PID")"; RSS_IDLE_F="$(rss_mib "$FRONTEND_PID")"
RSS_IDLE_LX="$(rss_now "$LAUNCHER_PID")"; RSS_IDLE_FX="$(rss_now "$FRONTEND_PID")"
wait_http "$BASE/true" "$BODY_TRUE"
wait_http "$BASE/echo" "$BODY_ECHO"

for endpoint in true echo; do
    for conns in 1 8 32; do
        say "POST /$endpoint, $conns connections (${BENCH_SECONDS}s)"
        if [ "$conns" = 32 ]; then
            sample_rss "$LAUNCHER_PID" "$WORK/rss-launcher-$endpoint" &
            SAMPLER_PID=$!
            sample_rss "$FRONTEND_PID" "$WORK/rss-frontend-$endpoint" &
            SAMPLER2_PID=$!
        fi
        L="$(load1)"; start_foreign $$ "$SERVE_PID" "$LAUNCHER_PID" "$FRONTEND_PID"
        set -- $(run_wrk "$BASE/$endpoint" "$WORK/$endpoint.lua" "$conns")
        stop_foreign
        if [ "$conns" = 32 ]; then
            stop_pid "$SAMPLER_PID"; stop_pid "$SAMPLER2_PID"; SAMPLER_PID=""
        fi
        what="POST /true {}"
        [ "$endpoint" = echo ] && what="POST /echo, stdout captured"
        row "$what" "$conns" "$1" "$2" "$3" "$4" "$L" "$FOREIGN"
        eval "OURS_${endpoint}_${conns}='$1 $2 $3 $4'"
    done
done
sleep 2
RSS_AFTER_LX="$(rss_now "$LAUNCHER_PID")"; RSS_AFTER_FX="$(rss_now "$FRONTEND_PID")"
RSS_LOAD_L="$(peak_mib 1 "$WORK"/rss-launcher-*)"; RSS_LOAD_F="$(peak_mib 1 "$WORK"/rss-frontend-*)"
RSS_LOAD_LX="$RSS_LOAD_L (anon $(peak_mib 2 "$WORK"/rss-launcher-*))"
RSS_LOAD_FX="$RSS_LOAD_F (anon $(peak_mib 2 "$WORK"/rss-frontend-*))"
JOBS_LOGGED="$(grep -c ': finished ' "$WORK/serve.log" || true)"
stop_pid "$SERVE_PID"; SERVE_PID=""

# Cold start: both processes socket-activated as their systemd units would be, the launcher on a
# Unix socket with a policy like the one serve generates, the front-end on TCP.
say "cold start under systemd-socket-activate, $COLD_RUNS runs"
COLD_TIMES=""
COLD_LISTEN=""
n=1
while [ "$n" -le "$COLD_RUNS" ]; do
    dir="$WORK/cold-$n"
    mkdir -p "$dir"; chmod 755 "$dir"
    write_policy "$dir/policy.toml" "$dir/launcher.sock" 16MiB
    port="$(free_port)"
    set -- "$BIN/httpexec-server" serve --launcher-socket "$dir/launcher.sock"
    [ "$(id -u)" = 0 ] && set -- "$@" --user "$PEER"
    out="$("$WORK/cold-start" "$port" "$dir/launcher.sock" /true 30 -- \
        systemd-socket-activate "--listen=$dir/launcher.sock" --fdname=launcher \
            "$BIN/httpexec-launcher" --policy "$dir/policy.toml" -- \
        systemd-socket-activate "--listen=127.0.0.1:$port" --fdname=http "$@" 2>"$dir/log" || true)"
    set -- $out "-" "-"
    if [ "$2" = "-" ]; then say "cold start run $n: no 200 within 30 s; log:"; tail -5 "$dir/log" >&2; fi
    COLD_TIMES="$COLD_TIMES $2"
    COLD_LISTEN="$COLD_LISTEN $1"
    n=$((n + 1))
done
median() { echo "$@" | tr ' ' '\n' | grep -v '^-*$' | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
COLD_MEDIAN="$(median $COLD_TIMES)"

# Large I/O: POST /cat with LARGE_MIB MiB of random bytes as base64 stdin and stdout captured as
# base64, through a fresh serve whose caps allow it (policy output/stdin cap, body limit), sent
# without "Expect: 100-continue" (curl would wait a second for a 100 that never comes). The
# response is checked byte for byte; VmHWM of each process is its peak RSS over the requests.
LARGE_MIB="${BENCH_LARGE_MIB:-100}"
LARGE_RUNS="${BENCH_LARGE_RUNS:-3}"
say "large I/O: POST /cat, $LARGE_MIB MiB stdin and stdout (base64), $LARGE_RUNS runs"
cp /bin/cat "$ROOT/cat"
write_policy "$WORK/large-policy.toml" "$WORK/large-unused.sock" "$((LARGE_MIB + 28))MiB"
python3 - "$LARGE_MIB" "$WORK/large" <<'PY'
import base64, hashlib, os, sys
data = os.urandom(int(sys.argv[1]) << 20)
open(sys.argv[2] + ".sha256", "w").write(hashlib.sha256(data).hexdigest())
with open(sys.argv[2] + ".json", "w") as f:
    f.write('{"stdin":{"content":"' + base64.b64encode(data).decode() + '","encode":"base64"},'
            '"stdout":{"capture":true,"encode":"base64"}}')
PY
LARGE_BODY_MIB="$(awk -v b="$(wc -c <"$WORK/large.json")" 'BEGIN { printf "%.1f", b / 1048576 }')"
# The body limit is given in the environment: serve's --max-content-length flag does not reach
# the front-end it starts (the variable does).
export HTTPEXEC_MAX_CONTENT_LENGTH="$((LARGE_MIB * 2 + 64))MiB"
start_ours_with "$WORK/large-serve.log" --policy "$WORK/large-policy.toml"
unset HTTPEXEC_MAX_CONTENT_LENGTH
LARGE_TIMES=""
LARGE_STATUS=""
n=1
while [ "$n" -le "$LARGE_RUNS" ]; do
    set -- $(curl -s -o "$WORK/large-response.json" -w '%{http_code} %{time_total}' -X POST \
        -H 'Content-Type: application/json' -H 'Expect:' --data-binary @"$WORK/large.json" "http://127.0.0.1:$PORT/cat" || echo "000 -")
    ok="$(python3 - "$WORK/large-response.json" "$WORK/large.sha256" <<'PY' 2>/dev/null || echo bad
import base64, hashlib, json, sys
r = json.load(open(sys.argv[1]))
same = hashlib.sha256(base64.b64decode(r["stdout"]["content"])).hexdigest() == open(sys.argv[2]).read()
print("ok" if same and r["return"] == 0 and not r.get("truncated") else "bad")
PY
)"
    LARGE_STATUS="$LARGE_STATUS $1/$ok"
    LARGE_TIMES="$LARGE_TIMES $2"
    n=$((n + 1))
done
hwm_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024; f = 1 } END { if (!f) print "-" }' "/proc/$1/status" 2>/dev/null || echo "-"; }
LARGE_HWM_L="$(hwm_mib "$LAUNCHER_PID")"; LARGE_HWM_F="$(hwm_mib "$FRONTEND_PID")"
stop_pid "$SERVE_PID"; SERVE_PID=""
LARGE_MEDIAN="$(median $LARGE_TIMES)"
LARGE_RATE="$(awk -v m="$LARGE_MIB" -v t="$LARGE_MEDIAN" 'BEGIN { if (t == "-" || t + 0 == 0) print "-"; else printf "%.1f", m / t }')"
LOAD_AFTER="$(loadavg)"

# The table.
set -- $OURS_true_8; T8=$1; T8P50=$2; T8P99=$3
set -- $OURS_true_1; T1=$1
RATIO8="$(ratio "$T8" "$RAW2")"
RATIO1="$(ratio "$T1" "$RAW1")"
worst() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-") print b; else if (b == "-") print a; else print (a + 0 > b + 0 ? a : b) }'; }

print_preamble "httpexec bench" \
    "ours: httpexec serve (release), full sandbox: seccomp default profile + rlimits + no_new_privs + setsid + close_range$( [ "$(id -u)" = 0 ] && echo ' + uid drop to nobody'); front-end confined as uid $PEER" \
    "load: wrk -t1 (1 conn) / -t2, ${BENCH_SECONDS}s per row, keep-alive; raw: Benchmarks/raw-spawn.c, /bin/true, stdout+stderr pipes, stdin /dev/null"
echo "'load' = 1-min load as the row started (includes the previous rows' own work); 'other' = mean runnable threads not the benchmark's during the row (0.0: nobody else was busy)"
echo
printf '%-30s %6s %9s %8s %8s %8s %7s %6s %6s\n' "what" "conns" "req/s" "p50 ms" "p99 ms" "p99/p50" "errors" "load" "other"
cat "$ROWS"
echo
echo "ratio ours/raw: POST /true 8 conns vs raw 2 threads = $RATIO8 (headline); 1 conn vs raw 1 thread = $RATIO1"
echo
printf '%-10s %-22s %-28s %-22s\n' "RSS MiB" "idle (after start)" "under load (peak, 32 conns)" "idle after load"
printf '%-10s %-22s %-28s %-22s\n' "launcher" "$RSS_IDLE_LX" "$RSS_LOAD_LX" "$RSS_AFTER_LX"
printf '%-10s %-22s %-28s %-22s\n' "front-end" "$RSS_IDLE_FX" "$RSS_LOAD_FX" "$RSS_AFTER_FX"
echo "(VmRSS from /proc/PID/status; 'anon' = RssAnon, the rest is file-backed: binary and shared libraries)"
echo
echo "cold start (both systemd-socket-activate started → first 200 to POST /true), $COLD_RUNS runs:$COLD_TIMES ms; median $COLD_MEDIAN ms (both listening after:$COLD_LISTEN ms)"
echo "jobs run by the launcher during the wrk rows: $JOBS_LOGGED"
echo
echo "large I/O: POST /cat, $LARGE_MIB MiB stdin → stdout, both base64 (request body $LARGE_BODY_MIB MiB), $LARGE_RUNS runs:"
echo "  status/check:$LARGE_STATUS; seconds:$LARGE_TIMES; median $LARGE_MEDIAN s = $LARGE_RATE MiB/s of payload each way"
echo "  peak RSS (VmHWM): launcher $LARGE_HWM_L MiB ($(ratio "$LARGE_HWM_L" "$LARGE_BODY_MIB") × body), front-end $LARGE_HWM_F MiB ($(ratio "$LARGE_HWM_F" "$LARGE_BODY_MIB") × body)"
echo
echo "targets (issue 8, 2 cores, 8 connections):"
echo "  POST /true ≥ 0.85 × raw 2 threads:        $RATIO8 — $(met "$RATIO8" '>=' 0.85)"
echo "  p99 ≤ 3 × p50 (POST /true, 8 conns):      $(ratio "$T8P99" "$T8P50") — $(met "$(ratio "$T8P99" "$T8P50")" '<=' 3)"
echo "  idle RSS ≤ 25 MiB per process:            $(worst "$RSS_IDLE_L" "$RSS_IDLE_F") — $(met "$(worst "$RSS_IDLE_L" "$RSS_IDLE_F")" '<=' 25)"
echo "  RSS under load ≤ 64 MiB per process:      $(worst "$RSS_LOAD_L" "$RSS_LOAD_F") — $(met "$(worst "$RSS_LOAD_L" "$RSS_LOAD_F")" '<=' 64)"
echo "  cold start ≤ 150 ms (median):             $COLD_MEDIAN — $(met "$COLD_MEDIAN" '<=' 150)"
LARGE_WORST="$(worst "$(ratio "$LARGE_HWM_L" "$LARGE_BODY_MIB")" "$(ratio "$LARGE_HWM_F" "$LARGE_BODY_MIB")")"
echo "  large I/O: RSS ≤ 4 × body per process:    $LARGE_WORST × — $(met "$LARGE_WORST" '<=' 4)"
echo "  (≥ 4 × httpexec 1.0.4 and ≥ 1.5 × webhook: make bench-peers)"
exit 0
