#!/bin/sh
# make soak: builds the release binaries and runs Benchmarks/soak/soak.py against them — the real
# `httpexec serve` with its audit file on, SOAK_REQUESTS (default 100000) mixed requests at
# SOAK_CONCURRENCY (default 32), then the leak, zombie and audit checks. docs/soak.md.
# Unlike the benchmarks this is a test: it exits non-zero when a check fails.
set -eu
cd "$(dirname "$0")/../.."
REPO="$(pwd)"
. Benchmarks/lib.sh   # build_release, need_apt

if [ "$(id -u)" != 0 ]; then
    echo "soak: needs root (jobs run under a uid of their own; the front-end drops to its user)" >&2
    exit 2
fi
need_apt python3 python3

WORK="$(mktemp -d /tmp/httpexec-soak-build.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
echo "soak: building release binaries" >&2
build_release
[ -z "$BUILD_NOTE" ] || echo "soak: $BUILD_NOTE" >&2
PYTHONDONTWRITEBYTECODE=1 python3 Benchmarks/soak/soak.py --bin "$BIN" --repo "$REPO"
