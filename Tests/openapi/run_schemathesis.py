#!/usr/bin/env python3
"""Runs schemathesis, with its default checks, against a live httpexec and openapi.yaml.

Usage:
  run_schemathesis.py --url http://127.0.0.1:PORT [options]
      Tests a server that is already running (its exec root should be the demo `examples/`,
      whose commands the spec's examples name).
  run_schemathesis.py --serve BUILD_DIR [options]
      Starts `BUILD_DIR/httpexec serve` with examples/httpexec.toml on a free loopback port,
      tests it, and stops it (`make conformance`).
  run_schemathesis.py --install-only
      Only makes sure the virtualenv holds the pinned schemathesis (`make python-deps`).

Options:
  --max-examples N   test cases per operation and phase (default 10: the bounded CI run)
  --seed N           hypothesis seed (default 20261127, so CI runs the same cases every time;
                     `--seed random` lets schemathesis pick one and print it)
  --workers N        concurrent schemathesis workers (default 1: reproducible, and with 2
                     schemathesis 4.32.5 was seen to abort an operation with an internal
                     hypothesis error, "FlakyFailure ... KeyError" in its lambda-source cache)
  --venv DIR         the virtualenv (default .build/schemathesis-venv; created from
                     Tests/openapi/schemathesis-requirements.txt when missing or stale)
  --report-dir DIR   also write schemathesis's JUnit and NDJSON reports there
  --spec FILE        the OpenAPI document (default: openapi.yaml)

Prints schemathesis's output, then one line (counts from its JSON report)
  `run_schemathesis: N test cases on T of S operations, F failures, E errors in X s (...)`
and exits 0 only when schemathesis exited 0 and tested every operation; 1 otherwise; 2 when
the harness itself cannot run (no venv, the server does not start).

schemathesis is kept out of the system Python: it pins newer versions of packages that the
system environment also holds (hypothesis, typing_extensions, requests, ...), and its own
virtualenv keeps both the run and the rest of the machine reproducible.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "openapi.yaml"
REQUIREMENTS = Path(__file__).resolve().parent / "schemathesis-requirements.txt"
CONFIG = Path(__file__).resolve().parent / "schemathesis.toml"
DEMO_CONFIG = REPO / "examples" / "httpexec.toml"
DEFAULT_SEED = 20261127
STARTUP_DEADLINE = 120.0
STOP_DEADLINE = 60.0


class HarnessError(Exception):
    """The run cannot happen (as opposed to schemathesis finding a failure)."""


def requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_venv(venv: Path) -> Path:
    """The venv's `schemathesis` executable, installing the pinned requirements if needed."""
    executable = venv / "bin" / "schemathesis"
    stamp = venv / ".requirements-sha256"
    digest = requirements_digest()
    if executable.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return executable
    print(f"run_schemathesis: installing {REQUIREMENTS.name} into {venv}", flush=True)
    try:
        if not (venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "-r", str(REQUIREMENTS)], check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise HarnessError(f"cannot install schemathesis into {venv}: {error}") from error
    if not executable.exists():
        raise HarnessError(f"{executable} is missing after installing {REQUIREMENTS}")
    stamp.write_text(digest + "\n")
    return executable


