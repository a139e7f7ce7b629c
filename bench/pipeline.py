"""Course pipeline benchmark: one course against its critical path, API latencies, 20 courses at once.

    .venv/bin/python bench/pipeline.py [--latency 0.3] [--hours 6] [--runs 3] [--courses 20]
                                       [--pollers 50] [--poll-seconds 10] [--poll-interval 1.0]
                                       [--posts 200] [--concurrency 8]

Everything runs for real on loopback: a Celery worker process (thread pool, `--concurrency`) and a
gunicorn server on 127.0.0.1, over the embedded Redis (its own DB number, 13) and its own database,
docprof_bench_pipeline (created and migrated with the product's migrations; two sample books are
ingested once; bench/common.py; the worker's and server's logs in var/bench-media/pipeline-logs/).
Planning uses the offline planner behind a fake model of fixed latency L: generating the parts,
expanding each part and reviewing the outline each make one model call of L seconds through the
real LLM seam and ledger (courses/tests/support/scripted.py, selected with DOCPROF_PLANNER in the
worker). Embedding uses the product's embedder (hashing: no model call).

Measured:
- one course, request to `complete`, against its critical path 3·L (parts, one expansion, review;
  the parts are expanded concurrently); target ≤ 1.25×; a sequential design takes (P+3)·L;
- `N` courses requested at once, completed by one worker node: total time, all complete?;
- `GET /api/courses/{id}/status` latency with 50 concurrent pollers (each every --poll-interval s);
- `POST /api/courses` latency (one client, the worker stopped so it measures the web process).

Prints a table and, last, one JSON line with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, flush_redis, log, setup_django, user_with_books  # noqa: E402

DB_NAME = "docprof_bench_pipeline"
REDIS_DB = 13
QUERY = "Learn DCF valuation"
PREFERENCES = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--latency", type=float, default=0.3, help="seconds per fake model call (L)")
    p.add_argument(
        "--planner",
        choices=["fake-model", "slow-offline"],
        default="fake-model",
        help="fake-model: the model planner over a scripted model of latency L; slow-offline: the offline "
        "planner (its own CPU work is on the critical path too) behind a sleep of L per step",
    )
    p.add_argument("--hours", type=float, default=6.0, help="course length (6 h -> 4 parts)")
    p.add_argument("--runs", type=int, default=3, help="single-course runs")
    p.add_argument("--courses", type=int, default=20, help="courses requested at once")
    p.add_argument("--pollers", type=int, default=50)
    p.add_argument("--poll-seconds", type=float, default=10.0)
    p.add_argument("--poll-warmup", type=float, default=3.0, help="seconds of polling not recorded")
    p.add_argument("--poll-interval", type=float, default=1.0, help="seconds between one poller's requests")
    p.add_argument("--posts", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=8, help="worker threads")
    return p.parse_args(argv)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def ms_summary(seconds: list[float]) -> dict:
    v = [s * 1000 for s in seconds]
    return {
        "n": len(v),
        "p50_ms": round(pct(v, 50), 1),
        "p95_ms": round(pct(v, 95), 1),
        "p99_ms": round(pct(v, 99), 1),
        "max_ms": round(max(v), 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# Setup


def setup(args) -> tuple[Path, str]:
    """The bench's own database and Redis DB, the scripted planner for the worker (through the
    environment), the sample books: (its media directory, the bench user's API token)."""
    media = setup_django(
        DB_NAME,
        REDIS_DB,
        DOCPROF_PLANNER="courses.tests.support.scripted.from_env",
        DOCPROF_TEST_PLANNER=f"{args.planner}:{args.latency}",
    )
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user_with_books("bench-pipeline"))
    return media, token.key


