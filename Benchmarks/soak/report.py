"""The soak's figures and checks, printed as one report."""

import os
import platform
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Optional

import mix

# fds a process may hold above its baseline once idle, not counting the launcher connection pool:
# a descriptor still being closed (a job's pidfd or pipe, a client socket) when the count is read.
FD_SLACK = 2
# The front-end keeps at most this many idle launcher connections (LauncherClient
# maxIdleConnections): the pool grows to the most jobs in flight at once and stays there.
POOL_MAX = 64
# Growth of RssAnon from the middle of the load to its end: memory that levels off (pools, caches,
# allocator arenas) does not grow there; a leak grows with the request count in both halves.
SECOND_HALF_MIB = 8
EXAMPLES = 8


@dataclass
class Figures:
    total: int
    warmup: int
    concurrency: int
    seed: int
    job_uid: int
    skipped: list = field(default_factory=list)
    seconds: float = 0.0
    results: list = field(default_factory=list)
    cold: tuple = (None, None)
    baseline: tuple = (None, None)
    end: tuple = (None, None)
    baseline_wait: float = 0.0
    settle_wait: float = 0.0
    settle_busy: str = ""
    zombies: list = field(default_factory=list)
    live_children: list = field(default_factory=list)
    jobs_left: list = field(default_factory=list)
    rss_growth_mib: int = 16
    serve_exit: Optional[int] = None
    audit: object = None
    problems: list = field(default_factory=list)
    trend: list = field(default_factory=list)   # (requests done, launcher, front-end) every tenth


def outcome(result, kind) -> str:
    """'ok', 'pressure' (429/503), 'status' (another status), 'body', 'transport', 'id'."""
    if result.status is None:
        if kind.statuses:
            return "transport"
        return "transport" if result.error else "ok"
    if result.status in mix.PRESSURE_STATUSES and result.status not in kind.statuses:
        return "pressure"
    if result.status not in kind.statuses:
        return "status"
    if result.error:
        return "body"
    if result.echoed_id != result.request_id:
        return "id"
    return "ok"


def percentile(values: list, fraction: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000:.1f}"


def mib(kib: int) -> float:
    return kib / 1024


