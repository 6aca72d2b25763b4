#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/ (see docs/fuzzing.md).
#
#   Fuzz/build.sh          the three fuzzers: fuzz-frames, fuzz-request, fuzz-codecs
#   Fuzz/build.sh seeds    also rebuilds the frame seeds in Fuzz/corpus/frames from FrameEncoder
#
# SwiftPM cannot build a libFuzzer binary, and the FrontEnd target links Hummingbird and NIO, so
# this script compiles only the pure sources the fuzzers need, listed below, straight with swiftc:
# LauncherProtocol as one module, the request decoding files as a module named FrontEnd (so the
# files compile unchanged), each instrumented with -sanitize=fuzzer,address.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${FUZZ_BUILD_DIR:-$root/.build-fuzz}
swiftc=${SWIFTC:-swiftc}

protocol_sources=("$root"/Sources/LauncherProtocol/*.swift)
# Request decoding and validation without the server: no file here imports NIO or Hummingbird.
frontend_sources=(
    APIError.swift APIError+Codes.swift Ascii85.swift Base64.swift CharacterRules.swift
    CommandPath.swift ContentType.swift ExecRequest.swift ExecRequest+Decoding.swift
    ExecRequest+Environment.swift ExecRequest+Fields.swift ExecRequest+Sizes.swift
    ExecRequest+StartJob.swift JSONParser.swift JSONValue.swift JSONWriter.swift
    RequestLimits.swift StreamEncoding.swift UTF8Validation.swift
)
frontend_sources=("${frontend_sources[@]/#/$root/Sources/FrontEnd/}")
harness="$root/Fuzz/Harnesses"

# The package's settings (Swift 6 mode, its upcoming features), optimised as fuzzing wants.
flags=(-swift-version 6 -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
       -O -g -parse-as-library)

# Compiles one library module to a single object and its .swiftmodule.
# $1: output directory, $2: module name, $3: sanitizer flag ("" for none), rest: sources.
module() {
    local dir=$1 name=$2 sanitize=$3
    shift 3
    "$swiftc" "${flags[@]}" ${sanitize:+"$sanitize"} -enable-testing -wmo -module-name "$name" -I "$dir" \
        -emit-module -emit-module-path "$dir/$name.swiftmodule" -c -o "$dir/$name.o" "$@"
}

# True when $1 is missing or older than any of the remaining files.
stale() {
    local target=$1
    shift
    [ -e "$target" ] || return 0
    local file
    for file in "$@"; do [ "$file" -nt "$target" ] && return 0; done
    return 1
}

# Instrumented modules and fuzzers.
fuzz_dir="$out/instrumented"
mkdir -p "$fuzz_dir"
all_sources=("${protocol_sources[@]}" "${frontend_sources[@]}" "$harness"/*.swift "$0")
if stale "$fuzz_dir/.built" "${all_sources[@]}"; then
    echo "fuzz: compiling LauncherProtocol and FrontEnd (request decoding) with -sanitize=fuzzer,address"
    module "$fuzz_dir" LauncherProtocol -sanitize=fuzzer,address "${protocol_sources[@]}"
    module "$fuzz_dir" FrontEnd -sanitize=fuzzer,address "${frontend_sources[@]}"
    for target in frames request codecs; do
        case $target in
            frames) main=FramesFuzzer.swift; objects=("$fuzz_dir/LauncherProtocol.o") ;;
            request) main=RequestFuzzer.swift; objects=("$fuzz_dir/LauncherProtocol.o" "$fuzz_dir/FrontEnd.o") ;;
            codecs) main=CodecsFuzzer.swift; objects=("$fuzz_dir/LauncherProtocol.o" "$fuzz_dir/FrontEnd.o") ;;
        esac
        echo "fuzz: linking $out/fuzz-$target"
        "$swiftc" "${flags[@]}" -sanitize=fuzzer,address -use-ld=lld -module-name "Fuzz_$target" -I "$fuzz_dir" \
            "$harness/FuzzSupport.swift" "$harness/$main" "${objects[@]}" -o "$out/fuzz-$target"
    done
    touch "$fuzz_dir/.built"
else
    echo "fuzz: fuzzers are up to date in $out"
fi

if [ "${1:-}" = seeds ]; then
    # Plain (uninstrumented) build of the seed maker, which writes frames made by FrameEncoder.
    plain_dir="$out/plain"
    mkdir -p "$plain_dir"
    module "$plain_dir" LauncherProtocol "" "${protocol_sources[@]}"
    "$swiftc" "${flags[@]}" -use-ld=lld -module-name SeedMaker -I "$plain_dir" \
        "$root/Fuzz/Seeds/FrameSeeds.swift" "$plain_dir/LauncherProtocol.o" -o "$plain_dir/frame-seeds"
    rm -f "$root"/Fuzz/corpus/frames/*
    "$plain_dir/frame-seeds" "$root/Fuzz/corpus/frames"
fi
