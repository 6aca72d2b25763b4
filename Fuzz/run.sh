#!/usr/bin/env bash
# Runs the libFuzzer targets built by Fuzz/build.sh (see docs/fuzzing.md).
#
#   Fuzz/run.sh [--smoke] SECONDS [TARGET...]     targets: frames request codecs (default: all)
#
# Each target starts from a scratch copy of its committed seeds (Fuzz/corpus/<target>) plus its
# regression inputs (Fuzz/regressions/<target>, read only), so fuzzing never writes into Fuzz/.
# Without --smoke the scratch corpus is .build-fuzz/corpus/<target> and grows from run to run;
# with --smoke it is a fresh temporary copy, removed afterwards. Crashing inputs are saved in
# .build-fuzz/artifacts/<target>/, full logs in .build-fuzz/logs/<target>.log. Exits non-zero
# when any target crashed, leaked, timed out or broke a property.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD_DIR:-$root/.build-fuzz}
smoke=0
if [ "${1:-}" = --smoke ]; then smoke=1; shift; fi
seconds=${1:?usage: Fuzz/run.sh [--smoke] SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(frames request codecs)

# A trap inside a fuzzer is reported by libFuzzer; the Swift runtime's own backtracer would
# otherwise take over the crash (slowly, and fighting AddressSanitizer).
export SWIFT_BACKTRACE=enable=no

mkdir -p "$out/logs"
failed=()
summary=()
for target in "${targets[@]}"; do
    binary="$out/fuzz-$target"
    [ -x "$binary" ] || { echo "fuzz: $binary is missing; run Fuzz/build.sh" >&2; exit 2; }
    if [ $smoke = 1 ]; then
        corpus=$(mktemp -d "$out/smoke-$target.XXXXXX")
    else
        corpus="$out/corpus/$target"
        mkdir -p "$corpus"
    fi
    cp "$root/Fuzz/corpus/$target"/* "$corpus"/
    regressions=()
    [ -d "$root/Fuzz/regressions/$target" ] && regressions=("$root/Fuzz/regressions/$target")
    dict=()
    [ -f "$root/Fuzz/dict/$target.dict" ] && dict=(-dict="$root/Fuzz/dict/$target.dict")
    artifacts="$out/artifacts/$target"
    mkdir -p "$artifacts"
    log="$out/logs/$target.log"

    echo "fuzz: $target for ${seconds}s (corpus $corpus)"
    "$binary" "$corpus" "${regressions[@]}" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" >"$log" 2>&1
    status=$?

    # libFuzzer's last status line (execs, cov, ft, corpus) and its final statistics.
    grep -E '^#[0-9]+\s' "$log" | tail -1
    grep -E '^stat::' "$log"
    if [ $status != 0 ]; then
        echo "fuzz: $target FAILED (exit $status); the end of $log:" >&2
        tail -40 "$log" >&2
        failed+=("$target")
    fi
    summary+=("$target: exit $status; $(grep -E '^#[0-9]+\s' "$log" | tail -1 | tr -s '\t ' ' ')")
    [ $smoke = 1 ] && rm -rf "$corpus"
done

echo "fuzz: summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failures in: ${failed[*]} (inputs in $out/artifacts/)" >&2
    exit 1
fi
