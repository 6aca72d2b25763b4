# httpexec — see README.md. Every target installs what it needs on a fresh Debian machine (root).
SWIFT ?= swift
APT_PACKAGES = libseccomp-dev pkg-config

.PHONY: all deps python-deps build run test compat bench bench-peers check-profiles clean

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

build: deps
	$(SWIFT) build

# Serves the demo exec root examples/ on 127.0.0.1:8000: launcher and front-end as two
# processes (settings in examples/httpexec.toml). Ctrl-C stops both.
run: build
	HTTPEXEC_CONFIG_PATH=examples/httpexec.toml .build/debug/httpexec serve

test: deps python-deps
	$(SWIFT) test

# Only the side-by-side comparison with httpexec 1.0.4 (also part of `make test`).
compat: build python-deps
	python3 Tests/compat/side_by_side.py

# Benchmarks are not tests: they print figures and never fail on them (docs/benchmarks.md).
# bench: ours under wrk beside raw posix_spawn, RSS, cold start. bench-peers: ours beside
# httpexec 1.0.4 and webhook. Both install what they need (wrk, webhook, the pip packages).
bench: deps
	./Benchmarks/bench.sh

bench-peers: deps
	./Benchmarks/bench-peers.sh

check-profiles: build
	.build/debug/httpexec check-seccomp policy/seccomp/*.json

clean:
	rm -rf .build Benchmarks/bin
