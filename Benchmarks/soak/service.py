"""The service under test: its exec root, its policy, and `httpexec serve` started and stopped."""

import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass

import procs

FRONTEND_FALLBACK_UID = 60999   # serve's front-end uid when no `httpexec` account exists

SCRIPTS = {
    # Writes its arguments to stderr and fails (a shell script: the /dev/fd/N exec path).
    "fail": '#!/bin/sh\necho "$@" >&2\nexit 3\n',
    # Shows it runs by creating $1, then sleeps $2 seconds (the disconnect kind waits for $1).
    "slow": '#!/bin/sh\n: >"$1"\nexec sleep "$2"\n',
}


def frontend_uid() -> int:
    try:
        return pwd.getpwnam("httpexec").pw_uid
    except KeyError:
        return FRONTEND_FALLBACK_UID


def free_job_uid() -> int:
    """A uid in 63000-63999 that no account and no process has: jobs run as it alone, so any
    process left with it after the soak is a leftover job."""
    used = {p.uid for p in procs.processes()}
    for uid in range(63000 + os.getpid() % 1000, 64000):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            if uid not in used:
                return uid
    raise RuntimeError("no free uid in 63000-63999")


def make_exec_root(root: str):
    """Copies (not links: follow_links is off) of echo, cat and sleep, and two scripts."""
    os.makedirs(root)
    for name in ("echo", "cat", "sleep"):
        shutil.copy(f"/bin/{name}", f"{root}/{name}")
    for name, text in SCRIPTS.items():
        with open(f"{root}/{name}", "w") as script:
            script.write(text)
    for name in os.listdir(root):
        os.chmod(f"{root}/{name}", 0o755)
    os.chmod(root, 0o755)


def policy_text(work: str, repo: str, job_uid: int, peer: int, audit_file: str) -> str:
    """The shape of the policy `httpexec serve` writes for itself (Sources/httpexec/ServePolicy.swift),
    with jobs under a uid of their own and the audit file on."""
    return f"""# httpexec soak (Benchmarks/soak): serve's generated policy plus an audit file.
exec_root = "{work}/root"
follow_links = false
working_directory = "/"
seccomp = "{repo}/policy/seccomp/default.json"

[run_as]
user = "{job_uid}"
group = "{job_uid}"

[environment]
base = {{ PATH = "/usr/local/bin:/usr/bin:/bin", LANG = "C.UTF-8" }}
deny_extra = ["HTTPEXEC_*"]

[limits]
timeout = "60s"
kill_grace = "2s"
output_cap = "16MiB"
on_output_overflow = "truncate"
stdin_cap = "16MiB"
open_files = 1024
file_size = "1GiB"
cpu_seconds = 60
address_space = "4GiB"
core = 0

[concurrency]
# Above the client's concurrency (at most 64 connections) plus the cancelled jobs still being
# stopped: 429 busy is never expected.
max_jobs = 128
max_per_command = 128

[peers]
users = ["{peer}"]

[socket]
# serve passes its own --socket; this path is not used.
path = "{work}/unused.sock"
group = "{peer}"
mode = "0660"

[audit]
file = "{audit_file}"
journal = "off"
fsync = "interval"
fsync_interval = "1s"
argv = "sha256"
on_failure = "refuse"
"""


@dataclass
class Serve:
    process: subprocess.Popen
    log_path: str
    host: str
    port: int
    launcher: int
    frontend: int
    socket: str = ""   # the launcher's socket (serve's runtime directory)

    def stop(self, deadline: float = 60.0) -> int:
        """SIGTERM and wait; the exit status (SIGKILL and -9 after the deadline)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(deadline)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return -9
        return self.process.returncode


# serve's start-up line, whatever the log format around it (plain, or logfmt's msg="…"):
# "serving on 127.0.0.1:PORT — exec root …; launcher pid N, front-end pid M".
SERVING = re.compile(r"serving on (\S+?):(\d+)\b.*?launcher pid (\d+), front-end pid (\d+)")


def start(httpexec: str, policy: str, log_path: str, deadline: float = 120.0) -> Serve:
    """`httpexec serve --policy … --bind 127.0.0.1:0`; waits for its "serving on" line."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HTTPEXEC_")}
    log = open(log_path, "wb")
    process = subprocess.Popen([httpexec, "serve", "--policy", policy, "--bind", "127.0.0.1:0"],
                               stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=environment)
    log.close()
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with open(log_path, errors="replace") as text:
            match = SERVING.search(text.read())
        if match:
            launcher = int(match[3])
            return Serve(process, log_path, match[1], int(match[2]), launcher, int(match[4]),
                         procs.launcher_socket(launcher))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    # SIGTERM, not SIGKILL: serve then stops both of its children itself.
    Serve(process, log_path, "", 0, 0, 0).stop()
    with open(log_path, errors="replace") as text:
        tail = text.read()[-2000:]
    raise RuntimeError(f"httpexec serve did not start (exit {process.returncode}):\n{tail}")
