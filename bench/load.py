"""Load: the production web server and two Celery worker processes under many clients for 60 s.

    .venv/bin/python bench/load.py [--seconds 60] [--pollers 100] [--courses 10] [--readers 50]
                                   [--askers 20] [--poll-interval 1] [--read-interval 1]
                                   [--ask-interval 2] [--web-workers 2] [--client-processes 4]
                                   [--client light|httpx]

On the embedded stack with its own database (docprof_bench_load, the two sample books) and Redis
DB 11: gunicorn started with the command `make run` uses (docprof/management/commands/run.py, 2
processes x 16 threads), two Celery workers (threads, 4 each), the offline engines (no model).
Virtual users (asyncio, one keep-alive connection each, token auth; bench/lightclient.py, or httpx
with `--client httpx`), all at once, spread over `--client-processes` processes (user n in process
n % N) so that the clients' own CPU does not delay their requests; each process reports how late
its event loop ran (in the client latencies).
The workers run as in production, at a lower CPU priority than the web server (DOCPROF_WORKER_NICE).
- `--courses` request a course (POST /api/courses) and follow it (GET /api/courses/{id}/status
  every second) until it ends: every course must complete;
- `--pollers` poll GET /api/jobs/{id} of those courses' jobs every `--poll-interval` s;
- `--readers` read cached lectures (GET /api/sections/{id}/lecture of sections whose lecture is
  already written, every `--read-interval` s);
- `--askers` ask questions during those lectures (POST /api/sections/{id}/questions, every
  `--ask-interval` s; the offline answerer: search, key-term evidence, quotes); the answers'
  kinds (library / lecture / not_found ...) are counted. One bench user stands for all the
  learners, so its per-user rates (DOCPROF_LECTURE_RATE, DOCPROF_QA_RATE) are lifted.
A warm-up (GET /healthz: every client connects, every server thread opens its database
connection) is not recorded. Each run first deletes the courses earlier runs requested.
Reported per endpoint: requests, errors (anything but the expected status, or no answer), p50 /
p95 / p99 ms; worker throughput (courses and job steps per minute); per 5 s slice, the requests
slower than 100 ms and the CPU used (web, workers, Postgres, the whole machine); every request's
client and server times joined by an X-Bench-Id header (load-logs/trace.jsonl). Targets: zero
errors, job status p99 <= 30 ms, cached lecture p99 <= 30 ms, every course completes.
Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, flush_redis, log, setup_django, user_with_books  # noqa: E402
from lightclient import LightClient  # noqa: E402
from loadclients import BENCH_ID, LECTURES_MARK, Recorder, loop_lag, pct, readers_and_askers, tag_requests  # noqa: E402

DB_NAME = "docprof_bench_load"
REDIS_DB = 11
PORTS = range(8120, 8130)
QUERIES = ["Learn DCF valuation", "Learn the time value of money", "Learn discounting cash flows"]
PREFERENCES = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--pollers", type=int, default=100)
    p.add_argument("--courses", type=int, default=10)
    p.add_argument("--readers", type=int, default=50)
    p.add_argument("--askers", type=int, default=20)
    p.add_argument("--poll-interval", type=float, default=1.0)
    p.add_argument("--read-interval", type=float, default=1.0)
    p.add_argument("--ask-interval", type=float, default=2.0)
    p.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (run.py's default)")
    p.add_argument("--client-processes", type=int, default=4, help="processes the virtual users run in")
    p.add_argument(
        "--client",
        choices=["light", "httpx"],
        default="light",
        help="the virtual users' HTTP client (bench/lightclient.py, or httpx as before)",
    )
    p.add_argument("--course-hours", type=float, default=2.0)
    p.add_argument(
        "--finish-timeout", type=float, default=180.0, help="s to wait for courses after the window"
    )
    return p.parse_args(argv)


def free_port() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit(f"no free port in {PORTS}")


def web_command(port: int, web_workers: int, access_log: Path) -> list[str]:
    """The web server exactly as `make run` starts it, plus an access log with each request's time
    inside the server (microseconds), to tell server time from waiting for a CPU."""
    from docprof.management.commands.run import Command

    command = Command()._commands("127.0.0.1", port, web_workers)["web"]
    return [*command, "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT]


def keep_alive_s(command: list[str]) -> float:
    """The server's keep-alive timeout (gunicorn's --keep-alive, 2 s if the command sets none)."""
    return float(command[command.index("--keep-alive") + 1]) if "--keep-alive" in command else 2.0


# method, path, status, time inside gunicorn (us), worker pid, the client's X-Bench-Id
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s %(p)s %({x-bench-id}i)s"
LABELS = [
    (re.compile(r"^GET /api/jobs/\d+$"), "GET /api/jobs/{id}"),
    (re.compile(r"^GET /api/courses/\d+/status$"), "GET /api/courses/{id}/status"),
    (re.compile(r"^POST /api/courses$"), "POST /api/courses"),
    (re.compile(r"^GET /api/sections/\d+/lecture$"), "GET /api/sections/{id}/lecture"),
    (re.compile(r"^POST /api/sections/\d+/questions$"), "POST /api/sections/{id}/questions"),
]


def write_trace(trace: list, access_log: Path) -> Path:
    """One JSON line per request: the client's view joined (by X-Bench-Id) with the server's
    (time inside gunicorn, which worker process), next to the access log."""
    import json

    inside = {}
    if access_log.exists():
        for line in access_log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 6:
                inside[parts[5]] = (int(parts[3]) / 1000, parts[4].strip("<>"))
    path = access_log.with_name("trace.jsonl")
    with path.open("w") as f:
        for label, sent, client_ms, rid in sorted(trace, key=lambda row: row[1]):
            server_ms, pid = inside.get(rid, (None, None))
            row = {"label": label, "sent_s": sent, "client_ms": client_ms, "server_ms": server_ms, "pid": pid}
            f.write(json.dumps(row) + "\n")
    return path


def server_times(access_log: Path, since: float) -> dict:
    """Per endpoint, the time each request spent inside gunicorn (p50/p99 ms), from its access log."""
    times: dict[str, list[float]] = {}
    if not access_log.exists():
        return {}
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) != 6:
            continue
        method, path, _status, micros = parts[:4]
        key = f"{method} {path}"
        label = next((name for pattern, name in LABELS if pattern.match(key)), None)
        if label:
            times.setdefault(label, []).append(int(micros) / 1000)
    return {
        k: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p99_ms": round(pct(v, 99), 1)}
        for k, v in times.items()
    }


async def wait_ready(client, base: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get(f"{base}/healthz", timeout=2)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the web server did not start")


def run_load(args, base: str, token: str, plugins: dict, servers: dict[str, int]) -> dict:
    """The virtual users over `--client-processes` processes (forked, each with its own event loop
    and keep-alive clients), so that the clients' own CPU does not queue requests behind each other
    and show up as server latency. Course generators publish their job ids in shared memory for the
    pollers; each process reports its samples, and how late its event loop ran (`loop_lag_ms`).
    `servers` (name -> process group) are the processes whose CPU during the window is reported."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # the children never use the parent's database connection
    ctx = multiprocessing.get_context("fork")
    procs_n = max(1, args.client_processes)
    job_slots = ctx.Array("q", args.courses, lock=False)  # a course's job id once requested, else 0
    # every process's clients connected (and this one ready to read the CPU) before the window opens
    barrier = ctx.Barrier(procs_n + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_client_process,
            args=(index, procs_n, args, base, token, plugins, job_slots, barrier, results),
            daemon=True,
        )
        for index in range(procs_n)
    ]
    for proc in procs:
        proc.start()
    try:
        barrier.wait(timeout=300)
        window_start = time.time()
        cpu0 = {name: group_cpu_s(pgid) for name, pgid in servers.items()}
        cpu_series = cpu_over_time(servers, window_start + args.seconds)
        server_cpu = {name: round(group_cpu_s(pgid) - cpu0[name], 1) for name, pgid in servers.items()}
    except Exception:  # a client process died before the window: no CPU figures
        window_start, server_cpu, cpu_series = time.time(), {}, []
    parts = []
    wait = 120 + args.seconds + args.finish_timeout
    for _ in procs:
        try:
            parts.append(results.get(timeout=wait))
        except Exception:  # a client process died: what the others measured is still reported
            break
    for proc in procs:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
    rec, warm_errors, crashed, ends, lags, cpu = Recorder(), 0, set(), {}, [], 0.0
    for part in parts:
        rec.absorb(part["recorder"])
        warm_errors += part["warm_up_errors"]
        crashed.update(part["client_crashes"])
        ends.update(part["course_ends"])
        lags.extend(part["loop_lag_s"])
        cpu += part["cpu_s"]
        plugins["answer_kinds"].update(part["answer_kinds"])
    if len(parts) < procs_n:
        crashed.add(f"{procs_n - len(parts)} client processes did not report")
    lag_ms = [v * 1000 for v in lags]
    return {
        "window_s": args.seconds,
        "endpoints": rec.summary(),
        "slow_over_time": rec.slow_over_time(window_start, SLOW_MS, BUCKET_S),
        "trace": rec.trace(window_start),
        "cpu_over_time": cpu_series,
        "warm_up_errors": warm_errors,
        "client_crashes": sorted(crashed),
        "courses": {
            "requested": args.courses,
            "completed": sum(1 for s, _ in ends.values() if s == "complete"),
            "ended": dict(sorted(ends.items())),
        },
        "job_ids": [j for j in job_slots if j],
        "client_processes": procs_n,
        "cpu_s": server_cpu,
        "client_cpu_s": round(cpu, 1),
        "client_loop_lag_ms": {
            "p50": round(pct(lag_ms, 50), 1),
            "p99": round(pct(lag_ms, 99), 1),
            "max": round(max(lag_ms), 1) if lag_ms else 0.0,
        },
    }


