#!/usr/bin/env python3
"""make soak: `httpexec serve` with its audit file on, under SOAK_REQUESTS mixed requests.

Starts the real launcher and front-end (release build), sends a seeded mix of requests that run,
fail, time out, disconnect mid-job or are refused in every way (mix.py), then checks that every
answer was expected, that both processes give back their fds and memory and leave no zombie or
job behind, and that the audit trail holds exactly one terminal record per request that reached
the launcher and none for the rest, and verifies. Prints the figures; exits 1 on any failure.
See docs/soak.md.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time

import audit
import client
import mix
import procs
import report
import service


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value.replace("_", "").replace(",", "")) if value else default
    except ValueError:
        sys.exit(f"soak: {name} must be an integer, not {value!r}")


def tcp_connections(port: int) -> int:
    """Connections on the listening port that still hold a socket (not LISTEN, TIME_WAIT, CLOSE)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as lines:
                next(lines)
                for line in lines:
                    fields = line.split()
                    local_port = int(fields[1].rsplit(":", 1)[1], 16)
                    # 0A LISTEN, 06 TIME_WAIT, 07 CLOSE
                    if local_port == port and fields[3] not in ("0A", "06", "07"):
                        count += 1
        except OSError:
            continue
    return count


def quiet(serve, job_uid: int):
    """(is the service idle, what still runs): no job process, no child of the launcher, no
    client connection open on the port."""
    zombies, live, jobs = procs.leftovers(serve.launcher, job_uid)
    connections = tcp_connections(serve.port)
    busy = []
    if live or zombies:
        busy.append(f"{len(live)} live and {len(zombies)} zombie children of the launcher")
    if jobs:
        busy.append(f"{len(jobs)} processes of the job uid {job_uid}")
    if connections:
        busy.append(f"{connections} client connections")
    return not busy, "; ".join(busy)


def measure(serve):
    """(launcher, front-end) snapshots, each with the size of the launcher connection pool."""
    pool = procs.launcher_connections(serve.socket)
    return procs.snapshot(serve.launcher, pool), procs.snapshot(serve.frontend, pool)


