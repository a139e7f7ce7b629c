"""Contention inside one web process: cheap GETs from many threads while questions are answered
from a few, all in this process, as in one gunicorn process of `make run` (threads sharing one
interpreter lock). Isolates what the load bench's tail is mostly made of, without the server, the
other process, the workers and the clients.

    .venv/bin/python bench/contention.py [--seconds 25] [--readers 10] [--askers 4] [--ask-gap 0.6]
                                         [--answer-processes 0]

On the load bench's own database (docprof_bench_load, with its course whose lectures are written;
made here if missing) and Redis DB 11. Every reader thread sends a GET (a job status, or every
third one a cached lecture) every 30-90 ms; every asker asks one of the load bench's questions
after a random pause (mean `--ask-gap` s). Prints the GETs' latency (p50/p95/p99, share over
30 ms), the questions' and the CPU used (this process's: not that of the `--answer-processes`
children, which answer the questions as gunicorn's do, qa.answer_pool); last, one JSON line. A
latency bench: run it under `flock /work/bench.lock`, and compare code or settings in runs taken
one after the other.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, setup_django, user_with_books  # noqa: E402
from loadclients import LECTURES_MARK, QUESTIONS, pct, written_sections  # noqa: E402

DB_NAME = "docprof_bench_load"
REDIS_DB = 11


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=25.0)
    p.add_argument("--readers", type=int, default=10)
    p.add_argument("--askers", type=int, default=4)
    p.add_argument("--ask-gap", type=float, default=0.6, help="mean s between an asker's questions")
    p.add_argument("--warm-questions", type=int, default=40, help="asked first, not measured")
    p.add_argument(
        "--answer-processes",
        type=int,
        default=0,
        help="questions answered in this many child processes (qa.answer_pool), as gunicorn's hook "
        "starts them; 0: in the asking thread",
    )
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    rates = {"DOCPROF_LECTURE_RATE": "100000/hour", "DOCPROF_QA_RATE": "100000/minute"}  # one user
    setup_django(DB_NAME, REDIS_DB, DOCPROF_LLM="none", **rates)
    from django.db import connections
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from courses.models import Course
    from docprof.warmup import warm_up
    from qa import answer_pool

    user = user_with_books("bench-load")
    token, _ = Token.objects.get_or_create(user=user)
    sections = written_sections(user)

    def client():
        c = APIClient(SERVER_NAME="127.0.0.1")
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return c

    answer_pool.start(args.answer_processes)  # before the warm questions: they warm its processes
    first = client()
    prefs = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150}
    body = {"query": "Learn DCF valuation", "hours": 2.0, "preferences": prefs}
    job = first.post("/api/courses", body, format="json").json()["job_id"]  # polled, never run
    for i in range(args.warm_questions):
        question = {"question": QUESTIONS[i % len(QUESTIONS)]}
        first.post(f"/api/sections/{sections[i % len(sections)]}/questions", question, format="json")
    warm_up()
    stop = time.monotonic() + args.seconds
    gets: list[float] = []
    asked: list[float] = []

    def reader(n: int) -> None:
        c, rng = client(), random.Random(n)
        while time.monotonic() < stop:
            time.sleep(rng.uniform(0.03, 0.09))
            started = time.perf_counter()
            if n % 3:
                c.get(f"/api/jobs/{job}")
            else:
                c.get(f"/api/sections/{sections[n % len(sections)]}/lecture")
            gets.append((time.perf_counter() - started) * 1000)
        connections.close_all()

    def asker(n: int) -> None:
        c, rng, i = client(), random.Random(100 + n), n
        while time.monotonic() < stop:
            time.sleep(rng.expovariate(1 / args.ask_gap))
            started = time.perf_counter()
            question = {"question": QUESTIONS[i % len(QUESTIONS)]}
            c.post(f"/api/sections/{sections[i % len(sections)]}/questions", question, format="json")
            asked.append((time.perf_counter() - started) * 1000)
            i += 1
        connections.close_all()

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(args.readers)]
    threads += [threading.Thread(target=asker, args=(n,)) for n in range(args.askers)]
    cpu = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = time.process_time() - cpu
    answer_pool.stop()
    Course.objects.filter(owner=user).exclude(preferences__notes=LECTURES_MARK).delete()
    result = {
        "gets": {
            "n": len(gets),
            "p50_ms": round(pct(gets, 50), 1),
            "p95_ms": round(pct(gets, 95), 1),
            "p99_ms": round(pct(gets, 99), 1),
            "over_30ms_share": round(sum(1 for v in gets if v > 30) / max(1, len(gets)), 4),
        },
        "questions": {
            "n": len(asked),
            "p50_ms": round(pct(asked, 50), 1),
            "p99_ms": round(pct(asked, 99), 1),
        },
        "cpu_s": round(cpu, 1),
        "answer_processes": args.answer_processes,
    }
    g, q = result["gets"], result["questions"]
    print(
        f"GETs: {g['n']}, p50 {g['p50_ms']} / p95 {g['p95_ms']} / p99 {g['p99_ms']} ms, "
        f"{g['over_30ms_share']:.1%} over 30 ms; questions: {q['n']}, p50 {q['p50_ms']} / p99 "
        f"{q['p99_ms']} ms; CPU {result['cpu_s']} s"
    )
    emit("contention", {"args": vars(args), **result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