def _client_process(index, procs_n, args, base, token, plugins, job_slots, barrier, results) -> None:
    """One client process: its share of every group of virtual users (user n is process n % N's)."""
    plugins["answer_kinds"].clear()

    def mine(n: int) -> bool:
        return n % procs_n == index

    out = asyncio.run(_clients(index, mine, args, base, token, plugins, job_slots, barrier))
    out["answer_kinds"] = dict(plugins["answer_kinds"])
    results.put(out)


async def _clients(index, mine, args, base, token, plugins, job_slots, barrier) -> dict:
    import httpx

    headers = {"Authorization": f"Token {token}"}
    rec = Recorder()
    tag = tag_requests()
    course_ends: dict[int, tuple[str, float]] = {}
    rng = random.Random(7 + index)
    generators = [n for n in range(args.courses) if mine(n)]
    pollers = [n for n in range(args.pollers) if mine(n)]

    # Every virtual user's client (one keep-alive connection) is made and connected before the
    # window opens: making ~200 clients costs the client process seconds of CPU (TLS contexts),
    # which would otherwise be counted as server latency.
    users = len(generators) + len(pollers) + plugins["users"](mine)
    if args.client == "httpx":
        clients = [
            httpx.AsyncClient(
                headers=headers,
                timeout=30,
                limits=httpx.Limits(max_connections=1),
                event_hooks={"request": [tag]},
            )
            for _ in range(users)
        ]
    else:
        idle = args.keep_alive - 1.0  # the server's keep-alive timeout, less a margin
        clients = [LightClient(headers, timeout=30, tag=BENCH_ID, max_idle=idle) for _ in range(users)]
    handed = iter(clients)

    def take():
        return next(handed)

    async def generator(c, n: int, started: float) -> None:
        body = {"query": QUERIES[n % len(QUERIES)], "hours": args.course_hours, "preferences": PREFERENCES}
        r = await rec.call("POST /api/courses", c.post(f"{base}/api/courses", json=body), 202)
        if r is None:
            return
        course_id, job_slots[n] = r.json()["course_id"], r.json()["job_id"]
        while True:
            await asyncio.sleep(1.0)
            url = f"{base}/api/courses/{course_id}/status"
            r = await rec.call("GET /api/courses/{id}/status", c.get(url), 200, retry=lambda u=url: c.get(u))
            if r is not None and r.json()["status"] in ("complete", "error", "cancelled"):
                course_ends[course_id] = (r.json()["status"], time.monotonic() - started)
                return

    async def poller(c, n: int, stop_at: float, phase: float) -> None:
        await asyncio.sleep(phase)
        while time.monotonic() < stop_at:
            job_ids = [j for j in job_slots if j]
            if job_ids:
                job = job_ids[n % len(job_ids)]
                url = f"{base}/api/jobs/{job}"
                await rec.call("GET /api/jobs/{id}", c.get(url), 200, retry=lambda u=url: c.get(u))
            await asyncio.sleep(args.poll_interval)

    if clients:
        await wait_ready(clients[0], base)
    # warm-up, not recorded: every client connects, every server thread opens its DB connection.
    # /healthz, not a list of courses: that one grows with every course requested (~0.25 s of CPU
    # and ~45,000 objects for the garbage collector at 270 courses), which outlasted the warm-up.
    warm = Recorder()
    for i in range(0, users, 20):
        batch = clients[i : i + 20]
        await asyncio.gather(*(warm.call("warm-up", c.get(f"{base}/healthz"), 200) for c in batch))
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
    started = time.monotonic()
    stop_at = started + args.seconds
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    lag: list[float] = []
    tasks = [asyncio.create_task(generator(take(), n, started)) for n in generators]
    tasks += [
        asyncio.create_task(poller(take(), n, stop_at, rng.uniform(0, args.poll_interval))) for n in pollers
    ]
    tasks += [asyncio.create_task(t) for t in plugins["tasks"](rec, take, base, stop_at, rng, mine)]
    lagging = asyncio.create_task(loop_lag(lag, stop_at))
    done, _pending = await asyncio.wait(tasks, timeout=args.seconds + args.finish_timeout)
    crashed = [repr(t.exception())[:300] for t in done if not t.cancelled() and t.exception()]
    for t in [*tasks, lagging]:
        t.cancel()
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    return {
        "recorder": rec.state(),
        "warm_up_errors": sum(len(v) for v in warm.errors.values()),
        "client_crashes": crashed,
        "course_ends": course_ends,
        "loop_lag_s": lag,
        "cpu_s": cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime,
    }


