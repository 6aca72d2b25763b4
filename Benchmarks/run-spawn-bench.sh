#!/bin/sh
# Spawn-engine micro-benchmark: the engine with the full sandbox beside a raw posix_spawn loop,
# measured in the same run, with the ratio. Not a test: nothing here fails on a number.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH="${BENCH_SECONDS:-4}"
PROGRAM="${BENCH_PROGRAM:-/bin/true}"
mkdir -p Benchmarks/bin
cc -O2 -Wall -pthread -o Benchmarks/bin/raw-spawn Benchmarks/raw-spawn.c
swift build -c release --product httpexec-spawn-bench >/dev/null 2>&1 || swift build -c release --product httpexec-spawn-bench
BENCH="$(swift build -c release --show-bin-path)/httpexec-spawn-bench"
PROFILE="policy/seccomp/default.json"

echo "spawn benchmark: $PROGRAM, ${SECONDS_EACH}s per row, $(nproc) cores, kernel $(uname -r), uid $(id -u)"
echo "engine = seccomp($PROFILE) + rlimits + no_new_privs + setsid + pdeathsig + close_range$( [ "$(id -u)" = 0 ] && echo ' + uid drop to nobody')"
printf '%-28s %12s %10s %10s\n' "what" "spawns/s" "p50 µs" "p99 µs"
row() { printf '%-28s %12s %10s %10s\n' "$1" "$2" "$3" "$4"; }
set -- $(Benchmarks/bin/raw-spawn 1 "$SECONDS_EACH" "$PROGRAM");  RAW1=$3; row "raw posix_spawn, 1 thread" "$3" "$4" "$5"
set -- $(Benchmarks/bin/raw-spawn 2 "$SECONDS_EACH" "$PROGRAM");  RAW2=$3; row "raw posix_spawn, 2 threads" "$3" "$4" "$5"
set -- $("$BENCH" 1 "$SECONDS_EACH" "$PROFILE" "$PROGRAM");        ENG1=$3; row "engine, 1 in flight" "$3" "$4" "$5"
set -- $("$BENCH" 2 "$SECONDS_EACH" "$PROFILE" "$PROGRAM");        ENG2=$3; row "engine, 2 in flight" "$3" "$4" "$5"
set -- $("$BENCH" 8 "$SECONDS_EACH" "$PROFILE" "$PROGRAM");        ENG8=$3; row "engine, 8 in flight" "$3" "$4" "$5"
awk -v e1="$ENG1" -v r1="$RAW1" -v e2="$ENG2" -v e8="$ENG8" -v r2="$RAW2" 'BEGIN {
  printf "ratio engine/raw: 1 in flight vs 1 thread = %.2f; 2 in flight vs 2 threads = %.2f; 8 in flight vs 2 threads = %.2f\n", e1/r1, e2/r2, e8/r2 }'
