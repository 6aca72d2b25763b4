#!/usr/bin/env python3
"""Side-by-side compatibility check: httpexec 1.0.4 (Python, from PyPI) against this Swift server.

Both servers get the same exec root, the same FOLLOW_LINKS setting and the same working
directory, and both receive the same requests:

  (a) every example of the original README,
  (b) every case of the upstream test suite (13 unit cases and the integration `test_run`),
  (c) more correct requests from the behaviour reference, sections 3 to 7 (and a few of 1 and 2).

For each case the status code and the body bytes are compared. The original's answer to a correct
request is the contract, so the bodies must be identical. The few cases where our documented,
hardened behaviour differs on purpose (docs/api.md, "Differences from httpexec 1.0.4") are listed
in EXPECTED_DIFFERENCES; they are compared semantically, the way the upstream test compares them.

Usage:
  Tests/compat/side_by_side.py [--venv DIR] [--ours BUILD_DIR] [--keep] [--filter TEXT] [-v]

The original is run from the virtualenv DIR (created with
`python3 -m venv DIR && DIR/bin/pip install httpexec==1.0.4 "hypercorn>=0.14.3,<1"` if missing).
Our server is BUILD_DIR/httpexec (`serve`). Exit status: 0 when every case passes, 1 when a case
fails, 2 when the harness itself cannot run (a server does not start, the venv cannot be made).

Client side: Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import atexit
import base64
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
ORIGINAL_VERSION = "1.0.4"
PIP_REQUIREMENTS = [f"httpexec=={ORIGINAL_VERSION}", "hypercorn>=0.14.3,<1"]
# The fixed PATH of the launcher policy that `serve` generates (docs/policy.md, [environment] base).
POLICY_PATH = "/usr/local/bin:/usr/bin:/bin"
STARTUP_DEADLINE = 90.0   # seconds for a server to report that it listens
STOP_DEADLINE = 10.0      # seconds between SIGTERM and SIGKILL
REQUEST_TIMEOUT = 120.0


def _default_signals() -> None:
    """Both servers start with default signal dispositions and an empty mask: the original's
    children inherit its dispositions, so a harness started with SIGHUP ignored (nohup, some CI
    runners) would otherwise make the original's `kill -HUP` cases differ for that reason alone."""
    for number in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


class HarnessError(Exception):
    """The comparison cannot run at all (as opposed to a case that fails)."""


# --------------------------------------------------------------------------------------------
# The exec roots
# --------------------------------------------------------------------------------------------

def find_python3() -> str:
    """An interpreter for the Python helpers, found on the jobs' PATH so both servers use it."""
    for directory in POLICY_PATH.split(":"):
        candidate = Path(directory) / "python3"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise HarnessError(f"no python3 in {POLICY_PATH} (the helpers need one the jobs can run)")


def find_tool(name: str) -> str:
    for directory in ("/bin", "/usr/bin"):
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise HarnessError(f"{name} not found in /bin or /usr/bin")


# tests/assets/echo of the original: copies stdin to stdout; with `-e VAR` it first writes
# `VAR=<value>` to stderr. Written with bytes so that the locale of either server cannot matter.
ECHO = '''\
""" Test application to exercise STDIN, STDOUT, and STDERR (httpexec tests/assets/echo). """
from argparse import ArgumentParser
from os import environb, fsencode
from sys import stdin, stderr, stdout


def main() -> int:
    parser = ArgumentParser()
    parser.add_argument("-e", "--env", help="display environment variable")
    args = parser.parse_args()
    if args.env:
        name = fsencode(args.env)
        stderr.buffer.write(name + b"=" + environb.get(name, b"") + b"\\n")
        stderr.flush()
    stdout.buffer.write(stdin.buffer.read())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''

# The README's `app -o option`: the original's earlier tests/assets/echo, which took `-o`.
APP = '''\
""" README sample command: `app -o option` with input on STDIN. """
from argparse import ArgumentParser
from sys import stdin, stderr, stdout


def main() -> int:
    parser = ArgumentParser()
    parser.add_argument("-o", help="sample option")
    args = parser.parse_args()
    if args.o:
        stderr.write(f"Received option value '{args.o}'\\n")
        stderr.flush()
    stdout.buffer.write(stdin.buffer.read())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