SLOW_MS = 100  # a request slower than this is counted in the time series, by BUCKET_S slice
BUCKET_S = 5


def cpu_over_time(servers: dict[str, int], until: float) -> list[dict]:
    """Every BUCKET_S s until `until` (wall clock): the CPU s each server group, this stack's
    Postgres and the whole machine (every process, other work included) used in that slice."""
    from docprof import embedded

    postmaster = _postmaster_pid(embedded.PG_DIR)
    series = []
    before, pg_before = _cpu_snapshot(servers), _children_cpu(postmaster)
    while (left := until - time.time()) > 0:
        time.sleep(min(BUCKET_S, left))
        now, pg_now = _cpu_snapshot(servers), _children_cpu(postmaster)
        row = {k: round(now[k] - before[k], 2) for k in now}
        # per backend: one that ended in the slice is left out (its last slice is not counted)
        row["postgres"] = round(sum(v - pg_before.get(pid, 0.0) for pid, v in pg_now.items()), 2)
        series.append(row)
        before, pg_before = now, pg_now
    return series


def _cpu_snapshot(servers: dict[str, int]) -> dict[str, float]:
    snap = {name: group_cpu_s(pgid) for name, pgid in servers.items()}
    with open("/proc/stat") as f:  # the machine, all cores: user nice system idle iowait irq ...
        fields = [int(v) for v in f.readline().split()[1:]]
    snap["machine"] = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    return snap