class Processes:
    """Child processes in their own process groups, stopped at exit."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        out = open(self.logdir / f"{name}.log", "w")  # noqa: SIM115 (kept open for the child)
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = proc
        return proc

    def stop(self, name: str) -> None:
        proc = self.running.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def start_worker(procs: Processes, concurrency: int) -> None:
    from workers.testing import celery_worker_command

    procs.start("worker", celery_worker_command(pool="threads", concurrency=concurrency))


def start_web(procs: Processes, port: int) -> str:
    procs.start(
        "web",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "docprof.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("BENCH_WEB_WORKERS", "2"),
            "--worker-class",
            "gthread",
            "--threads",
            os.environ.get("BENCH_WEB_THREADS", "16"),
            "--log-level",
            "warning",
        ],
    )
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------------------------------------
# Measurements


class Api:
    def __init__(self, base: str, token: str):
        self.base = base
        self.headers = {"Authorization": f"Token {token}"}
        self._local = threading.local()

    @property
    def session(self):
        """One keep-alive client per thread, like one browser per poller."""
        import httpx

        if not hasattr(self._local, "session"):
            self._local.session = httpx.Client(headers=self.headers)
        return self._local.session

    def wait_ready(self, timeout: float = 30) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.session.get(f"{self.base}/api/courses", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise SystemExit("the web server did not start")

    def request_course(self, hours: float) -> tuple[dict, float]:
        t0 = time.perf_counter()
        r = self.session.post(
            f"{self.base}/api/courses",
            json={"query": QUERY, "hours": hours, "preferences": PREFERENCES},
            timeout=30,
        )
        elapsed = time.perf_counter() - t0
        if r.status_code != 202:
            raise SystemExit(f"POST /api/courses answered {r.status_code}: {r.text[:300]}")
        return r.json(), elapsed

    def status(self, course_id: int) -> float:
        t0 = time.perf_counter()
        r = self.session.get(f"{self.base}/api/courses/{course_id}/status", timeout=30)
        elapsed = time.perf_counter() - t0
        if r.status_code != 200:
            raise SystemExit(f"status answered {r.status_code}: {r.text[:300]}")
        return elapsed


def wait_jobs(job_ids: list[int], timeout: float) -> dict[int, tuple[str, float]]:
    """Poll the job rows until every job is terminal; return {job_id: (status, seconds)}."""
    from workers.models import GenerationJob

    t0 = time.perf_counter()
    done: dict[int, tuple[str, float]] = {}
    while len(done) < len(job_ids) and time.perf_counter() - t0 < timeout:
        rows = GenerationJob.objects.filter(pk__in=[j for j in job_ids if j not in done])
        for pk, status in rows.values_list("pk", "status"):
            if status in GenerationJob.TERMINAL:
                done[pk] = (status, time.perf_counter() - t0)
        time.sleep(0.01)
    return done


def single_course(api: Api, args) -> dict:
    from workers.models import GenerationJob

    walls, parts = [], set()
    for _ in range(args.runs):
        t0 = time.perf_counter()
        body, _ = api.request_course(args.hours)
        result = wait_jobs([body["job_id"]], timeout=60 + 20 * args.latency)
        wall = time.perf_counter() - t0
        status = result.get(body["job_id"], ("timeout", 0))[0]
        job = GenerationJob.objects.get(pk=body["job_id"])
        if status != "complete":
            raise SystemExit(f"course did not complete: {status} {job.error}")
        parts.add(len(job.state["parts"]["parts"]))
        walls.append(wall)
    p = max(parts)
    critical = 3 * args.latency
    return {
        "parts": p,
        "latency_s": args.latency,
        "wall_s_median": round(statistics.median(walls), 3),
        "wall_s_min": round(min(walls), 3),
        "wall_s_all": [round(w, 3) for w in walls],
        "critical_path_s": round(critical, 3),
        "ratio_to_critical_path": round(statistics.median(walls) / critical, 3),
        "sequential_design_s": round((p + 3) * args.latency, 3),
        "target_ratio": 1.25,
    }


def many_courses(api: Api, args) -> tuple[dict, list[int]]:
    t0 = time.perf_counter()
    bodies = [api.request_course(args.hours)[0] for _ in range(args.courses)]
    result = wait_jobs([b["job_id"] for b in bodies], timeout=120 + args.courses * 10 * args.latency)
    total = time.perf_counter() - t0
    complete = [s for s, _ in result.values() if s == "complete"]
    per_course = [t for _, t in result.values()]
    return (
        {
            "courses": args.courses,
            "completed": len(complete),
            "total_s": round(total, 2),
            "per_course_p50_s": round(statistics.median(per_course), 2) if per_course else None,
            "per_course_max_s": round(max(per_course), 2) if per_course else None,
            "worker_threads": args.concurrency,
        },
        [b["course_id"] for b in bodies],
    )


def status_pollers(api: Api, course_ids: list[int], args) -> dict:
    samples: list[float] = []
    lock = threading.Lock()
    # The first seconds are not recorded: every server thread opens its database connection (and
    # each process starts the embedded-server handle) on its first request -- start-up, not steady state.
    record_from = time.monotonic() + args.poll_warmup
    stop_at = record_from + args.poll_seconds

    def poll(n: int) -> None:
        rng = random.Random(n)
        time.sleep(rng.uniform(0, args.poll_interval))
        mine = []
        while time.monotonic() < stop_at:
            started = time.monotonic()
            elapsed = api.status(course_ids[n % len(course_ids)])
            if started >= record_from:
                mine.append(elapsed)
            if args.poll_interval:
                time.sleep(args.poll_interval)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(args.pollers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "pollers": args.pollers,
        "interval_s": args.poll_interval,
        "requests_per_s": round(len(samples) / args.poll_seconds, 1),
        **ms_summary(samples),
        "target_p99_ms": 15,
    }


def post_latency(api: Api, args) -> tuple[dict, list[int]]:
    samples, ids = [], []
    for _ in range(args.posts):
        body, elapsed = api.request_course(args.hours)
        samples.append(elapsed)
        ids.append(body["course_id"])
    return {**ms_summary(samples), "target_p99_ms": 50}, ids


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    media, token = setup(args)
    flush_redis()
    logdir = media.parent / "pipeline-logs"
    logdir.mkdir(exist_ok=True)
    procs = Processes(logdir)
    results: dict = {}
    try:
        start_worker(procs, args.concurrency)
        api = Api(start_web(procs, free_port()), token)
        api.wait_ready()
        log("warming up (one course)")
        wait_jobs([api.request_course(args.hours)[0]["job_id"]], 60)

        log(f"one course at a time, {args.runs} runs")
        results["single_course"] = single_course(api, args)
        log(f"{args.courses} courses at once")
        results["concurrent_courses"], course_ids = many_courses(api, args)
        log(f"{args.pollers} status pollers for {args.poll_seconds:.0f} s")
        results["status"] = status_pollers(api, course_ids, args)
        procs.stop("worker")
        log(f"{args.posts} course requests (worker stopped)")
        results["post"], posted = post_latency(api, args)
    finally:
        procs.stop_all()
        flush_redis()
    from courses.models import Course

    Course.objects.filter(pk__in=posted).delete()  # requested only to time the API; never generated

    s, c, st, po = (results[k] for k in ("single_course", "concurrent_courses", "status", "post"))
    print()
    print(f"{'measure':44s} {'value':>12s} {'target':>14s}")
    print(f"{'one course, P = ' + str(s['parts']) + ' parts, L = ' + str(s['latency_s']) + ' s':44s}")
    print(f"{'  wall time (median of ' + str(args.runs) + ')':44s} {s['wall_s_median']:>10.3f} s")
    print(f"{'  critical path 3·L':44s} {s['critical_path_s']:>10.3f} s")
    ratio = f"{s['ratio_to_critical_path']:.2f}x"
    print(f"{'  ratio to critical path':44s} {ratio:>12s} {'<= 1.25x':>14s}")
    print(f"{'  a sequential design (P+3)·L':44s} {s['sequential_design_s']:>10.3f} s")
    label = "POST /api/courses p50 / p99"
    print(f"{label:44s} {po['p50_ms']:>5.1f}/{po['p99_ms']:<5.1f}ms {'p99 <= 50 ms':>14s}")
    label = f"status, {st['pollers']} pollers every {st['interval_s']} s, p50 / p99"
    print(f"{label:44s} {st['p50_ms']:>5.1f}/{st['p99_ms']:<5.1f}ms {'p99 <= 15 ms':>14s}")
    label = f"{c['courses']} courses at once, one worker ({c['worker_threads']} threads)"
    done = f"{c['completed']}/{c['courses']} done"
    print(f"{label:44s} {c['total_s']:>10.2f} s {done:>14s}")
    print()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