def settle(serve, job_uid: int, deadline: float, bound=None):
    """Waits until the service is idle and — with `bound` (launcher, front-end fds besides the
    pool) given — both fd counts are within it; without a bound, until the fd counts held still
    for 1 s. Polls every 100 ms up to `deadline` seconds. Returns (seconds waited, what was still
    busy or '')."""
    started = time.monotonic()
    stable_since, last = None, None
    while True:
        idle, busy = quiet(serve, job_uid)
        launcher, frontend = measure(serve)
        if launcher is None or frontend is None:
            return time.monotonic() - started, "a served process is gone"
        counts = (launcher.own_fds, frontend.own_fds)
        if idle and bound is not None:
            if counts[0] <= bound[0] and counts[1] <= bound[1]:
                return time.monotonic() - started, ""
            busy = (f"fds besides the pool: launcher {counts[0]} (bound {bound[0]}), "
                    f"front-end {counts[1]} (bound {bound[1]})")
        elif idle:
            if counts != last:
                stable_since, last = time.monotonic(), counts
            elif time.monotonic() - stable_since >= 1.0:
                return time.monotonic() - started, ""
        if time.monotonic() - started > deadline:
            return time.monotonic() - started, busy or "fd counts still moving"
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="directory holding httpexec, httpexec-server, httpexec-launcher")
    parser.add_argument("--repo", default=os.getcwd(), help="the repository (for policy/seccomp/default.json)")
    options = parser.parse_args()
    if os.geteuid() != 0:
        print("soak: needs root: jobs run under a uid of their own and the front-end drops to its user", file=sys.stderr)
        return 2

    total = env_int("SOAK_REQUESTS", 100_000)
    concurrency = env_int("SOAK_CONCURRENCY", 32)
    if not 1 <= concurrency <= 64 or total < 1:
        sys.exit("soak: SOAK_REQUESTS ≥ 1 and SOAK_CONCURRENCY 1…64 (the policy allows 128 jobs at once)")
    warmup = env_int("SOAK_WARMUP", min(2000, max(200, total // 50)))
    settle_deadline = env_int("SOAK_SETTLE_SECONDS", 60)
    seed = env_int("SOAK_SEED", random.SystemRandom().randrange(1, 2**31))
    rss_growth_mib = env_int("SOAK_RSS_GROWTH_MIB", 16)
    # Kinds left out of the mix, e.g. while a known bug in one is open (the report names them).
    skip = frozenset(name for name in os.environ.get("SOAK_SKIP", "").split(",") if name)
    if skip - set(mix.KIND_BY_NAME) or skip == set(mix.KIND_BY_NAME):
        sys.exit(f"soak: SOAK_SKIP names kinds of {', '.join(mix.KIND_BY_NAME)} (not all of them)")
    httpexec = os.path.join(options.bin, "httpexec")

    work = tempfile.mkdtemp(prefix="httpexec-soak.")
    os.chmod(work, 0o755)
    failed = True
    serve = None
    try:
        markers = f"{work}/markers"
        os.makedirs(markers)
        os.chmod(markers, 0o1777)   # jobs (their own uid) create their markers here
        os.makedirs(f"{work}/audit", mode=0o700)
        audit_file = f"{work}/audit/audit.log"
        service.make_exec_root(f"{work}/root")
        job_uid = service.free_job_uid()
        policy = f"{work}/policy.toml"
        with open(policy, "w") as file:
            file.write(service.policy_text(work, os.path.abspath(options.repo), job_uid, service.frontend_uid(), audit_file))

        tickets = mix.schedule(warmup + total, seed, skip)
        print(f"soak: {total} requests (+{warmup} warm-up), concurrency {concurrency}, seed {seed} "
              f"(rerun with SOAK_SEED={seed}); work directory {work}", flush=True)

        serve = service.start(httpexec, policy, f"{work}/serve.log")
        print(f"soak: serve on {serve.host}:{serve.port}, launcher pid {serve.launcher}, "
              f"front-end pid {serve.frontend}; jobs as uid {job_uid}", flush=True)
        figures = report.Figures(total=total, warmup=warmup, concurrency=concurrency, seed=seed, job_uid=job_uid,
                                 skipped=sorted(skip))
        figures.cold = measure(serve)

        warm_results, _ = client.run_load(serve.host, serve.port, concurrency, tickets[:warmup], seed, markers)
        figures.baseline_wait, busy = settle(serve, job_uid, settle_deadline)
        if busy:
            figures.problems.append(f"not idle after the warm-up ({settle_deadline} s): {busy}")
        figures.baseline = measure(serve)
        if None in figures.baseline:
            raise RuntimeError("a served process died during the warm-up")

        print(f"soak: warm-up done; sending {total} requests", flush=True)
        began = time.monotonic()

        def progress(done: int):
            # RSS under load at each tenth: a leak climbs with the count, a pool or cache levels off.
            launcher, frontend = measure(serve)
            figures.trend.append((done, launcher, frontend))
            print(f"soak: {done}/{total} requests, {time.monotonic() - began:.0f} s; launcher "
                  f"{launcher.show() if launcher else 'gone'}; front-end {frontend.show() if frontend else 'gone'}",
                  flush=True)

        results, figures.seconds = client.run_load(serve.host, serve.port, concurrency, tickets[warmup:], seed,
                                                   markers, progress_every=max(1, total // 10), on_progress=progress)
        figures.results = warm_results + results
        bound = (figures.baseline[0].own_fds + report.FD_SLACK, figures.baseline[1].own_fds + report.FD_SLACK)
        figures.settle_wait, figures.settle_busy = settle(serve, job_uid, settle_deadline, bound)
        figures.end = measure(serve)
        figures.zombies, figures.live_children, figures.jobs_left = procs.leftovers(serve.launcher, job_uid)
        figures.rss_growth_mib = rss_growth_mib

        figures.serve_exit = serve.stop()
        frontend_pid, serve = serve.frontend, None
        figures.audit = audit.join(audit_file, tickets, httpexec, frontend_pid)
        failed = report.print_report(figures)
    except (RuntimeError, OSError) as error:
        print(f"soak: {error}", file=sys.stderr)
    finally:
        if serve is not None:
            serve.stop()
        if failed or os.environ.get("SOAK_KEEP", "") not in ("", "0"):
            print(f"soak: kept {work} (serve.log, audit/audit.log, policy.toml)", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
