#!/bin/sh
# make bench-peers: the workload of `make bench` (POST /true {} and POST /echo with stdout
# captured, at 1, 8 and 32 connections) against httpexec 1.0.4 under hypercorn, against webhook
# (a hook per command, output in the response) and against ours, one after the other in the same
# run, printed as one table with the ratios ours/original and ours/webhook.
# Not a test: nothing here fails on a number (exit 0 unless the harness breaks).
set -eu
cd "$(dirname "$0")/.."
. Benchmarks/lib.sh
VENV="${BENCH_VENV:-.build/compat-venv}"

WORK="$(mktemp -d /tmp/httpexec-bench-peers.XXXXXX)"
chmod 755 "$WORK"
SERVER_PID=""
FOREIGN_PID=""
cleanup() {
    stop_pid "$FOREIGN_PID"
    stop_pid "$SERVER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_apt wrk wrk
need_apt webhook webhook
need_apt curl curl
need_apt python3 python3
if ! "$VENV/bin/python" -c 'import httpexec, hypercorn' 2>/dev/null; then
    python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv python3-pip
    say "creating $VENV with httpexec 1.0.4 and hypercorn from PyPI"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q httpexec==1.0.4 "hypercorn>=0.14.3,<1"
fi
say "building release binaries"
build_release

ROOT="$WORK/root"
make_exec_root "$ROOT"
write_wrk_script "$WORK/true.lua" "$BODY_TRUE"
write_wrk_script "$WORK/echo.lua" "$BODY_ECHO"

# webhook: one hook per command; the command's output is the response body. /echo gets its
# argument from the same JSON body as ours ("args": ["hello"]).
cat >"$WORK/hooks.json" <<EOF
[
  {"id": "true", "execute-command": "$ROOT/true", "include-command-output-in-response": true},
  {"id": "echo", "execute-command": "$ROOT/echo", "include-command-output-in-response": true,
   "pass-arguments-to-command": [{"source": "payload", "name": "args.0"}]}
]
EOF

ORIG_VERSION="$("$VENV/bin/python" -c 'import httpexec; print(httpexec.__version__)')"
HYPERCORN_VERSION="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("hypercorn"))')"
WEBHOOK_VERSION="$(webhook -version 2>&1 | awk '{ print $NF }')"

wait_for_quiet
LOAD_BEFORE="$(loadavg)"

# Runs the six rows against a server whose URLs are BASE/true and BASE/echo; stores
# "req/s p50 p99 errors load" as R_<server>_<endpoint>_<conns>.
measure() { # server base pid
    wait_http "$2/true" "$BODY_TRUE" || return 1
    wait_http "$2/echo" "$BODY_ECHO" || return 1
    for endpoint in true echo; do
        for conns in 1 8 32; do
            say "$1: POST /$endpoint, $conns connections (${BENCH_SECONDS}s)"
            L="$(load1)"; start_foreign $$ "$3" ${LAUNCHER_PID:-} ${FRONTEND_PID:-}
            r="$(run_wrk "$2/$endpoint" "$WORK/$endpoint.lua" "$conns")"
            stop_foreign
            eval "R_$1_${endpoint}_${conns}='$r $L $FOREIGN'"
        done
    done
}

say "httpexec $ORIG_VERSION under hypercorn $HYPERCORN_VERSION"
PORT="$(free_port)"
HTTPEXEC_EXEC_ROOT="$ROOT" "$VENV/bin/python" -m hypercorn --bind "127.0.0.1:$PORT" httpexec.asgi:app \
    >"$WORK/original.log" 2>&1 &
SERVER_PID=$!
measure original "http://127.0.0.1:$PORT" "$SERVER_PID" || { tail -20 "$WORK/original.log" >&2; exit 1; }
stop_pid "$SERVER_PID"; SERVER_PID=""

say "webhook $WEBHOOK_VERSION"
PORT="$(free_port)"
webhook -hooks "$WORK/hooks.json" -ip 127.0.0.1 -port "$PORT" >"$WORK/webhook.log" 2>&1 &
SERVER_PID=$!
measure webhook "http://127.0.0.1:$PORT/hooks" "$SERVER_PID" || { tail -20 "$WORK/webhook.log" >&2; exit 1; }
stop_pid "$SERVER_PID"; SERVER_PID=""

say "ours: httpexec serve"
start_ours "$ROOT" "$WORK/serve.log"
SERVER_PID=$SERVE_PID
measure ours "http://127.0.0.1:$PORT" "$SERVER_PID" || { tail -20 "$WORK/serve.log" >&2; exit 1; }
stop_pid "$SERVER_PID"; SERVER_PID=""
LOAD_AFTER="$(loadavg)"

print_preamble "httpexec bench-peers" \
    "original: httpexec $ORIG_VERSION, hypercorn $HYPERCORN_VERSION (1 worker), as uid $(id -u), no sandbox" \
    "webhook:  webhook $WEBHOOK_VERSION, one hook per command, include-command-output-in-response" \
    "ours:     httpexec serve (release), full sandbox$( [ "$(id -u)" = 0 ] && echo ', jobs as nobody')" \
    "load: wrk -t1 (1 conn) / -t2, ${BENCH_SECONDS}s per row, keep-alive; same exec root (copies of /bin/true, /bin/echo)"
echo "'other' = mean runnable threads not the benchmark's during each row, original/webhook/ours (0.0: nobody else was busy)"
echo
printf '%-16s %5s | %-25s | %-25s | %-25s | %-19s | %s\n' "" "" "original 1.0.4" "webhook" "ours" "ratio ours/" ""
printf '%-16s %5s | %9s %7s %7s | %9s %7s %7s | %9s %7s %7s | %9s %9s | %s\n' \
    "request" "conns" "req/s" "p50 ms" "p99 ms" "req/s" "p50 ms" "p99 ms" "req/s" "p50 ms" "p99 ms" "original" "webhook" "errors o/w/u  other o/w/u"
for endpoint in true echo; do
    for conns in 1 8 32; do
        eval "o=\$R_original_${endpoint}_${conns}; w=\$R_webhook_${endpoint}_${conns}; u=\$R_ours_${endpoint}_${conns}"
        set -- $o $w $u
        what="POST /true {}"
        [ "$endpoint" = echo ] && what="POST /echo capt."
        printf '%-16s %5s | %9s %7s %7s | %9s %7s %7s | %9s %7s %7s | %9s %9s | %s\n' "$what" "$conns" \
            "$1" "$(ms "$2")" "$(ms "$3")" "$7" "$(ms "$8")" "$(ms "$9")" "${13}" "$(ms "${14}")" "$(ms "${15}")" \
            "$(ratio "${13}" "$1")" "$(ratio "${13}" "$7")" "$4/${10}/${16}  $6/${12}/${18}"
    done
done
set -- $R_original_true_8 $R_webhook_true_8 $R_ours_true_8
RO="$(ratio "${13}" "$1")"; RW="$(ratio "${13}" "$7")"
echo
echo "targets (issue 8, POST /true, 8 connections):"
echo "  ours ≥ 4 × original httpexec 1.0.4:   $RO — $(met "$RO" '>=' 4)"
echo "  ours ≥ 1.5 × webhook:                 $RW — $(met "$RW" '>=' 1.5)"
exit 0