def _postmaster_pid(pg_dir: Path) -> int | None:
    try:
        return int((pg_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _children_cpu(parent: int | None) -> dict[int, float]:
    """CPU seconds so far of `parent` and its child processes (the embedded Postgres's backends),
    by pid; Postgres servers of other work on the machine are not counted."""
    if parent is None:
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == parent or int(fields[1]) == parent:
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def forget_earlier_runs(user) -> int:
    """Delete the courses (and their jobs) that earlier runs requested, so that every run starts
    from the same database (the course whose lectures the readers read is kept)."""
    from courses.models import Course
    from workers.models import GenerationJob

    earlier = Course.objects.filter(owner=user).exclude(preferences__notes=LECTURES_MARK)
    job_ids = [j for j in earlier.values_list("job_id", flat=True) if j]
    count = earlier.count()
    earlier.delete()
    GenerationJob.objects.filter(pk__in=job_ids).delete()
    return count


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def throughput(job_ids: list[int], window_s: float) -> dict:
    from workers.models import GenerationJob

    jobs = list(GenerationJob.objects.filter(pk__in=job_ids))
    done = [j for j in jobs if j.status == GenerationJob.Status.COMPLETE and j.finished_at and j.created_at]
    spans = sorted((j.finished_at - j.created_at).total_seconds() for j in done)
    steps = sum(len([k for k in (j.state or {}) if ":" not in k]) for j in jobs)
    if not done:
        return {"courses_complete": 0}
    first = min(j.created_at for j in done)
    last = max(j.finished_at for j in done)
    busy = (last - first).total_seconds() or 1.0
    return {
        "courses_complete": len(done),
        "course_seconds_p50": spans[len(spans) // 2],
        "course_seconds_max": spans[-1],
        "first_request_to_last_course_s": round(busy, 1),
        "courses_per_minute": round(len(done) / busy * 60, 1),
        "job_steps_per_minute": round(steps / busy * 60, 1),
        "worker_processes": 2,
        "threads_per_worker": 4,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    # One bench user stands for many learners: its per-user rates (lectures, questions) are lifted.
    media = setup_django(
        DB_NAME,
        REDIS_DB,
        DOCPROF_LLM="none",
        DOCPROF_LECTURE_RATE="100000/hour",
        DOCPROF_QA_RATE="100000/minute",
    )
    from rest_framework.authtoken.models import Token

    from workers.tests.support.stack import Stack

    user = user_with_books("bench-load")
    token, _ = Token.objects.get_or_create(user=user)
    plugins = readers_and_askers(user, args)
    forgotten = forget_earlier_runs(user)
    if forgotten:
        log(f"deleted {forgotten} courses earlier runs requested")
    for line in plugins["notes"]:
        log(line)
    flush_redis()
    stack = Stack(dict(os.environ), media.parent / "load-logs")
    port = free_port()
    access_log = stack.logdir / "access.log"
    access_log.unlink(missing_ok=True)
    try:
        command = web_command(port, args.web_workers, access_log)
        args.keep_alive = keep_alive_s(command)
        stack.start("web", command)
        stack.start_worker("w1", concurrency=4)
        stack.start_worker("w2", concurrency=4)
        log(f"{args.pollers} pollers, {args.courses} courses, {args.readers} readers, {args.askers} askers")
        servers = {name: stack.running[name].pid for name in ("web", "w1", "w2")}
        result = run_load(args, f"http://127.0.0.1:{port}", token.key, plugins, servers)
    finally:
        stack.stop_all()
        flush_redis()
    result["workers"] = throughput(result.pop("job_ids"), args.seconds)
    result["server_side"] = server_times(access_log, 0)
    result["trace_file"] = str(write_trace(result.pop("trace"), access_log))
    result["not_run"] = plugins["notes"]
    result["answers"] = dict(sorted(plugins["answer_kinds"].items()))
    report(args, result)
    return 0


TARGETS = {"GET /api/jobs/{id}": 30, "GET /api/sections/{id}/lecture": 30}
SHORT = {
    "GET /api/jobs/{id}": "jobs",
    "GET /api/courses/{id}/status": "course st",
    "POST /api/courses": "POST course",
    "GET /api/sections/{id}/lecture": "lecture",
    "POST /api/sections/{id}/questions": "questions",
}


def print_timeline(result: dict) -> None:
    """Requests slower than SLOW_MS (at the client) and CPU used, by BUCKET_S s slice of the window."""
    slow, cpu = result.get("slow_over_time", {}), result.get("cpu_over_time", [])
    if not cpu:
        return
    labels = [k for k in SHORT if k in slow]
    cpu_keys = list(cpu[0])
    print(f"  by {BUCKET_S} s slice: requests slower than {SLOW_MS} ms (client), and CPU s used")
    print(
        "    "
        + f"{'t s':>5s} "
        + " ".join(f"{SHORT[k]:>11s}" for k in labels)
        + " |"
        + " ".join(f"{k:>8s}" for k in cpu_keys)
    )
    for i, row in enumerate(cpu):
        t = i * BUCKET_S
        counts = " ".join(f"{slow[k].get(t, 0):>11d}" for k in labels)
        print(f"    {t:>5d} {counts} |" + " ".join(f"{row[k]:>8.2f}" for k in cpu_keys))


def report(args, result: dict) -> None:
    print()
    head = ("requests", 9), ("errors", 7), ("p50 ms", 8), ("p95 ms", 8), ("p99 ms", 8), ("target", 10)
    print(f"{'endpoint':34s} " + " ".join(f"{h:>{w}s}" for h, w in head))
    errors = 0
    for name, s in result["endpoints"].items():
        errors += s["errors"]
        target = f"p99 <= {TARGETS[name]}" if name in TARGETS else ""
        print(
            f"{name:34s} {s['n']:>9d} {s['errors']:>7d} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} "
            f"{s['p99_ms']:>8.1f} {target:>10s}"
        )
    for name, s in result["server_side"].items():
        print(f"  inside the server, {name}: p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms ({s['n']} requests)")
    reconnects = {k: s["reconnects"] for k, s in result["endpoints"].items() if s.get("reconnects")}
    if reconnects:
        print(f"  keep-alive connections closed by the server as a GET went out, retried once: {reconnects}")
    if result.get("answers"):
        print(f"  answers to the askers' questions, by kind: {result['answers']}")
    for note in result["not_run"]:
        print(f"  not run: {note}")
    served = sum(s["n"] for s in result["endpoints"].values())
    cpu = result.get("cpu_s", {})
    if cpu.get("web") is not None and served:
        print(
            f"  CPU during the window: web server {cpu['web']} s "
            f"({cpu['web'] / served * 1000:.2f} ms per request), workers {cpu.get('w1')} + {cpu.get('w2')} s"
        )
    print_timeline(result)
    print(f"  every request, client and server times joined: {result['trace_file']}")
    lag = result["client_loop_lag_ms"]
    print(
        f"  clients: {result['client_processes']} processes, {result['client_cpu_s']} s CPU; event loops "
        f"late by p50 {lag['p50']} / p99 {lag['p99']} / max {lag['max']} ms (in the client latencies)"
    )
    c, w = result["courses"], result["workers"]
    print(
        f"courses complete: {c['completed']}/{c['requested']}  (target: all)   errors: {errors} (target: 0)"
    )
    print(f"workers (2 processes x 4 threads): {w}")
    targets_met = (
        errors == 0
        and c["completed"] == c["requested"]
        and all(result["endpoints"].get(k, {}).get("p99_ms", 0) <= v for k, v in TARGETS.items())
    )
    result["targets_met"] = targets_met
    result["errors"] = errors
    print(f"targets met: {targets_met}")
    print()
    emit("load", {"args": vars(args), **result})


if __name__ == "__main__":
    sys.exit(main())
