# httpexec — see README.md. Every target installs what it needs on a fresh Debian machine (root).
SWIFT ?= swift
APT_PACKAGES = libseccomp-dev pkg-config

.PHONY: all deps python-deps build run test compat conformance bench bench-peers check-profiles soak fuzz fuzz-smoke clean

all: build

# libseccomp's headers and pkg-config file are needed to build the launcher side.
deps:
	@if ! pkg-config --exists libseccomp 2>/dev/null; then \
		echo "make: installing $(APT_PACKAGES)"; \
		if [ "$$(id -u)" != 0 ]; then echo "make: need root to apt-get install $(APT_PACKAGES)" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	fi

# Python is for tests only: the OpenAPI checker (jsonschema, PyYAML, openapi-spec-validator) and
# the side-by-side comparison with the original (which makes its own virtualenv from PyPI).
PYTHON_PACKAGES = "jsonschema>=4.18" "PyYAML>=6.0" "openapi-spec-validator>=0.7"
python-deps:
	@if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then \
		echo "make: installing python3, python3-venv, python3-pip"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip; \
	fi
	@if ! python3 -c "import jsonschema, referencing, yaml, openapi_spec_validator" 2>/dev/null; then \
		echo "make: installing $(PYTHON_PACKAGES)"; \
		python3 -m pip install -q $(PYTHON_PACKAGES) 2>/dev/null || python3 -m pip install -q --break-system-packages $(PYTHON_PACKAGES); \
	fi
	@# schemathesis, pinned with its dependencies, in its own venv (.build/schemathesis-venv): it
	@# needs newer versions of packages the system Python also holds.
	@python3 Tests/openapi/run_schemathesis.py --install-only

build: deps
	$(SWIFT) build

# Serves the demo exec root examples/ on 127.0.0.1:8000: launcher and front-end as two
# processes (settings in examples/httpexec.toml). Ctrl-C stops both.
run: build
	HTTPEXEC_CONFIG_PATH=examples/httpexec.toml .build/debug/httpexec serve

# The Swift tests, then a short fuzzing smoke run (each libFuzzer target 20 s from its seeds and
# regressions; fails on any crash or broken property).
test: deps python-deps
	$(SWIFT) test
	$(MAKE) fuzz-smoke

# Only the side-by-side comparison with httpexec 1.0.4 (also part of `make test`).
compat: build python-deps
	python3 Tests/compat/side_by_side.py

# OpenAPI conformance at length: schemathesis's default checks against `httpexec serve` on the
# demo exec root (a free port), many more examples than the bounded run in `make test`, a fresh
# seed each time (printed; rerun with CONFORMANCE_SEED=N). Stops the server when done.
CONFORMANCE_EXAMPLES ?= 300
CONFORMANCE_SEED ?= random
conformance: build python-deps
	python3 Tests/openapi/run_schemathesis.py --serve .build/debug --max-examples $(CONFORMANCE_EXAMPLES) --seed $(CONFORMANCE_SEED)

# Benchmarks are not tests: they print figures and never fail on them (docs/benchmarks.md).
# bench: ours under wrk beside raw posix_spawn, RSS, cold start. bench-peers: ours beside
# httpexec 1.0.4 and webhook. Both install what they need (wrk, webhook, the pip packages).
bench: deps
	./Benchmarks/bench.sh

bench-peers: deps
	./Benchmarks/bench-peers.sh

# Soak (docs/soak.md): the release `httpexec serve` with its audit file on under SOAK_REQUESTS
# (default 100000) mixed requests at SOAK_CONCURRENCY (default 32); fails on an unexpected answer,
# fds or RSS not back near their start, a zombie or leftover job, or an audit trail that does not
# hold exactly one terminal record per request that reached the launcher (or does not verify).
soak: deps
	./Benchmarks/soak/soak.sh

# Fuzzing (docs/fuzzing.md): libFuzzer targets for the launcher frame decoders, the request
# decoder and the stream codecs, built with the toolchain's own swiftc into .build-fuzz/ (no
# package to install). Seeds are copied to a scratch corpus; Fuzz/ is never written.
# fuzz: each target for FUZZ_SECONDS, printing execs, coverage and libFuzzer's final stats.
# fuzz-smoke: each target for 20 s from its seeds; fails on any crash or broken property.
FUZZ_SECONDS ?= 300
fuzz:
	Fuzz/build.sh
	Fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke:
	Fuzz/build.sh
	Fuzz/run.sh --smoke 20

check-profiles: build
	.build/debug/httpexec check-seccomp policy/seccomp/*.json

clean:
	rm -rf .build Benchmarks/bin
