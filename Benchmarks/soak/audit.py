"""Joins the launcher's audit trail with the requests sent, by request id."""

import json
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field

TERMINAL = ("finished", "rejected")


@dataclass
class AuditReport:
    records: int = 0
    events: Counter = field(default_factory=Counter)
    # request kind -> number of requests whose records matched / did not
    matched: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)   # (request id, text), all of them
    unknown_ids: int = 0
    verify_status: int = -1
    verify_output: str = ""

    def failed(self) -> bool:
        return bool(self.problems) or self.unknown_ids > 0 or self.verify_status != 0 \
            or self.events["chain_start"] != 1


def read_trail(path: str):
    """request id -> [records in file order]; plus the event counts and the number of lines."""
    by_id = defaultdict(list)
    events = Counter()
    lines = 0
    with open(path, "rb") as trail:
        for line in trail:
            lines += 1
            record = json.loads(line)
            events[record["event"]] += 1
            if "request_id" in record:
                by_id[record["request_id"]].append(record)
    return by_id, events, lines


def check_one(kind, records: list, frontend_pid: int) -> str:
    """What is wrong with one request's records, or '' when they are what its kind must leave."""
    problem = check_events(kind, records)
    if problem:
        return problem
    for record in records:
        # The kernel's word for the peer, and the front-end's claim for the client (docs/audit.md).
        if (record.get("peer") or {}).get("pid") != frontend_pid:
            return f"{record['event']} record names peer {record.get('peer')}, not the front-end (pid {frontend_pid})"
        address = (record.get("client") or {}).get("address", "")
        # A client that resets its connection before the front-end accepted it has no address
        # any more (getpeername fails); the front-end says so.
        if kind.name == "abort_early" and address == "unknown":
            continue
        if not address.startswith("127.0.0.1:"):
            return f"{record['event']} record has client address {address!r}, not 127.0.0.1:PORT"
    return ""


def check_events(kind, records: list) -> str:
    events = [r["event"] for r in records]
    if kind.audit == "none":
        return "" if not records else f"front-end refusal has records {events}"
    if kind.audit == "maybe-job" and not records:
        return ""
    if kind.audit == "rejected":
        if events != ["rejected"]:
            return f"expected one rejected record, found {events}"
        code = (records[0].get("reason") or {}).get("code")
        return "" if code == kind.reason else f"rejected with {code!r}, expected {kind.reason!r}"
    # job, or maybe-job that reached the launcher
    if events != ["started", "finished"]:
        terminal = sum(1 for e in events if e in TERMINAL)
        return f"expected started then finished, found {events} ({terminal} terminal)"
    finished = records[1]
    wanted = kind.finished if kind.audit == "job" else {"cancelled": True}
    for name, value in wanted.items():
        if finished.get(name) != value:
            return (f"finished has {name} = {finished.get(name)!r}, expected {value!r} "
                    f"(wall {finished.get('wall_ms')} ms)")
    return ""


def join(path: str, tickets: list, httpexec: str, frontend_pid: int) -> AuditReport:
    report = AuditReport()
    by_id, report.events, report.records = read_trail(path)
    ours = set()
    for p in tickets:
        ours.add(p.request_id)
        problem = check_one(p.kind, by_id.get(p.request_id, []), frontend_pid)
        if problem:
            report.problems.append((p.request_id, f"{p.kind.name}: {problem}"))
            report.matched[(p.kind.name, "NO")] += 1
        else:
            report.matched[(p.kind.name, "ok")] += 1
    report.unknown_ids = sum(1 for rid in by_id if rid not in ours)
    verify = subprocess.run([httpexec, "audit", "verify", path], capture_output=True, text=True)
    report.verify_status = verify.returncode
    report.verify_output = (verify.stdout + verify.stderr).strip()
    return report
