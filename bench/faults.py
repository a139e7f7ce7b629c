"""Fault runs: courses planned by the model planner and lectures written by the model writer over a
faulty model while the worker is killed at every step and Redis and Postgres restart.

    .venv/bin/python bench/faults.py [--runs 3] [--latency 0.3] [--background 2] [--down 10]
                                     [--timeout 600] [--watchdog-every 15]

Each run, on the embedded stack with its own database (docprof_bench_faults, the two sample books)
and Redis DB 10, with the production clocks (heartbeat 5 s, stale after 30 s, watchdog every 15 s):
- a fake OpenAI-compatible server (docprof/ai/tests/support/fake_openai.py, 127.0.0.1:8120-8129,
  L s per answer) throttles 30% of calls (429), fails 10% (5xx or a timeout past the client's 3 s)
  and answers 5% malformed; the worker uses it as `DOCPROF_LLM=openai` (the model planner);
- a real Celery worker (threads) and beat; `--background` courses are requested first;
- for each step of the course kind and of the lecture kind, a new course (or a lecture of a new
  section) is requested and the worker is SIGKILLed (its whole process group) while it runs the
  step, and started again 1 s later; the next kill waits until the killed jobs run again, so
  each recovery is measured on its own;
- Redis is stopped for `--down` s while a course waits on the model, then Postgres while a
  lecture does;
- every job must end; failed ones are Resumed once, as a person would.

Reported over the runs (workers/tests/support/faults.py computes each run): jobs completed, ended
in error with a message (before and after one Resume), stuck (must be 0), duplicated sections or
lecture versions (0), ledger duplicates (0), answers the provider billed twice against those in
flight at a fault (only those may be re-paid), seconds from a worker's death to its job running
again, and the worker exits nobody asked for (a process manager restarts the worker, as compose
does).
Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SAMPLE_BOOKS, emit, flush_redis, log, setup_django, user_with_books  # noqa: E402

DB_NAME = "docprof_bench_faults"
REDIS_DB = 10


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--latency", type=float, default=0.3, help="seconds per model answer")
    p.add_argument("--background", type=int, default=2, help="courses requested before the faults")
    p.add_argument("--down", type=float, default=10.0, help="seconds Redis and Postgres stay down")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for the jobs to end")
    p.add_argument("--watchdog-every", type=float, default=15.0, help="beat's watchdog period (s)")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def one_run(index: int, args, user, book, logdir: Path) -> dict:
    from django.conf import settings

    from courses.tests.support.faults import course_target
    from docprof.ai.tests.support.fake_openai import FakeOpenAI, Faults
    from lectures.tests.fault_target import lecture_target, model_answer
    from workers.tests.support.faults import FaultRun
    from workers.tests.support.stack import Stack

    faults = Faults(throttle=0.30, error=0.10, malformed=0.05, seed=args.seed * 1000 + index)
    model = FakeOpenAI(model_answer, faults=faults, latency=args.latency, timeout_sleep=4.0).start()
    # This process opens the lectures' sections: they are keyed for the model writer, like the worker's.
    settings.DOCPROF_LLM, settings.DOCPROF_OPENAI_BASE_URL = "openai", model.base_url
    settings.DOCPROF_OPENAI_MODEL, settings.DOCPROF_OPENAI_TIMEOUT = "fake-model", 3.0
    env = {**os.environ, **model.environment(timeout=3.0), "DOCPROF_LLM_RPM": "100000"}
    stack = Stack(env, logdir / f"run-{index}")
    run = FaultRun(stack, model, course_target(user), lecture_target(user, book))
    try:
        run.begin(beat_every=args.watchdog_every)
        for _ in range(args.background):
            run.submit()
        for kind in ("course", "lecture"):
            for step in run.targets[kind].steps:
                log(f"run {index}: kill the worker at step {step} of a {kind}")
                event = run.kill_worker_at(step, kind=kind)
                # one fault at a time: the next kill once the killed jobs run again (or 150 s)
                if event is not None and not run.wait_recovered(event):
                    log(f"run {index}: the jobs killed at {kind}:{step} did not run again within 150 s")
        log(f"run {index}: Redis down {args.down:.0f} s while a course waits on the model")
        run.restart_service("redis", args.down)
        log(f"run {index}: Postgres down {args.down:.0f} s while a lecture waits on the model")
        run.restart_service("postgres", args.down, kind="lecture")
        log(f"run {index}: waiting for {len(run.jobs)} jobs to end")
        run.finish(timeout=args.timeout)
        return run.report()
    finally:
        stack.stop_all()
        model.stop()


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def combine(reports: list[dict]) -> dict:
    total = Counter()
    for r in reports:
        for key in ("jobs", "complete", "error", "cancelled", "errors_before_resume", "resumed", "billed"):
            total[key] += r[key]
        for key in ("re_paid", "in_flight_at_faults", "re_paid_unexplained", "ledger_over_paid"):
            total[key] += r[key]
        total["stuck"] += len(r["stuck"])
        total["duplicates"] += len(r["duplicates"])
        total["ledger_duplicates"] += r["ledger_duplicates"]
        total["leaking_messages"] += len(r["error_messages_leaking"])
        total["errors_without_message"] += len(r["errors_without_message"])
        total["worker_exits"] += len(r["worker_exits"])
        total["kills"] += len(r["kills"])
        total["kills_missed"] += len(r["kills_missed"])
    moved = [s for r in reports for k in r["kills"] for s in k["running_moved_again_s"]]
    queued = [s for r in reports for k in r["kills"] for s in k["queued_moved_again_s"]]
    outages = {}
    for service in ("redis", "postgres"):
        times = [
            s
            for r in reports
            for o in r["outages"]
            if o["service"] == service
            for s in [o["moving_again_s"].get("max")]
        ]
        outages[service] = [t for t in times if t is not None]
    model = Counter()
    for r in reports:
        model.update(r["model"])
    messages = Counter()
    for r in reports:
        messages.update(r["error_messages"])
    by_kind: dict = {}
    for r in reports:
        for kind, counts in r["by_kind"].items():
            by_kind.setdefault(kind, Counter()).update(counts)
    return {
        **dict(total),
        "killed_job_moving_again_s": {
            "n": len(moved),
            "p50": pct(moved, 50),
            "p95": pct(moved, 95),
            "max": max(moved) if moved else None,
            "target_max": 90,
        },
        "queued_at_kill_moving_again_s": {"n": len(queued), "max": max(queued) if queued else None},
        "after_outage_moving_again_max_s": {k: max(v) if v else None for k, v in outages.items()},
        "kill_steps": sorted({f"{k['kind']}:{k['interrupted']}" for r in reports for k in r["kills"]}),
        "model": dict(model),
        "by_kind": {k: dict(v) for k, v in by_kind.items()},
        "error_messages": dict(messages),
        "worker_exit_reasons": sorted({x["reason"][:160] for r in reports for x in r["worker_exits"]}),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    media = setup_django(DB_NAME, REDIS_DB, DOCPROF_LECTURE_RATE="100000/hour")
    user = user_with_books("bench-faults")
    from library.models import Book

    book = Book.objects.filter(owner=user, original_filename=SAMPLE_BOOKS[0]).first()
    flush_redis()
    logdir = media.parent / "faults-logs" / time.strftime("%Y%m%d-%H%M%S")
    started = time.time()
    reports = []
    for index in range(args.runs):
        reports.append(one_run(index, args, user, book, logdir))
        r = reports[-1]
        log(
            f"run {index}: {r['complete']}/{r['jobs']} complete, {r['error']} error, "
            f"{len(r['stuck'])} stuck, {r['re_paid']} re-paid "
            f"({r['in_flight_at_faults']} in flight at faults), {r['seconds']} s"
        )
        flush_redis()
    c = combine(reports)
    k = c["killed_job_moving_again_s"]
    print()
    print(f"{'over ' + str(args.runs) + ' runs':52s} {'value':>10s} {'target':>10s}")
    rows = [
        ("jobs: " + ", ".join(f"{k} {sum(v.values())}" for k, v in c["by_kind"].items()), c["jobs"], ""),
        ("  completed", c["complete"], "all"),
        ("  ended in error (before / after one Resume)", f"{c['errors_before_resume']}/{c['error']}", ""),
        (
            "  errors without a message / leaking hosts",
            f"{c['errors_without_message']}/{c['leaking_messages']}",
            "0/0",
        ),
        ("  stuck", c["stuck"], "0"),
        ("duplicated sections / lecture versions", c["duplicates"], "0"),
        ("ledger duplicates", c["ledger_duplicates"], "0"),
        ("answers billed", c["billed"], ""),
        ("  billed twice / in flight at a fault", f"{c['re_paid']}/{c['in_flight_at_faults']}", ""),
        ("  billed twice, not in flight at a fault", c["re_paid_unexplained"], "0"),
        (
            f"kills ({c['kills']}, missed {c['kills_missed']}): job moving again p50/max s",
            f"{k['p50']}/{k['max']}",
            "<= 90",
        ),
        ("worker exits after a Redis restart (restarted)", c["worker_exits"], "0"),
        (
            "after Redis / Postgres back: moving again (max s)",
            "{redis}/{postgres}".format(**c["after_outage_moving_again_max_s"]),
            "",
        ),
    ]
    for label, value, target in rows:
        print(f"{label:52s} {value!s:>10s} {target:>10s}")
    print()
    emit("faults", {"args": vars(args), "seconds": round(time.time() - started, 1), **c, "runs": reports})
    return 0


if __name__ == "__main__":
    sys.exit(main())
