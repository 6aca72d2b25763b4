# httpexec — see README.md. Every target installs what it needs on a fresh Debian machine (root).
SWIFT ?= swift
APT_PACKAGES = libseccomp-dev pkg-config

.PHONY: all deps build run test bench check-profiles clean

all: build

# libseccomp's headers and pkg-config file are needed to build the launcher side.
deps:
	@if ! pkg-config --exists libseccomp 2>/dev/null; then \
		echo "make: installing $(APT_PACKAGES)"; \
		if [ "$$(id -u)" != 0 ]; then echo "make: need root to apt-get install $(APT_PACKAGES)" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

# Serves the demo exec root examples/ on 127.0.0.1:8000: launcher and front-end as two
# processes (settings in examples/httpexec.toml). Ctrl-C stops both.
run: build
	HTTPEXEC_CONFIG_PATH=examples/httpexec.toml .build/debug/httpexec serve

test: deps
	$(SWIFT) test

# Benchmarks are not tests: they print figures and never fail on them.
bench: deps
	./Benchmarks/run-spawn-bench.sh

check-profiles: build
	.build/debug/httpexec check-seccomp policy/seccomp/*.json

clean:
	rm -rf .build Benchmarks/bin