'''

# Binary output: all-zero groups (Ascii85 `z`), every byte value, a final partial group.
BINARY_STDOUT = b"\x00\x00\x00\x00" + bytes(range(256)) + b"\x00" * 8 + b"abc"
BINARY_STDERR = b"\xff\xfe\x00\x80 not utf-8 \xc3\x28"
BYTES = f'''\
""" Writes binary (non-UTF-8) data to stdout and stderr. """
import sys
sys.stdout.buffer.write({BINARY_STDOUT!r})
sys.stdout.flush()
sys.stderr.buffer.write({BINARY_STDERR!r})
'''

UNICODE_STDOUT = ('plain "quoted" back\\slash /slash\ttab\nnewline\r\x01\x1f\x7f '
                  'é ß € ✓ \u2028 \u2029 \ufeff 😀 𝄞 \U0010fffd\n')
UNICODE_STDERR = "ошибка ⚠ 错误\n"
UNICODE = f'''\
""" Writes UTF-8 text that needs JSON escaping to stdout and stderr. """
import sys
sys.stdout.buffer.write({UNICODE_STDOUT.encode()!r})
sys.stdout.flush()
sys.stderr.buffer.write({UNICODE_STDERR.encode()!r})
'''

DUP = '''\
""" Copies stdin to stdout, and the same bytes reversed to stderr. """
import sys
data = sys.stdin.buffer.read()
sys.stdout.buffer.write(data)
sys.stdout.flush()
sys.stderr.buffer.write(data[::-1])
'''

BIG = '''\
""" Writes argv[1] bytes of text to stdout. """
import sys
size = int(sys.argv[1])
line = b"0123456789abcdefghijklmnopqrstuvwxyz\\n"
sys.stdout.buffer.write((line * (size // len(line) + 1))[:size])
'''

SHELL_SCRIPTS = {
    "both": "printf 'to stdout\\n'\nprintf 'to stderr\\n' >&2\n",
    "empty": "exit 0\n",
    "exit": 'exit "$1"\n',
    "sig": 'kill -s "$1" $$\nexit 99\n',
    "showargs": 'for a in "$@"; do printf \'[%s]\\n\' "$a"; done\n',
    "cwd": "pwd -P\n",
    "bg": "(sleep 1; echo late) &\necho early\n",
    "sub/hello": "echo hello from sub\n",
    "with space": "echo with space\n",
    "ünï": "echo unicode name\n",
}


def write_file(path: Path, text: str | bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        text = text.encode()
    path.write_bytes(text)
    path.chmod(mode)


@dataclass
class Layout:
    top: Path        # everything lives here; world-searchable (jobs run as `nobody` under ours)
    work: Path       # working directory of both servers (and so of every job)
    assets: Path     # the upstream tests/assets equivalent plus the helpers of (c)
    links: Path      # the README's "directory of links" and test_symlinks' temporary root
    binroot: Path    # test_run's EXEC_ROOT=/bin equivalent: a root holding `ls`
    binconfig: Path  # test_run's TOML config: EXEC_ROOT = binroot


def make_layout(top: Path) -> Layout:
    python = find_python3()
    top.chmod(0o755)
    layout = Layout(top=top, work=top / "work", assets=top / "assets", links=top / "links",
                    binroot=top / "binroot", binconfig=top / "test_app.toml")
    # The working directory: test_run expects the repo's `tests` directory in the listing.
    (layout.work / "tests").mkdir(parents=True)
    write_file(layout.work / "tests" / "test_app.py", "# placeholder\n", 0o644)
    write_file(layout.work / "data.txt", "data\n", 0o644)

    a = layout.assets
    write_file(a / "echo", f"#!{python}\n" + ECHO, 0o755)
    write_file(a / "app", f"#!{python}\n" + APP, 0o755)
    write_file(a / "bytes", f"#!{python}\n" + BYTES, 0o755)
    write_file(a / "unicode", f"#!{python}\n" + UNICODE, 0o755)
    write_file(a / "dup", f"#!{python}\n" + DUP, 0o755)
    write_file(a / "big", f"#!{python}\n" + BIG, 0o755)
    for name, body in SHELL_SCRIPTS.items():
        write_file(a / name, "#!/bin/sh\n" + body, 0o755)
    # README: "could not be executed due to an unexpected error" -> 500 (no x bit: EACCES).
    write_file(a / "noexec", "#!/bin/sh\necho never\n", 0o644)
    # A real executable right outside the root, so that `../echo` names an existing file.
    write_file(top / "echo", "#!/bin/sh\necho DECOY outside the exec root\n", 0o755)

    layout.links.mkdir()
    (layout.links / "link").symlink_to(a / "echo")             # upstream test_symlinks
    (layout.links / "ls").symlink_to(find_tool("ls"))           # README: a directory of links
    (layout.links / "base64").symlink_to(find_tool("base64"))   # README: a command's own encoding

    layout.binroot.mkdir()
    shutil.copy2(find_tool("ls"), layout.binroot / "ls")
    (layout.binroot / "ls").chmod(0o755)
    write_file(layout.binconfig, f'EXEC_ROOT = {json.dumps(str(layout.binroot))}\n', 0o644)

    for directory in [top, *[p for p in top.rglob("*") if p.is_dir() and not p.is_symlink()]]:
        directory.chmod(0o755)
    return layout


# --------------------------------------------------------------------------------------------
# The servers
# --------------------------------------------------------------------------------------------

@dataclass
class Config:
    """One exec-root configuration, served by one original and one of ours."""
    name: str
    root_attr: str          # Layout attribute of the exec root
    follow: bool
    via_config_file: bool   # test_run passes EXEC_ROOT through HTTPEXEC_CONFIG_PATH


CONFIGS = {
    "assets": Config("assets", "assets", follow=False, via_config_file=False),
    "links-follow": Config("links-follow", "links", follow=True, via_config_file=False),
    "links-nofollow": Config("links-nofollow", "links", follow=False, via_config_file=False),
    "binroot-toml": Config("binroot-toml", "binroot", follow=False, via_config_file=True),
}


class Server:
    def __init__(self, label: str, argv: list[str], env: dict[str, str], cwd: Path,
                 log: Path, ready: re.Pattern[str]):
        self.label, self.argv, self.env, self.cwd, self.log_path, self.ready = \
            label, argv, env, cwd, log, ready
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True, preexec_fn=_default_signals)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join("    | " + line for line in text[-lines:])

    def wait_ready(self, deadline: float) -> None:
        assert self.proc is not None
        while True:
            try:
                match = self.ready.search(self.log_path.read_text(errors="replace"))
            except OSError:
                match = None
            if match:
                self.port = int(match.group(1))
                return
            if self.proc.poll() is not None:
                raise HarnessError(f"{self.label} exited with {self.proc.returncode} before "
                                   f"listening:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise HarnessError(f"{self.label} did not report a port within "
                                   f"{STARTUP_DEADLINE:.0f}s:\n{self.log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after STOP_DEADLINE; then SIGKILL what is left of its group."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        pgid = proc.pid  # start_new_session: the server leads its own process group
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        try:  # children (hypercorn's worker, our launcher and front-end) that outlived it
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def server_env(extra: dict[str, str], cwd: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HTTPEXEC_")}
    env["PWD"] = str(cwd)
    env.update(extra)
    return env


def original_server(venv: Path, config: Config, layout: Layout) -> Server:
    if config.via_config_file:
        extra = {"HTTPEXEC_CONFIG_PATH": str(layout.binconfig)}
    else:
        extra = {"HTTPEXEC_EXEC_ROOT": str(getattr(layout, config.root_attr)),
                 "HTTPEXEC_FOLLOW_LINKS": "1" if config.follow else "0"}
    argv = [str(venv / "bin" / "python"), "-m", "hypercorn", "--bind", "127.0.0.1:0",
            "httpexec.asgi:app"]
    return Server(f"original[{config.name}]", argv, server_env(extra, layout.work), layout.work,
                  layout.top / f"original-{config.name}.log",
                  re.compile(r"Running on http://127\.0\.0\.1:(\d+)"))


def our_server(build: Path, config: Config, layout: Layout) -> Server:
    argv = [str(build / "httpexec"), "serve", "--bind", "127.0.0.1:0"]
    extra = {}
    if config.via_config_file:
        extra["HTTPEXEC_CONFIG_PATH"] = str(layout.binconfig)
    else:
        argv += ["--exec-root", str(getattr(layout, config.root_attr)),
                 "--follow-links" if config.follow else "--no-follow-links"]
    return Server(f"ours[{config.name}]", argv, server_env(extra, layout.work), layout.work,
                  layout.top / f"ours-{config.name}.log",
                  re.compile(r"serving on 127\.0\.0\.1:(\d+)"))


# --------------------------------------------------------------------------------------------
# Requests and responses
# --------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict[str, str]   # lower-case names; repeated headers joined with ", "
    body: bytes

    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self):
        return json.loads(self.body)

    def allow(self) -> set[str]:
        return {m.strip() for m in self.headers.get("allow", "").split(",") if m.strip()}


JSON = "application/json"
_NOBODY = object()


@dataclass
class Case:
    name: str
    config: str                 # key of CONFIGS
    path: str                   # request target as sent (already percent-encoded)
    body: object = _NOBODY      # dict/list/None -> JSON; bytes -> raw; _NOBODY -> empty body
    content_type: str | None = JSON
    method: str = "POST"
    expect: str | None = None   # key of EXPECTED_DIFFERENCES
    # Assertions both responses must satisfy (the upstream test's own assertions, README claims).
    checks: list[Callable[[Response], str | None]] = field(default_factory=list)
    group: str = ""

    def payload(self) -> bytes:
        if self.body is _NOBODY:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


def send(port: int, case: Case) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        payload = case.payload()
        conn.putrequest(case.method, case.path, skip_accept_encoding=True)
        if case.content_type is not None and case.body is not _NOBODY:
            conn.putheader("Content-Type", case.content_type)
        if case.method in ("POST", "PUT", "PATCH") or payload:
            conn.putheader("Content-Length", str(len(payload)))
        conn.endheaders(payload or None)
        resp = conn.getresponse()
        body = resp.read()
        headers: dict[str, str] = {}
        for name, value in resp.getheaders():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return Response(resp.status, headers, body)
    finally:
        conn.close()


# --- decoding helpers and assertions --------------------------------------------------------

def decode(stream: dict | None) -> bytes | None:
    if stream is None:
        return None
    scheme, content = stream.get("encode"), stream["content"]
    if scheme == "base64":
        return base64.b64decode(content)
    if scheme == "base85":
        return base64.a85decode(content)
    return content.encode()


def encode(data: bytes, scheme: str | None) -> str:
    if scheme == "base64":
        return base64.b64encode(data).decode()
    if scheme == "base85":
        return base64.a85encode(data).decode()
    return data.decode()


def _json_or_problem(resp: Response):
    try:
        return resp.json(), None
    except ValueError as exc:
        return None, f"body is not JSON ({exc}): {resp.body[:120]!r}"


def status_is(code: int):
    def check(resp: Response):
        return None if resp.status == code else f"status {resp.status}, expected {code}"
    return check


def result_is(**expected):
    """200 and these top-level members, exactly."""
    def check(resp: Response):
        if resp.status != 200:
            return f"status {resp.status}, expected 200"
        data, problem = _json_or_problem(resp)
        if problem:
            return problem
        for key, value in expected.items():
            if data.get(key) != value:
                return f"{key} is {data.get(key)!r}, expected {value!r}"
        return None
    return check


def output_is(stream: str, data: bytes | None, scheme: str | None = None):
    """200 and `stream` decodes to `data` (None: not captured) with `encode` echoing `scheme`."""
    def check(resp: Response):
        if resp.status != 200:
            return f"status {resp.status}, expected 200"
        result, problem = _json_or_problem(resp)
        if problem:
            return problem
        got = result.get(stream)
        if data is None:
            return None if got is None else f"{stream} is {got!r}, expected null"
        if got is None:
            return f"{stream} is null, expected captured output"
        if got.get("encode") != scheme:
            return f"{stream}.encode is {got.get('encode')!r}, expected {scheme!r}"
        try:
            content = decode(got)
        except ValueError as exc:
            return f"{stream} does not decode with {scheme}: {exc}"
        return None if content == data else f"{stream} is {content[:80]!r}, expected {data[:80]!r}"
    return check


def when_200(check):
    """Apply `check` only to a 200 (the side whose documented answer is an error skips it)."""
    return lambda resp: check(resp) if resp.status == 200 else None


def predicate(description: str, test: Callable[[dict], bool]):
    def check(resp: Response):
        if resp.status != 200:
            return f"status {resp.status}, expected 200"
        data, problem = _json_or_problem(resp)
        if problem:
            return problem
        try:
            ok = test(data)
        except Exception as exc:  # a malformed body is a failed assertion, not a crash
            return f"{description}: {type(exc).__name__}: {exc}"
        return None if ok else f"not true: {description}"
    return check


# --------------------------------------------------------------------------------------------
# Expected differences
# --------------------------------------------------------------------------------------------

def _our_error(resp: Response, codes: set[str]) -> str | None:
    if resp.media_type() != JSON:
        return f"ours: Content-Type {resp.headers.get('content-type')!r}, expected JSON"
    data, problem = _json_or_problem(resp)
    if problem:
        return "ours: " + problem
    try:
        code, message = data["error"]["code"], data["error"]["message"]
    except (KeyError, TypeError):
        return f"ours: not an error object: {resp.body[:120]!r}"
    if code not in codes:
        return f"ours: error code {code!r}, expected one of {sorted(codes)}"
    if "/" in message:
        return f"ours: error message contains a path: {message!r}"
    return None


def same_status(orig: Response, ours: Response) -> str | None:
    if orig.status != ours.status:
        return f"status {orig.status}/{ours.status}"
    return None


def cmp_not_found(orig: Response, ours: Response) -> str | None:
    if problem := same_status(orig, ours):
        return problem
    if orig.status != 404:
        return f"status {orig.status}, expected 404"
    if not re.fullmatch(rb"Command `.*` not found", orig.body, re.S):
        return f"original: unexpected 404 body {orig.body[:120]!r}"
    return _our_error(ours, {"not_found"})


def cmp_exec_error(orig: Response, ours: Response) -> str | None:
    if problem := same_status(orig, ours):
        return problem
    if orig.status != 500:
        return f"status {orig.status}, expected 500"
    if b"500" not in orig.body:
        return f"original: unexpected 500 body {orig.body[:120]!r}"
    return _our_error(ours, {"not_executable", "exec_failed"})


def cmp_method(orig: Response, ours: Response) -> str | None:
    if problem := same_status(orig, ours):
        return problem
    if orig.status != 405:
        return f"status {orig.status}, expected 405"
    if orig.allow() != ours.allow() or ours.allow() != {"OPTIONS", "POST"}:
        return f"Allow {sorted(orig.allow())}/{sorted(ours.allow())}"
    return _our_error(ours, {"method_not_allowed"})


def cmp_server_environment(orig: Response, ours: Response) -> str | None:
    """Everything identical except the value of PATH on stderr (the upstream test checks only
    that stderr contains PATH); ours must show the policy's fixed PATH."""
    if problem := same_status(orig, ours):
        return problem
    a, problem = _json_or_problem(orig)
    if problem:
        return "original: " + problem
    b, problem = _json_or_problem(ours)
    if problem:
        return "ours: " + problem
    if a.keys() != b.keys():
        return f"keys {sorted(a)}/{sorted(b)}"
    for key in a:
        if key != "stderr" and a[key] != b[key]:
            return f"{key} {a[key]!r}/{b[key]!r}"
    if (a["stderr"] is None) != (b["stderr"] is None):
        return f"stderr {a['stderr']!r}/{b['stderr']!r}"
    if a["stderr"] is None:
        return None
    if a["stderr"]["encode"] != b["stderr"]["encode"]:
        return f"stderr.encode {a['stderr']['encode']!r}/{b['stderr']['encode']!r}"
    err_a, err_b = decode(a["stderr"]), decode(b["stderr"])
    if not re.fullmatch(rb"PATH=[^\n]*\n", err_a):
        return f"original stderr {err_a[:120]!r} is not PATH=...\\n"
    if err_b != f"PATH={POLICY_PATH}\n".encode():
        return f"ours: stderr {err_b!r}, expected the policy's PATH={POLICY_PATH}"
    return None


@dataclass
class ExpectedDifference:
    what: str
    reason: str
    compare: Callable[[Response, Response], str | None]


def cmp_denied_environment(orig: Response, ours: Response) -> str | None:
    if orig.status != 200:
        return f"original: status {orig.status}, expected 200"
    if ours.status != 400:
        return f"ours: status {ours.status}, expected 400"
    return _our_error(ours, {"denied_environment"})


def cmp_invalid_json(orig: Response, ours: Response) -> str | None:
    if problem := same_status(orig, ours):
        return problem
    if orig.status != 400:
        return f"status {orig.status}, expected 400"
    return _our_error(ours, {"invalid_json"})


EXPECTED_DIFFERENCES: dict[str, ExpectedDifference] = {
    "not_found_body": ExpectedDifference(
        "404 body",
        "The original answers text ``Command `<absolute path>` not found`` (it leaks EXEC_ROOT "
        "and symlink targets); ours answers JSON {\"error\":{\"code\":\"not_found\",...}} with a "
        "fixed message. Same status. docs/api.md differences #1, #2, #24.",
        cmp_not_found),
    "exec_error_body": ExpectedDifference(
        "500 body",
        "The original answers a Werkzeug HTML 500 page (EACCES from exec); ours answers JSON "
        "not_executable/exec_failed \"Command could not be executed.\". Same status. "
        "docs/api.md differences #1, #25.",
        cmp_exec_error),
    "method_not_allowed_body": ExpectedDifference(
        "405 body",
        "The original answers an HTML 405 page; ours JSON method_not_allowed. Same status, same "
        "Allow: OPTIONS, POST. docs/api.md difference #27.",
        cmp_method),
    "server_environment": ExpectedDifference(
        "PATH value on stderr",
        "The original merges `environment` over the server's whole os.environ, so `echo -e PATH` "
        "prints the server's PATH; ours starts from the policy's base environment, whose PATH is "
        f"fixed ({POLICY_PATH}); the server's environment never reaches a job. Compared as the "
        "upstream test does (stderr contains PATH=), everything else byte for byte. docs/api.md "
        "(`environment`), docs/policy.md [environment], behaviour reference §6 and §10.3.",
        cmp_server_environment),
    "denied_environment": ExpectedDifference(
        "200 vs 400 denied_environment",
        "The original lets a client set any variable, PATH and interpreter/loader hooks included; "
        "ours refuses, before running anything, a variable the policy's base environment sets "
        "(PATH, LANG) or one on its deny list (LD_*, PYTHON*, HTTPEXEC_*, ...). docs/policy.md "
        "[environment] and its built-in deny list; docs/api.md `environment` row and the "
        "400 denied_environment error; docs/api.md differences #30.",
        cmp_denied_environment),
    "invalid_json_body": ExpectedDifference(
        "400 body",
        "The original answers a Werkzeug HTML 400 page; ours JSON invalid_json. Same status. "
        "docs/api.md difference #18.",
        cmp_invalid_json),
}


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------

def build_cases() -> list[Case]:
    cases: list[Case] = []

    def add(group: str, name: str, config: str, path: str, **kw) -> None:
        cases.append(Case(name=f"{group}/{name}", config=config, path=path, group=group, **kw))

    # ---- (a) the README's examples ---------------------------------------------------------
    g = "readme"
    add(g, "sample-request", "assets", "/app", body={
        "args": ["-o", "option"],
        "stdin": {"content": "input"},
        "stdout": {"capture": True, "encode": "base64"},
        "environment": {"FOO": "BAR"},
    }, checks=[result_is(**{"return": 0, "stderr": None}), output_is("stdout", b"input", "base64")])
    readme_response = {"return": 0, "stderr": None,
                       "stdout": {"content": "YmluYXJ5IGRhdGE=", "encode": "base64"}}
    add(g, "sample-response", "assets", "/app", body={
        "args": ["-o", "option"],
        "stdin": {"content": "binary data"},
        "stdout": {"capture": True, "encode": "base64"},
        "environment": {"FOO": "BAR"},
    }, checks=[predicate("response equals the README's sample", lambda d: d == readme_response)])
    add(g, "sample-request-stderr-captured", "assets", "/app", body={
        "args": ["-o", "option"],
        "stdin": {"content": "input"},
        "stdout": {"capture": True, "encode": "base64"},
        "stderr": {"capture": True},
        "environment": {"FOO": "BAR"},
    }, checks=[output_is("stderr", b"Received option value 'option'\n")])
    add(g, "200-does-not-mean-success", "assets", "/exit", body={"args": ["3"]},
        checks=[result_is(**{"return": 3})])
    add(g, "404-command-not-found", "assets", "/app-missing", body={"args": []},
        expect="not_found_body", checks=[status_is(404)])
    add(g, "500-could-not-execute", "assets", "/noexec", expect="exec_error_body",
        checks=[status_is(500)])
    for scheme in ("base64", "base85"):
        data = b"\x00\x01binary\xff\xfe"
        add(g, f"binary-data-{scheme}", "assets", "/echo", body={
            "stdin": {"content": encode(data, scheme), "encode": scheme},
            "stdout": {"capture": True, "encode": scheme},
        }, checks=[output_is("stdout", data, scheme)])
    b64_input = bytes(range(256)) * 2
    b64_text = base64.encodebytes(b64_input)  # GNU base64 wraps at 76 columns
    add(g, "encode-null-command-encodes-itself", "links-follow", "/base64", body={
        "stdin": {"content": encode(b64_input, "base64"), "encode": "base64"},
        "stdout": {"capture": True, "encode": None},
    }, checks=[output_is("stdout", b64_text, None)])
    add(g, "encode-omitted-command-encodes-itself", "links-follow", "/base64", body={
        "stdin": {"content": encode(b64_input, "base85"), "encode": "base85"},
        "stdout": {"capture": True},
    }, checks=[output_is("stdout", b64_text, None)])
    add(g, "directory-of-links-follow", "links-follow", "/ls", body={
        "args": ["-1", "tests"], "stdout": {"capture": True},
    }, checks=[output_is("stdout", b"test_app.py\n")])
    add(g, "directory-of-links-needs-follow", "links-nofollow", "/ls", body={
        "args": ["-1", "tests"], "stdout": {"capture": True},
    }, expect="not_found_body", checks=[status_is(404)])

    # ---- (b) the upstream test suite -------------------------------------------------------
    g = "upstream"
    # test_endpoint: client.post(endpoint) with no body. The Quart test client's "echo" and
    # "/echo" are, on the wire, `/echo` and `//echo` (a leading slash in the command).
    add(g, "test_endpoint[echo-200]", "assets", "/echo", checks=[status_is(200)])
    add(g, "test_endpoint[/echo-200]", "assets", "//echo", checks=[status_is(200)])
    add(g, "test_endpoint[../echo-404]", "assets", "/../echo", expect="not_found_body",
        checks=[status_is(404)])
    add(g, "test_endpoint[none-404]", "assets", "/none", expect="not_found_body",
        checks=[status_is(404)])
    for scheme in ("base64", "base85", None):
        for capture in (True, False):
            params = {
                "args": ["-e", "PATH"],
                "stdin": {"content": encode(b"abc", scheme), "encode": scheme},
                "stderr": {"capture": capture, "encode": scheme},
                "stdout": {"capture": capture, "encode": scheme},
                "environment": None,
            }
            if capture:
                checks = [
                    result_is(**{"return": 0}),
                    output_is("stdout", b"abc", scheme),
                    predicate("stderr contains PATH and encode echoes the scheme",
                              lambda d, s=scheme: b"PATH" in decode(d["stderr"])
                              and d["stderr"]["encode"] == s),
                ]
            else:
                checks = [result_is(**{"return": 0, "stderr": None, "stdout": None})]
            add(g, f"test_params[{scheme}-{capture}]", "assets", "/echo", body=params,
                expect="server_environment" if capture else None, checks=checks)
    add(g, "test_environment", "assets", "/echo", body={
        "args": ["-e", "FOO"], "stderr": {"capture": True}, "environment": {"FOO": "BAR"},
    }, checks=[result_is(**{"return": 0}),
               predicate("stderr.strip() == FOO=BAR",
                         lambda d: d["stderr"]["content"].strip() == "FOO=BAR")])
    add(g, "test_symlinks[True-200]", "links-follow", "/link", checks=[status_is(200)])
    add(g, "test_symlinks[False-404]", "links-nofollow", "/link", expect="not_found_body",
        checks=[status_is(404)])
    add(g, "integration/test_run", "binroot-toml", "/ls", body={
        "stdout": {"capture": True}, "environment": None,
    }, checks=[result_is(**{"return": 0}),
               predicate('"tests" in stdout (cwd is the server\'s)',
                         lambda d: "tests" in d["stdout"]["content"])])

    # ---- (c) more correct requests (behaviour reference §3-§7, a few of §1-§2) -------------
    g = "stdin"
    text = "héllo wörld ✓ 😀 \u2028 \"q\" \\ \x01\n"
    add(g, "utf8-text", "assets", "/echo", body={
        "stdin": {"content": text}, "stdout": {"capture": True}},
        checks=[output_is("stdout", text.encode())])
    add(g, "utf8-text-encode-null", "assets", "/echo", body={
        "stdin": {"content": "abc", "encode": None}, "stdout": {"capture": True, "encode": None}},
        checks=[output_is("stdout", b"abc")])
    every_byte = bytes(range(256))
    add(g, "base64-every-byte", "assets", "/echo", body={
        "stdin": {"content": encode(every_byte, "base64"), "encode": "base64"},
        "stdout": {"capture": True, "encode": "base64"}},
        checks=[output_is("stdout", every_byte, "base64")])
    add(g, "base85-zero-groups-partial-group", "assets", "/echo", body={
        "stdin": {"content": encode(BINARY_STDOUT, "base85"), "encode": "base85"},
        "stdout": {"capture": True, "encode": "base85"}},
        checks=[output_is("stdout", BINARY_STDOUT, "base85")])
    add(g, "base85-in-base64-out", "assets", "/echo", body={
        "stdin": {"content": "BOu!rDZ", "encode": "base85"},
        "stdout": {"capture": True, "encode": "base64"}},
        checks=[output_is("stdout", b"hello", "base64")])
    add(g, "base85-whitespace-ignored", "assets", "/echo", body={
        "stdin": {"content": "BOu!\nrDZ ", "encode": "base85"},
        "stdout": {"capture": True}},
        checks=[output_is("stdout", b"hello")])
    add(g, "empty-content", "assets", "/echo", body={
        "stdin": {"content": ""}, "stdout": {"capture": True}},
        checks=[output_is("stdout", b"")])
    add(g, "empty-content-base64", "assets", "/echo", body={
        "stdin": {"content": "", "encode": "base64"}, "stdout": {"capture": True}},
        checks=[output_is("stdout", b"")])
    add(g, "no-content", "assets", "/echo", body={"stdout": {"capture": True}},
        checks=[output_is("stdout", b"")])
    add(g, "unread-1MiB", "assets", "/exit", body={
        "args": ["0"], "stdin": {"content": "x" * (1 << 20)}},
        checks=[result_is(**{"return": 0, "stdout": None, "stderr": None})])
    big = os.urandom(300 * 1024)
    add(g, "300KiB-both-streams", "assets", "/dup", body={
        "stdin": {"content": encode(big, "base64"), "encode": "base64"},
        "stdout": {"capture": True, "encode": "base64"},
        "stderr": {"capture": True, "encode": "base85"}},
        checks=[output_is("stdout", big, "base64"), output_is("stderr", big[::-1], "base85")])

    g = "capture"
    for out, err in ((True, True), (True, False), (False, True), (False, False)):
        add(g, f"stdout={out}-stderr={err}", "assets", "/both", body={
            "stdout": {"capture": out}, "stderr": {"capture": err}},
            checks=[output_is("stdout", b"to stdout\n" if out else None),
                    output_is("stderr", b"to stderr\n" if err else None)])
    add(g, "off-with-encode", "assets", "/both", body={
        "stdout": {"capture": False, "encode": "base64"},
        "stderr": {"encode": "base85"}},
        checks=[result_is(**{"return": 0, "stdout": None, "stderr": None})])
    add(g, "streams-empty-objects", "assets", "/both", body={
        "stdin": {}, "stdout": {}, "stderr": {}},
        checks=[result_is(**{"return": 0, "stdout": None, "stderr": None})])

    g = "output"
    for scheme in ("base64", "base85"):
        other = "base85" if scheme == "base64" else "base64"
        add(g, f"binary-{scheme}", "assets", "/bytes", body={
            "stdout": {"capture": True, "encode": scheme},
            "stderr": {"capture": True, "encode": other}},
            checks=[output_is("stdout", BINARY_STDOUT, scheme),
                    output_is("stderr", BINARY_STDERR, other)])
    add(g, "empty-captured", "assets", "/empty", body={
        "stdout": {"capture": True}, "stderr": {"capture": True}},
        checks=[result_is(**{"return": 0, "stdout": {"content": "", "encode": None},
                             "stderr": {"content": "", "encode": None}})])
    add(g, "empty-captured-encoded", "assets", "/empty", body={
        "stdout": {"capture": True, "encode": "base64"},
        "stderr": {"capture": True, "encode": "base85"}},
        checks=[result_is(**{"return": 0, "stdout": {"content": "", "encode": "base64"},
                             "stderr": {"content": "", "encode": "base85"}})])
    big_size = 5_000_000
    add(g, "5MB-text", "assets", "/big", body={
        "args": [str(big_size)], "stdout": {"capture": True}},
        checks=[predicate("stdout is 5 MB", lambda d: len(d["stdout"]["content"]) == big_size)])
    add(g, "waits-for-eof-of-background-child", "assets", "/bg", body={
        "stdout": {"capture": True}},
        checks=[output_is("stdout", b"early\nlate\n")])
    add(g, "unicode-ascii-escaping", "assets", "/unicode", body={
        "stdout": {"capture": True}, "stderr": {"capture": True}},
        checks=[output_is("stdout", UNICODE_STDOUT.encode()),
                output_is("stderr", UNICODE_STDERR.encode())])

    g = "exit"
    for status in (1, 42, 255):
        add(g, f"status-{status}", "assets", "/exit", body={"args": [str(status)]},
            checks=[result_is(**{"return": status})])
    for sig, number in (("TERM", 15), ("KILL", 9), ("HUP", 1), ("SEGV", 11)):
        add(g, f"signal-{sig}", "assets", "/sig", body={"args": [sig]},
            checks=[result_is(**{"return": -number})])

    g = "environment"
    for label, value in (("spaces-equals", "bar baz=qux"), ("unicode", "ü ✓ 😀"),
                         ("empty-value", "")):
        add(g, label, "assets", "/echo", body={
            "args": ["-e", "FOO"], "stderr": {"capture": True}, "environment": {"FOO": value}},
            checks=[output_is("stderr", f"FOO={value}\n".encode())])
    add(g, "several-variables", "assets", "/echo", body={
        "args": ["-e", "SECOND"], "stderr": {"capture": True},
        "environment": {"FIRST": "1", "SECOND": "two", "THIRD": "3"}},
        checks=[output_is("stderr", b"SECOND=two\n")])
    add(g, "non-ascii-and-lowercase-names", "assets", "/echo", body={
        "args": ["-e", "föö"], "stderr": {"capture": True},
        "environment": {"föö": "bär", "lower": "x"}},
        checks=[output_is("stderr", "föö=bär\n".encode())])
    for label, env in (("PATH-override", {"PATH": "/opt/custom/bin:/usr/bin:/bin"}),
                       ("LANG-override", {"LANG": "C"}),
                       ("deny-list-PYTHONPATH", {"PYTHONPATH": "/nonexistent"}),
                       ("deny-list-HTTPEXEC", {"HTTPEXEC_EXEC_ROOT": "/"})):
        name = next(iter(env))
        add(g, label, "assets", "/echo", body={
            "args": ["-e", name], "stderr": {"capture": True}, "environment": env},
            expect="denied_environment",
            checks=[when_200(output_is("stderr", f"{name}={env[name]}\n".encode()))])
    add(g, "unset-variable-prints-empty", "assets", "/echo", body={
        "args": ["-e", "NOT_SET_ANYWHERE"], "stderr": {"capture": True}, "environment": {}},
        checks=[output_is("stderr", b"NOT_SET_ANYWHERE=\n")])

    g = "args"
    argv = ["-n", "a b", "$HOME", "; ls", "", "ü✓", "*", "--", "\ttab"]
    add(g, "verbatim-no-shell", "assets", "/showargs", body={
        "args": argv, "stdout": {"capture": True}},
        checks=[output_is("stdout", "".join(f"[{a}]\n" for a in argv).encode())])
    many = [f"arg{i}" for i in range(1000)]
    add(g, "1000-args", "assets", "/showargs", body={"args": many, "stdout": {"capture": True}},
        checks=[output_is("stdout", "".join(f"[{a}]\n" for a in many).encode())])
    long_arg = "x" * (100 * 1024)
    add(g, "100KiB-arg", "assets", "/showargs", body={
        "args": [long_arg], "stdout": {"capture": True, "encode": "base85"}},
        checks=[output_is("stdout", f"[{long_arg}]\n".encode(), "base85")])
    add(g, "empty-list", "assets", "/showargs", body={"args": [], "stdout": {"capture": True}},
        checks=[output_is("stdout", b"")])
    add(g, "cwd-is-servers", "assets", "/cwd", body={"stdout": {"capture": True}},
        checks=[predicate("stdout is the server's working directory",
                          lambda d: d["stdout"]["content"].rstrip("\n").endswith("/work"))])

    g = "body"
    add(g, "json-null", "assets", "/both", body=None, checks=[result_is(**{"return": 0})])
    add(g, "empty-object", "assets", "/both", body={}, checks=[result_is(**{"return": 0})])
    add(g, "empty-no-content-type", "assets", "/both", body=b"", content_type=None,
        checks=[result_is(**{"return": 0, "stdout": None})])
    add(g, "empty-text-plain", "assets", "/both", body=b"", content_type="text/plain",
        checks=[result_is(**{"return": 0, "stdout": None})])
    add(g, "vendor-json-with-charset", "assets", "/both",
        body={"stdout": {"capture": True}},
        content_type="Application/Vnd.Example+JSON; charset=latin-1",
        checks=[output_is("stdout", b"to stdout\n")])
    add(g, "duplicate-keys-last-wins", "assets", "/both",
        body=b'{"stdout": {"capture": false}, "stdout": {"capture": true}}',
        checks=[output_is("stdout", b"to stdout\n")])
    add(g, "empty-json-is-400", "assets", "/both", body=b"", content_type=JSON,
        expect="invalid_json_body", checks=[status_is(400)])
    add(g, "malformed-json-is-400", "assets", "/both", body=b'{"args": [1,]}',
        expect="invalid_json_body", checks=[status_is(400)])
    add(g, "unknown-keys-ignored", "assets", "/both",
        body={"stdout": {"capture": True, "color": "red"}, "extra": [1, 2], "binary": {}},
        checks=[output_is("stdout", b"to stdout\n")])

    g = "path"
    add(g, "trailing-slash", "assets", "/echo/", checks=[status_is(200)])
    add(g, "dot-segment", "assets", "/./echo", checks=[status_is(200)])
    add(g, "double-slash-in-subdir", "assets", "/sub//hello", body={"stdout": {"capture": True}},
        checks=[output_is("stdout", b"hello from sub\n")])
    add(g, "percent-space", "assets", "/with%20space", body={"stdout": {"capture": True}},
        checks=[output_is("stdout", b"with space\n")])
    add(g, "percent-utf8", "assets", "/%C3%BCn%C3%AF", body={"stdout": {"capture": True}},
        checks=[output_is("stdout", b"unicode name\n")])
    add(g, "percent-2F-separator", "assets", "/sub%2Fhello", body={"stdout": {"capture": True}},
        checks=[output_is("stdout", b"hello from sub\n")])
    add(g, "query-string-ignored", "assets", "/both?stdout=1", body={"stdout": {"capture": True}},
        checks=[output_is("stdout", b"to stdout\n")])
    add(g, "directory-404", "assets", "/sub", expect="not_found_body", checks=[status_is(404)])

    g = "http"
    add(g, "options", "assets", "/echo", method="OPTIONS", content_type=None,
        checks=[status_is(200),
                lambda r: None if r.allow() == {"OPTIONS", "POST"} else f"Allow {r.allow()}"])
    add(g, "get-405", "assets", "/echo", method="GET", content_type=None,
        expect="method_not_allowed_body", checks=[status_is(405)])
    return cases


# --------------------------------------------------------------------------------------------
# Comparison and report
# --------------------------------------------------------------------------------------------

def short(body: bytes, limit: int = 200) -> str:
    text = repr(body[:limit])
    return text + ("…" if len(body) > limit else "")


def first_json_difference(a: bytes, b: bytes) -> str:
    try:
        x, y = json.loads(a), json.loads(b)
    except ValueError:
        return ""
    if isinstance(x, dict) and isinstance(y, dict):
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                mine, theirs = (short(json.dumps(v.get(key)).encode(), 120) for v in (x, y))
                return f"; first differing key {key!r}: {mine} / {theirs}"
    return ""


def compare(case: Case, orig: Response, ours: Response) -> tuple[str, str]:
    """Returns (verdict, detail): verdict is identical, expected or fail."""
    problems = []
    for label, resp in (("original", orig), ("ours", ours)):
        for check in case.checks:
            if (problem := check(resp)) is not None:
                problems.append(f"{label}: {problem}")
    identical = orig.status == ours.status and orig.body == ours.body
    # A 200 JSON body must also be labelled JSON (an empty OPTIONS 200 has no media type to keep).
    if identical and orig.status == 200 and orig.body and orig.media_type() != ours.media_type():
        identical = False
        problems.append(f"Content-Type {orig.media_type()!r}/{ours.media_type()!r}")
    status = f"status {orig.status}/{ours.status}"
    if problems:
        return "fail", f"{status}; " + "; ".join(problems)
    if identical:
        return "identical", f"{status}, body identical ({len(orig.body)} bytes)"
    if case.expect:
        problem = EXPECTED_DIFFERENCES[case.expect].compare(orig, ours)
        if problem is None:
            return "expected", f"{status}, expected difference: {case.expect}"
        return "fail", f"{status}; expected difference {case.expect} does not hold: {problem}"
    return "fail", (f"{status}; body differs: original {short(orig.body)} / ours {short(ours.body)}"
                    + first_json_difference(orig.body, ours.body))


def ensure_venv(venv: Path) -> None:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with httpexec {ORIGINAL_VERSION} from PyPI", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *PIP_REQUIREMENTS],
                       check=True)
    version = subprocess.run(
        [str(python), "-c", "import httpexec, hypercorn; print(httpexec.__version__)"],
        capture_output=True, text=True)
    if version.returncode != 0 or version.stdout.strip() != ORIGINAL_VERSION:
        raise HarnessError(f"{venv} does not hold httpexec {ORIGINAL_VERSION} and hypercorn: "
                           f"{version.stdout.strip() or version.stderr.strip()}")


def print_expected_table(cases: list[Case]) -> None:
    print("\nEXPECTED_DIFFERENCES")
    for key, diff in EXPECTED_DIFFERENCES.items():
        names = [c.name for c in cases if c.expect == key]
        if not names:
            continue
        print(f"  {key} ({diff.what}; {len(names)} case(s))")
        print(f"    why:   {diff.reason}")
        if names:
            print(f"    cases: {', '.join(names)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=REPO / ".build" / "compat-venv",
                        help="virtualenv holding httpexec 1.0.4 (created if missing; "
                             "default: %(default)s)")
    parser.add_argument("--ours", type=Path, default=REPO / ".build" / "debug",
                        help="build directory holding our httpexec binary (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--filter", default="", help="run only cases whose name contains this")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print both bodies for every case")
    opts = parser.parse_args()
    started = time.monotonic()

    servers: list[Server] = []
    top: Path | None = None

    def cleanup() -> None:
        nonlocal top
        for server in servers:
            server.stop()
        servers.clear()
        if top is not None and top.exists():
            if opts.keep:
                print(f"kept {top}")
            else:
                shutil.rmtree(top, ignore_errors=True)
            top = None

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    try:
        ours_bin = opts.ours / "httpexec"
        if not os.access(ours_bin, os.X_OK):
            raise HarnessError(f"{ours_bin} not found: build it first (swift build --product "
                               "httpexec && swift build --product httpexec-server && swift build "
                               "--product httpexec-launcher)")
        ensure_venv(opts.venv.absolute())
        top = Path(tempfile.mkdtemp(prefix="httpexec-compat-"))
        layout = make_layout(top)

        cases = [c for c in build_cases() if opts.filter in c.name]
        if not cases:
            raise HarnessError(f"no case matches --filter {opts.filter!r}")
        needed = [CONFIGS[name] for name in CONFIGS if any(c.config == name for c in cases)]
        pairs: dict[str, tuple[Server, Server]] = {}
        for config in needed:
            pair = (original_server(opts.venv.absolute(), config, layout),
                    our_server(opts.ours.absolute(), config, layout))
            pairs[config.name] = pair
            for server in pair:
                servers.append(server)
                server.start()
        deadline = time.monotonic() + STARTUP_DEADLINE
        for server in servers:
            server.wait_ready(deadline)
        print(f"servers ready in {time.monotonic() - started:.1f}s: " + ", ".join(
            f"{s.label}@{s.port}" for s in servers), flush=True)

        counts = {"identical": 0, "expected": 0, "fail": 0}
        for case in cases:
            orig_server, our = pairs[case.config]
            orig = ours = None
            try:
                orig = send(orig_server.port, case)
                ours = send(our.port, case)
            except (OSError, http.client.HTTPException) as exc:
                verdict, detail = "fail", f"request failed: {type(exc).__name__}: {exc}"
            else:
                verdict, detail = compare(case, orig, ours)
            counts[verdict] += 1
            print(f"{'DIFF' if verdict == 'fail' else 'ok'} {case.name}: {detail}", flush=True)
            if (opts.verbose or verdict == "fail") and orig is not None and ours is not None:
                print(f"    original: {short(orig.body, 600)}")
                print(f"    ours:     {short(ours.body, 600)}")

        print_expected_table(cases)
        print(f"\n{len(cases)} cases, {counts['identical']} identical, {counts['expected']} "
              f"expected differences, {counts['fail']} failures "
              f"({time.monotonic() - started:.1f}s)")
        return 1 if counts["fail"] else 0
    except HarnessError as exc:
        print(f"side_by_side: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"side_by_side: {exc}", file=sys.stderr)
        return 2
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