def print_report(f: Figures) -> bool:
    """Prints everything; returns True when a check failed."""
    by_kind = defaultdict(list)
    outcomes = Counter()
    examples = defaultdict(list)
    for result in f.results:
        kind = mix.KIND_BY_NAME[result.kind]
        by_kind[kind.name].append(result)
        what = outcome(result, kind)
        outcomes[what] += 1
        if what != "ok" and len(examples[what]) < EXAMPLES:
            examples[what].append(f"{result.request_id} {kind.name}: status {result.status} {result.error or ''}".rstrip())

    sent = len(f.results)
    print()
    print(f"httpexec soak — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
          f"kernel {platform.release()}, load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"{f.total} requests + {f.warmup} warm-up, concurrency {f.concurrency}, seed {f.seed}; "
          f"main phase {f.seconds:.1f} s = {f.total / f.seconds if f.seconds else 0:.0f} req/s")
    if f.skipped:
        print(f"NOT A FULL SOAK: kinds left out by SOAK_SKIP: {', '.join(f.skipped)}")
    print()
    print(f"{'kind':<18} {'sent':>7}  {'statuses':<24} {'unexpected':>10} {'p50 ms':>7} {'p99 ms':>7}  {'audit':<18}")
    audit_ok = f.audit.matched if f.audit else Counter()
    for kind in mix.KINDS:
        if kind.name in f.skipped:
            continue
        results = by_kind.get(kind.name, [])
        statuses = Counter("none" if r.status is None else r.status for r in results)
        shown = " ".join(f"{s}:{n}" for s, n in sorted(statuses.items(), key=str))
        bad = sum(1 for r in results if outcome(r, kind) != "ok")
        timed = [r.seconds for r in results if r.status is not None]
        audit_text = f"{kind.audit} {audit_ok[(kind.name, 'ok')]} ok" + (
            f", {audit_ok[(kind.name, 'NO')]} NOT" if audit_ok[(kind.name, "NO")] else "")
        print(f"{kind.name:<18} {len(results):>7}  {shown:<24} {bad:>10} {percentile(timed, 0.5):>7} "
              f"{percentile(timed, 0.99):>7}  {audit_text:<18}")
    print(f"{'all':<18} {sent:>7}  {'':<24} {sent - outcomes['ok']:>10}")
    print()

    growth_kib = f.rss_growth_mib * 1024
    print(f"{'process':<10} {'cold (after start)':<36} {'baseline (after warm-up)':<36} {'end (settled)':<36}")
    for index, name in enumerate(("launcher", "front-end")):
        cells = [s.show() if s else "gone" for s in (f.cold[index], f.baseline[index], f.end[index])]
        print(f"{name:<10} {cells[0]:<36} {cells[1]:<36} {cells[2]:<36}")
    if f.trend:
        print("under load, anon MiB (RssAnon) at each tenth, launcher / front-end: " + "  ".join(
            f"{mib(l.anon_kib):.1f}/{mib(r.anon_kib):.1f}" for _, l, r in f.trend if l and r))
    print("(RSS in MiB: VmRSS, anon = RssAnon; pool = front-end ↔ launcher connections, one fd in each process)")
    print(f"bounds: fds besides the pool ≤ baseline + {FD_SLACK}, pool ≤ {POOL_MAX}, RSS ≤ baseline + {f.rss_growth_mib} MiB; "
          f"idle after warm-up in {f.baseline_wait:.1f} s, after the load in {f.settle_wait:.1f} s")
    if f.audit:
        a = f.audit
        print(f"audit: {a.records} records (" + ", ".join(f"{e} {n}" for e, n in sorted(a.events.items())) +
              f"); records for ids not sent: {a.unknown_ids}")
        print(f"audit verify: {a.verify_output.splitlines()[0] if a.verify_output else '(no output)'}")
    print()

    checks = []

    def check(ok: bool, text: str, details=()):
        checks.append((ok, text, list(details)))

    unexpected = sent - outcomes["ok"]
    check(unexpected == 0,
          f"answers: {unexpected} unexpected of {sent} (other status {outcomes['status']}, 429/503 "
          f"{outcomes['pressure']}, wrong body {outcomes['body']}, X-Request-ID not echoed {outcomes['id']}, "
          f"transport/no answer {outcomes['transport']})",
          [line for lines in examples.values() for line in lines])
    end_ok = all(f.end) and all(f.baseline)
    if end_ok:
        fds = [f.end[i].own_fds <= f.baseline[i].own_fds + FD_SLACK for i in (0, 1)]
        check(all(fds) and not f.settle_busy,
              f"fds back (besides the launcher connection pool): launcher {f.baseline[0].own_fds} → "
              f"{f.end[0].own_fds}, front-end {f.baseline[1].own_fds} → {f.end[1].own_fds} (bound +{FD_SLACK})",
              [f.settle_busy] if f.settle_busy else [])
        check(f.end[0].pool <= POOL_MAX,
              f"launcher connection pool bounded: {f.baseline[0].pool} → {f.end[0].pool} (at most {POOL_MAX} kept)")
        rss = [f.end[i].rss_kib <= f.baseline[i].rss_kib + growth_kib for i in (0, 1)]
        check(all(rss),
              f"RSS: launcher {mib(f.baseline[0].rss_kib):.1f} → {mib(f.end[0].rss_kib):.1f} MiB, front-end "
              f"{mib(f.baseline[1].rss_kib):.1f} → {mib(f.end[1].rss_kib):.1f} MiB (bound +{f.rss_growth_mib} MiB)")
        middle = [t for t in f.trend if t[0] * 2 >= f.total and t[1] and t[2]][:1]
        if middle:
            done, launcher, frontend = middle[0]
            halves = [f.end[0].anon_kib - launcher.anon_kib, f.end[1].anon_kib - frontend.anon_kib]
            check(max(halves) <= SECOND_HALF_MIB * 1024,
                  f"no growth in the second half (RssAnon from request {done} to the end): launcher "
                  f"{mib(halves[0]):+.1f} MiB, front-end {mib(halves[1]):+.1f} MiB (bound +{SECOND_HALF_MIB} MiB)")
    else:
        check(False, "a served process died during the soak")
    check(not f.zombies and not f.live_children and not f.jobs_left,
          f"no zombies ({len(f.zombies)}), no children of the launcher left ({len(f.live_children)}), "
          f"no process of the job uid {f.job_uid} left ({len(f.jobs_left)})",
          [f"pid {p.pid} ({p.name}) state {p.state} ppid {p.ppid} uid {p.uid}"
           for p in (f.zombies + f.live_children + f.jobs_left)[:EXAMPLES]])
    for problem in f.problems:
        check(False, problem)
    if f.audit:
        a = f.audit
        joined = sum(a.matched.values())
        check(not a.problems and a.unknown_ids == 0 and a.events["chain_start"] == 1,
              f"audit join: {joined - len(a.problems)} of {joined} requests have exactly the records their kind "
              f"must leave (one terminal record each that reached the launcher, none otherwise); "
              f"chain_start {a.events['chain_start']}, records for unknown ids {a.unknown_ids}",
              [f"{rid} {text}" for rid, text in a.problems[:EXAMPLES]])
        check(a.verify_status == 0, f"httpexec audit verify: exit {a.verify_status}", a.verify_output.splitlines()[:3])
    check(f.serve_exit == 0, f"serve stopped cleanly on SIGTERM: exit {f.serve_exit}")

    failed = [c for c in checks if not c[0]]
    for ok, text, details in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
        if not ok:
            for line in details:
                print(f"        {line}")
    print()
    print(f"soak: {'FAILED' if failed else 'passed'}: {len(checks) - len(failed)} of {len(checks)} checks"
          + (f" (without {', '.join(f.skipped)})" if f.skipped else ""))
    return bool(failed)
