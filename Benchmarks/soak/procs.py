"""What /proc says about the served processes: open fds, memory, children, zombies."""

import os
from dataclasses import dataclass
from typing import Optional


@dataclass
class Snapshot:
    fds: int
    rss_kib: int
    anon_kib: int
    # Connections between front-end and launcher (one fd in each process): the front-end's pool.
    pool: int = 0

    @property
    def own_fds(self) -> int:
        """fds besides the pooled launcher connections."""
        return self.fds - self.pool

    def show(self) -> str:
        return f"{self.fds} fds ({self.pool} pool), RSS {self.rss_kib / 1024:.1f} (anon {self.anon_kib / 1024:.1f})"


def snapshot(pid: int, pool: int = 0) -> Optional[Snapshot]:
    try:
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        fields = {}
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                fields[name] = value.split()
        return Snapshot(fds, int(fields["VmRSS"][0]), int(fields["RssAnon"][0]), pool)
    except (OSError, KeyError, IndexError, ValueError):
        return None


def launcher_socket(launcher: int) -> str:
    """The socket path serve gave the launcher (`--socket PATH` on its command line)."""
    with open(f"/proc/{launcher}/cmdline", "rb") as cmdline:
        arguments = cmdline.read().split(b"\0")
    return arguments[arguments.index(b"--socket") + 1].decode()


def launcher_connections(socket_path: str) -> int:
    """Connected streams on the launcher's socket: the front-end's connection pool.

    Each is one fd in either process. The launcher's accepted sockets carry the listening
    socket's address in /proc/net/unix — the name it was bound under before the rename into
    place (`launcher.sock.binding`), hence the prefix match."""
    count = 0
    with open("/proc/net/unix") as table:
        next(table)
        for line in table:
            fields = line.split()
            if len(fields) >= 8 and fields[5] == "03" and fields[7].startswith(socket_path):
                count += 1
    return count


@dataclass
class Proc:
    pid: int
    ppid: int
    state: str
    uid: int
    name: str


def processes() -> list:
    """Every process we can read, with parent, state and real uid."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
            # comm may hold spaces and parentheses: split after the last ')'.
            name = text[text.index("(") + 1:text.rindex(")")]
            rest = text[text.rindex(")") + 2:].split()
            uid = real_uid(int(entry))
            found.append(Proc(int(entry), int(rest[1]), rest[0], uid, name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def real_uid(pid: int) -> int:
    # Not the owner of /proc/PID: that is root while a job is between its uid drop and execve.
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise ValueError("no Uid line")


# The launcher's one permanent child: the group reaper, which kills running jobs' process groups
# if the launcher dies (docs/sandbox.md). Not a job, not a leftover.
REAPER = "httpexec-reaper"


def children(pid: int, procs: list) -> list:
    return [p for p in procs if p.ppid == pid and not (p.name == REAPER and p.state != "Z")]


def leftovers(launcher: int, job_uid: int) -> tuple:
    """(zombies among the launcher's children, live children of the launcher, processes of the job uid)."""
    procs = processes()
    kids = children(launcher, procs)
    zombies = [p for p in kids if p.state == "Z"]
    live = [p for p in kids if p.state != "Z"]
    jobs = [p for p in procs if p.uid == job_uid]
    return zombies, live, jobs