class Server:
    """`httpexec serve` on 127.0.0.1, port chosen by the kernel, demo settings."""

    def __init__(self, build: Path, log_path: Path):
        binary = build / "httpexec"
        if not os.access(binary, os.X_OK):
            raise HarnessError(f"{binary} not found: run `swift build` first")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HTTPEXEC_")}
        env["HTTPEXEC_CONFIG_PATH"] = str(DEMO_CONFIG)
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8", errors="replace")
        self._ready = threading.Event()
        self.port = 0
        # The config's EXEC_ROOT is relative to the working directory: the repository.
        self.process = subprocess.Popen(
            [str(binary), "serve", "--bind", "127.0.0.1:0"], cwd=REPO, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._log.write(line)
            self._log.flush()
            match = re.search(r"serving on 127\.0\.0\.1:(\d+)", line)
            if match and not self._ready.is_set():
                self.port = int(match.group(1))
                self._ready.set()
        self._ready.set()  # the pipe closed: wake the waiter, which sees no port

    def wait_ready(self) -> str:
        if not self._ready.wait(STARTUP_DEADLINE) or self.port == 0:
            raise HarnessError("httpexec serve did not start:\n" + self.log_tail())
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # The reader ends when the pipe closes, once every process of `serve` is gone.
        self._reader.join(STOP_DEADLINE)
        if not self._reader.is_alive():
            self._log.close()


def schemathesis_arguments(opts: argparse.Namespace, url: str, summary: Path) -> list[str]:
    # No check is chosen or left out: schemathesis's defaults (every check) apply.
    arguments = [
        "--config-file", str(CONFIG),
        "run", str(opts.spec.absolute()), "--url", url,
        "--max-examples", str(opts.max_examples),
        "--workers", str(opts.workers),
        # No request here should take long (the demo commands end at once), and a hung one
        # must end the run with an error rather than hang it.
        "--request-timeout", "30",
        "--generation-database", "none",
        "--no-color",
        "--report", "json" if opts.report_dir is None else "json,junit,ndjson",
        "--report-json-path", str(summary),
    ]
    if opts.report_dir is not None:
        opts.report_dir.mkdir(parents=True, exist_ok=True)
        arguments += ["--report-dir", str(opts.report_dir.absolute())]
    if opts.seed != "random":
        arguments += ["--seed", str(int(opts.seed))]
    return arguments


def summarise(summary: Path) -> dict:
    """Counts from schemathesis's JSON run report (empty when it wrote none)."""
    try:
        report = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    cases = report.get("test_cases") or {}
    operations = report.get("operations") or {}
    return {
        "generated": cases.get("generated", 0),
        "failures": cases.get("unique_failures", 0),
        "errors": sum(group.get("count", 0) for group in report.get("errors") or []),
        "tested": operations.get("tested", 0),
        "selected": operations.get("selected", 0),
        "seed": report.get("seed"),
    }


def run(opts: argparse.Namespace) -> int:
    executable = ensure_venv(opts.venv.absolute())
    if opts.install_only:
        version = subprocess.run([str(executable), "--version"], capture_output=True, text=True)
        print(f"run_schemathesis: {version.stdout.strip()} in {opts.venv}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="httpexec-schemathesis-"))
    server = None
    try:
        if opts.serve is not None:
            server = Server(opts.serve.absolute(), work / "serve.log")
            url = server.wait_ready()
            print(f"run_schemathesis: httpexec serve (demo exec root) on {url}", flush=True)
        else:
            url = opts.url.rstrip("/")
        summary = work / "report.json"
        arguments = schemathesis_arguments(opts, url, summary)
        print("run_schemathesis: schemathesis " + " ".join(arguments), flush=True)
        started = time.monotonic()
        # In a scratch directory, so that nothing schemathesis writes lands in the checkout.
        process = subprocess.run([str(executable), *arguments], cwd=work, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
        elapsed = time.monotonic() - started
        sys.stdout.write(process.stdout)
        counts = summarise(summary)
        print(f"run_schemathesis: {counts.get('generated', '?')} test cases on {counts.get('tested', '?')} of "
              f"{counts.get('selected', '?')} operations, {counts.get('failures', '?')} failures, "
              f"{counts.get('errors', '?')} errors in {elapsed:.1f} s (max {opts.max_examples} examples per "
              f"operation and phase, seed {counts.get('seed', opts.seed)}, schemathesis exit {process.returncode})", flush=True)
        if process.returncode != 0 and server is not None:
            print("run_schemathesis: last lines of the server's log:\n" + server.log_tail(), flush=True)
        if process.returncode != 0:
            return 1
        if not counts.get("generated") or counts.get("tested") != counts.get("selected"):
            print("run_schemathesis: not every operation was tested", flush=True)
            return 1
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="base URL of a running server")
    target.add_argument("--serve", type=Path, metavar="BUILD_DIR", help="start BUILD_DIR/httpexec serve")
    target.add_argument("--install-only", action="store_true", help="only install schemathesis")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", default=str(DEFAULT_SEED))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--venv", type=Path, default=REPO / ".build" / "schemathesis-venv")
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--report-dir", type=Path)
    opts = parser.parse_args()
    if opts.seed != "random" and not opts.seed.isdigit():
        parser.error("--seed takes a non-negative integer or 'random'")

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        return run(opts)
    except HarnessError as error:
        print(f"run_schemathesis: {error}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
