"""Lecture benchmark: offline writing time, streaming with a fake model, single-flight, cached reads.

    .venv/bin/python bench/lectures.py [--latency 1.0] [--objectives 4] [--learners 200]
                                       [--reads 200] [--readers 50] [--parts offline,model,flight,reads]

Its own database (docprof_bench_lectures, created and migrated with the product's migrations; the
three sample books are ingested once, shared; bench/common.py) and its own Redis DB (12). DEBUG off.

- offline: a 30-minute lecture (150 words/min, 4 objectives) written by the offline writer: the
  whole job run in this process (passages, segments, finish, store); target <= 1 s.
- model: the model writer over a scripted fake model of latency L per call (lectures/tests/support.py),
  O objectives written concurrently: wall time from the job's start to the stored lecture (target
  <= 1.3 x 2L: one round of objective calls, one finishing call) and time to the first segment
  visible through the API's payload function (target <= 1.2 L).
- flight: `--learners` learners, each with their own course whose section has the same content over
  the shared books, send GET /api/sections/{id}/lecture at once to a gunicorn server on loopback;
  counts Lecture versions, lecture jobs and (after the job has run) ledger rows: exactly one
  generation, O + 1 model calls.
- reads: the cached lecture GET (a learner with a delivery): 200 sequential requests, then 50
  concurrent readers (each its own learner, one GET every --read-interval s, like the pipeline
  benchmark's pollers): p50/p95/p99; target p99 <= 20 ms.

- shared (issue 9): `--shared-learners` (100) learners enrolled in one published 6-section course
  each open every section, once with the offline writer and once with the scripted model of latency
  L. In this process through the real URL/middleware/view stack (DRF's APIClient, no sockets): the
  first learner to open a section starts its one generation, which is run here as a worker would;
  every other delivery must come from the cache. Counts lecture jobs and ledger rows (generations
  = 6 exactly; ledger rows = 6 x (objectives + 1) with the model, 0 offline), the cache hit rate
  (target >= 99%), and the p99 of the cached lecture GETs (target <= 20 ms).

Prints a table and, last, one JSON line with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import log, setup_django, user_with_books  # noqa: E402
from pipeline import Processes, free_port, ms_summary, start_web  # noqa: E402

DB_NAME = "docprof_bench_lectures"
REDIS_DB = 12
BOOKS = ("valuing-a-business.md", "time-value-of-money.txt", "accounting-for-analysts.html")
OBJECTIVES = [
    "Define free cash flow to the firm",
    "Explain the weighted average cost of capital",
    "Calculate a terminal value with the Gordon growth formula",
    "Describe the equity bridge from enterprise value to value per share",
    "Explain why price and value differ",
    "Compare FCFF and FCFE",
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--latency", type=float, default=1.0, help="seconds per fake model call (L)")
    p.add_argument("--objectives", type=int, default=4, help="objectives of the model-written lecture (O)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--learners", type=int, default=200)
    p.add_argument("--reads", type=int, default=200)
    p.add_argument("--readers", type=int, default=50)
    p.add_argument("--reads-per-reader", type=int, default=20)
    p.add_argument("--read-interval", type=float, default=1.0, help="seconds between one reader's GETs")
    p.add_argument("--shared-learners", type=int, default=100)
    p.add_argument("--parts", default="offline,model,flight,reads,shared")
    return p.parse_args(argv)


def setup(args):
    """The bench's own database and Redis DB (the scripted model for the web process, through the
    environment), the sample books shared by their owner: (its media directory, the owner)."""
    media = setup_django(
        DB_NAME,
        REDIS_DB,
        DOCPROF_TEST_LECTURE_LLM=f"scripted:{args.latency}",  # DOCPROF_TESTING lets the web process use it
        DOCPROF_LECTURE_RATE="1000000/hour",
        DOCPROF_LECTURE_CONCURRENCY=str(max(6, args.objectives)),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",  # testserver: in-process requests
    )
    return media, user_with_books("bench-lectures-owner", BOOKS, shared=True)


def reset():
    """Every run starts without lectures (so the first request really generates) and a clean Redis."""
    from docprof.redis_client import get_redis
    from lectures.models import Lecture, SectionDelivery

    SectionDelivery.objects.all().delete()
    Lecture.objects.all().delete()
    get_redis().flushdb()


def make_section(user, objectives, minutes, title="Valuing a business by its cash flows"):
    from courses.models import Course, CourseSection
    from library.models import Chunk

    course = Course.objects.create(
        owner=user,
        title="DCF valuation",
        original_query="Learn DCF valuation",
        requested_hours="2",
        status=Course.Status.READY,
        preferences={"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150},
    )
    part = CourseSection.objects.create(
        course=course, order_index=0, title="Valuation", estimated_minutes=minutes
    )
    sources = list(
        Chunk.objects.filter(book__title__startswith="Valuing")
        .order_by("ordinal")
        .values_list("id", flat=True)[:8]
    )
    return CourseSection.objects.create(
        course=course,
        parent_section=part,
        order_index=0,
        title=title,
        learning_objectives=list(objectives),
        estimated_minutes=minutes,
        source_chunk_ids=sources,
    )


# --- shared course (issue 9) -------------------------------------------------------------------
SHARED_SECTIONS = [
    ("Free cash flow", ["Define free cash flow to the firm", "Compare FCFF and FCFE"]),
    ("The cost of capital", ["Explain the weighted average cost of capital"]),
    ("Terminal value", ["Calculate a terminal value with the Gordon growth formula"]),
    (
        "From enterprise value to equity",
        ["Describe the equity bridge from enterprise value to value per share"],
    ),
    ("Price and value", ["Explain why price and value differ"]),
    (
        "Discounting",
        ["Explain discounting of future cash flows", "Describe the present value of a cash flow"],
    ),
]


def bench_shared(owner, args, writer: str) -> dict:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from courses import sharing
    from courses.models import Course, CourseSection
    from docprof.ai.models import LLMCall
    from lectures import writing
    from lectures.models import Lecture, SectionDelivery
    from lectures.tests.support import ScriptedLectureLLM
    from library.models import Chunk
    from workers import engine
    from workers.models import GenerationJob

    reset()
    llm = ScriptedLectureLLM(latency=args.latency) if writer == "model" else None
    writing.current_llm = lambda: llm
    prefs = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150}
    course = Course.objects.create(
        owner=owner, title=f"Shared DCF ({writer})", original_query="Learn DCF valuation",
        requested_hours="1", status=Course.Status.READY, preferences=prefs,
    )  # fmt: skip
    part = CourseSection.objects.create(course=course, order_index=0, title="Valuation", estimated_minutes=60)
    chunks = list(
        Chunk.objects.filter(book__title__startswith="Valuing")
        .order_by("ordinal")
        .values_list("id", flat=True)
    )
    sections = [
        CourseSection.objects.create(
            course=course, parent_section=part, order_index=i, title=title, learning_objectives=objectives,
            estimated_minutes=5, source_chunk_ids=chunks[i * 4 : i * 4 + 4],
        )
        for i, (title, objectives) in enumerate(SHARED_SECTIONS)
    ]  # fmt: skip
    sharing.publish(course)
    users = [
        get_user_model().objects.get_or_create(username=f"bench-shared-{i}")[0]
        for i in range(args.shared_learners)
    ]
    jobs_before = set(GenerationJob.objects.filter(kind="lecture").values_list("id", flat=True))
    served, cached_latencies, returning, codes = 0, [], [], {}
    t0 = time.perf_counter()
    for user in users:
        client = APIClient()
        client.force_authenticate(user)
        assert client.post(f"/api/courses/{course.pk}/enrol").status_code == 201
        for section in sections:
            url = f"/api/sections/{section.pk}/lecture"
            t = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - t
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            if response.status_code == 202:  # the first learner of this section: run its one job
                engine.run_inline(response.json()["job_id"])
                response = client.get(url)
            assert response.status_code == 200, response.content[:200]
            served += 1
            if response.json()["was_cached"]:
                cached_latencies.append(elapsed)
        # and once more, as a learner coming back to the section (the one-query path)
        t = time.perf_counter()
        assert client.get(f"/api/sections/{sections[0].pk}/lecture").status_code == 200
        returning.append(time.perf_counter() - t)
    wall = time.perf_counter() - t0
    new_jobs = GenerationJob.objects.filter(kind="lecture").exclude(id__in=jobs_before)
    ledger = LLMCall.objects.filter(job_id__in=new_jobs.values_list("id", flat=True))
    deliveries = SectionDelivery.objects.filter(section__course=course)
    hits = deliveries.filter(was_cached=True).count()
    expected_calls = sum(len(o) + 1 for _, o in SHARED_SECTIONS) if writer == "model" else 0
    summary = ms_summary(cached_latencies)  # a learner's first GET of a section, served from the cache
    again = ms_summary(returning)  # a learner's GET of a section they already have
    return {
        "writer": writer,
        "learners": len(users),
        "sections": len(sections),
        "deliveries": deliveries.count(),
        "generations_jobs": new_jobs.count(),
        "lecture_versions": Lecture.objects.count(),
        "ledger_rows": ledger.count(),
        "expected_ledger_rows": expected_calls,
        "cache_hit_rate": round(hits / deliveries.count(), 4),
        "first_get_codes": {str(k): v for k, v in sorted(codes.items())},
        "cached_get": summary,
        "returning_get": again,
        "wall_s": round(wall, 1),
        "ok": new_jobs.count() == len(sections)
        and ledger.count() == expected_calls
        and hits / deliveries.count() >= 0.99
        and summary["p99_ms"] <= 20,
    }


# --- offline ----------------------------------------------------------------------------------
def bench_offline(owner, args) -> dict:
    from lectures import services, writing
    from lectures.models import Lecture
    from workers import engine

    writing.current_llm = lambda: None
    times, words = [], []
    for run in range(args.runs):
        reset()
        section = make_section(owner, OBJECTIVES[run % 3 : run % 3 + 4], 30, title=f"DCF, run {run}")
        opened = services.open_section(section, owner)
        started = time.perf_counter()
        engine.run_inline(opened.lecture.job_id)
        times.append(time.perf_counter() - started)
        lecture = Lecture.objects.get(pk=opened.lecture.pk)
        assert lecture.status == "ready", lecture.error
        words.append(lecture.word_count)
    result = {"runs": len(times), "max_s": round(max(times), 3), "mean_s": round(sum(times) / len(times), 3)}
    result.update(words=words, target_words=30 * 150, ok=max(times) <= 1.0)
    return result


# --- model ------------------------------------------------------------------------------------
def bench_model(owner, args) -> dict:
    from lectures import services, writing
    from lectures.models import Lecture
    from lectures.payloads import lecture_data
    from lectures.tests.support import ScriptedLectureLLM
    from workers import engine

    L, objectives_count = args.latency, args.objectives
    runs = []
    for run in range(args.runs):
        reset()
        llm = ScriptedLectureLLM(latency=L)
        writing.current_llm = lambda llm=llm: llm
        objectives = [f"{o} (run {run})" for o in (OBJECTIVES * 2)[:objectives_count]]
        section = make_section(owner, objectives, 10, title=f"Streaming run {run}")
        opened = services.open_section(section, owner)
        lecture = Lecture.objects.get(pk=opened.lecture.pk)
        started = time.perf_counter()
        worker = threading.Thread(target=engine.run_inline, args=(lecture.job_id,))
        worker.start()
        first = None
        while worker.is_alive() and first is None:  # what the API reads: the job's checkpointed segments
            if engine.items(lecture.job_id, "segments"):
                first = time.perf_counter() - started
            time.sleep(0.01)
        shown = lecture_data(Lecture.objects.select_related("job").get(pk=lecture.pk))
        assert shown["segments"], "the API payload does not show the checkpointed segment"
        worker.join()
        wall = time.perf_counter() - started
        lecture.refresh_from_db()
        assert lecture.status == "ready", lecture.error
        runs.append(
            {"wall_s": round(wall, 3), "first_segment_s": round(first or wall, 3), "calls": len(llm.calls)}
        )
    worst_wall = max(r["wall_s"] for r in runs)
    worst_first = max(r["first_segment_s"] for r in runs)
    return {
        "latency_s": L,
        "objectives": objectives_count,
        "runs": runs,
        "wall_max_s": worst_wall,
        "wall_target_s": round(1.3 * 2 * L, 3),
        "first_segment_max_s": worst_first,
        "first_segment_target_s": round(1.2 * L, 3),
        "ok": worst_wall <= 1.3 * 2 * L and worst_first <= 1.2 * L,
    }


# --- flight and reads -------------------------------------------------------------------------
def learners(n: int) -> list[tuple]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    out = []
    for i in range(n):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-learner-{i}")
        out.append((user, Token.objects.get_or_create(user=user)[0].key))
    return out


def bench_flight(args, base: str, people) -> dict:
    import httpx

    from docprof.ai.models import LLMCall
    from lectures import writing
    from lectures.models import Lecture
    from lectures.tests.support import ScriptedLectureLLM
    from workers import engine
    from workers.models import GenerationJob

    reset()
    objectives = (OBJECTIVES * 2)[: args.objectives]
    sections = [make_section(user, objectives, 10, title="Shared section") for user, _ in people]
    jobs_before = GenerationJob.objects.filter(kind="lecture").count()
    barrier = threading.Barrier(len(people))
    codes, latencies = [None] * len(people), [0.0] * len(people)

    def ask(i):
        with httpx.Client(headers={"Authorization": f"Token {people[i][1]}"}, timeout=120) as client:
            barrier.wait()
            t = time.perf_counter()
            codes[i] = client.get(f"{base}/api/sections/{sections[i].pk}/lecture").status_code
            latencies[i] = time.perf_counter() - t

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(people))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = Lecture.objects.count()
    new_jobs = GenerationJob.objects.filter(kind="lecture").count() - jobs_before
    lecture = Lecture.objects.get()
    # Write it (in this process, with the same scripted model the web process keyed it with).
    llm = ScriptedLectureLLM(latency=args.latency)
    writing.current_llm = lambda: llm
    engine.run_inline(lecture.job_id)
    ledger = LLMCall.objects.filter(job_id=lecture.job_id)
    after = []
    for (_, token), section in zip(people, sections, strict=True):
        with httpx.Client(headers={"Authorization": f"Token {token}"}, timeout=60) as client:
            after.append(client.get(f"{base}/api/sections/{section.pk}/lecture").json())
    return {
        "learners": len(people),
        "burst_s": round(max(latencies), 2),  # from the barrier to the last answer
        "request_latency": ms_summary(latencies),
        "status_codes": {str(c): codes.count(c) for c in sorted(set(codes))},
        "lecture_versions": versions,
        "lecture_jobs": new_jobs,
        "ledger_rows": ledger.count(),
        "ledger_paid_calls": ledger.filter(outcome="ok").count(),
        "expected_calls": args.objectives + 1,
        "delivered_after": sum(1 for a in after if "delivery_id" in a),
        "was_cached": sum(1 for a in after if a.get("was_cached")),
        "ok": versions == 1 and new_jobs == 1 and ledger.filter(outcome="ok").count() == args.objectives + 1,
    }


def bench_reads(args, base: str, people) -> dict:
    import httpx

    from lectures.models import SectionDelivery

    delivered = {d.user_id: d.section_id for d in SectionDelivery.objects.filter(is_current=True)}
    readers = [(token, delivered[user.pk]) for user, token in people if user.pk in delivered]
    token, section = readers[0]
    sequential = []
    with httpx.Client(headers={"Authorization": f"Token {token}"}) as client:
        for _ in range(10):  # warm-up (connections, first queries)
            client.get(f"{base}/api/sections/{section}/lecture")
        for _ in range(args.reads):
            t = time.perf_counter()
            assert client.get(f"{base}/api/sections/{section}/lecture").status_code == 200
            sequential.append(time.perf_counter() - t)
    concurrent, lock = [], threading.Lock()
    barrier = threading.Barrier(min(args.readers, len(readers)))

    def read(token, section):
        """One reader: opens its lecture every --read-interval s (a learner's page, a client polling)."""
        mine = []
        with httpx.Client(headers={"Authorization": f"Token {token}"}) as client:
            client.get(f"{base}/api/sections/{section}/lecture")
            barrier.wait()
            time.sleep(random.uniform(0, args.read_interval))  # readers do not arrive in lockstep
            for _ in range(args.reads_per_reader):
                t = time.perf_counter()
                assert client.get(f"{base}/api/sections/{section}/lecture").status_code == 200
                mine.append(time.perf_counter() - t)
                time.sleep(max(0.0, args.read_interval - (time.perf_counter() - t)))
        with lock:
            concurrent.extend(mine)

    threads = [threading.Thread(target=read, args=r) for r in readers[: args.readers]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seq, conc = ms_summary(sequential), ms_summary(concurrent)
    return {
        "sequential": seq,
        "concurrent": {**conc, "readers": len(threads)},
        "ok": max(seq["p99_ms"], conc["p99_ms"]) <= 20,
    }


def main(argv=None) -> None:
    args = parse_args(argv)
    parts = set(args.parts.split(","))
    media, owner = setup(args)
    results = {}
    if "offline" in parts:
        log("offline writer, 30-minute lecture …")
        results["offline_30min"] = bench_offline(owner, args)
    if "model" in parts:
        log(f"model writer over a fake model of latency {args.latency}s, {args.objectives} objectives …")
        results["model_streaming"] = bench_model(owner, args)
    if "shared" in parts:
        for writer in ("offline", "model"):
            log(f"{args.shared_learners} learners x 6 sections of one published course ({writer} writer) …")
            results[f"shared_{writer}"] = bench_shared(owner, args, writer)
    if parts & {"flight", "reads"}:
        logdir = media.parent / "lectures-logs"
        logdir.mkdir(exist_ok=True)
        procs = Processes(logdir)
        try:
            base = start_web(procs, free_port())
            people = learners(args.learners)
            wait_ready(base, people[0][1])
            log(f"{args.learners} concurrent first requests for one uncached section …")
            results["single_flight"] = bench_flight(args, base, people)
            if "reads" in parts:
                log("cached lecture GETs …")
                results["cached_reads"] = bench_reads(args, base, people)
        finally:
            procs.stop_all()
    results["machine"] = {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}
    print_table(results)
    print(f"(machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)")
    print(json.dumps(results, default=str))


def wait_ready(base: str, token: str, timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(f"{base}/api/courses", headers={"Authorization": f"Token {token}"}).status_code
                == 200
            ):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the web server did not start")


def print_table(results: dict) -> None:
    rows = []
    if "offline_30min" in results:
        r = results["offline_30min"]
        rows.append(("offline 30-min lecture (max of runs)", f"{r['max_s']} s", "<= 1 s", r["ok"]))
    if "model_streaming" in results:
        r = results["model_streaming"]
        rows.append(
            (
                f"fake model L={r['latency_s']}s O={r['objectives']}: wall",
                f"{r['wall_max_s']} s",
                f"<= {r['wall_target_s']} s",
                r["wall_max_s"] <= r["wall_target_s"],
            )
        )
        rows.append(
            (
                "  time to first segment",
                f"{r['first_segment_max_s']} s",
                f"<= {r['first_segment_target_s']} s",
                r["first_segment_max_s"] <= r["first_segment_target_s"],
            )
        )
    if "single_flight" in results:
        r = results["single_flight"]
        rows.append(
            (
                f"{r['learners']} concurrent first requests",
                f"{r['lecture_versions']} version, {r['lecture_jobs']} job, "
                f"{r['ledger_paid_calls']} paid calls",
                f"1, 1, {r['expected_calls']}",
                r["ok"],
            )
        )
    if "cached_reads" in results:
        r = results["cached_reads"]
        rows.append(
            (
                "cached GET p99, sequential",
                f"{r['sequential']['p99_ms']} ms",
                "<= 20 ms",
                r["sequential"]["p99_ms"] <= 20,
            )
        )
        rows.append(
            (
                f"cached GET p99, {r['concurrent']['readers']} readers",
                f"{r['concurrent']['p99_ms']} ms",
                "<= 20 ms",
                r["concurrent"]["p99_ms"] <= 20,
            )
        )
    for writer in ("offline", "model"):
        r = results.get(f"shared_{writer}")
        if r:
            rows.append(
                (
                    f"shared course, {r['learners']}x{r['sections']} ({writer}): generations",
                    f"{r['generations_jobs']} jobs, {r['ledger_rows']} ledger rows",
                    f"{r['sections']}, {r['expected_ledger_rows']}",
                    r["generations_jobs"] == r["sections"] and r["ledger_rows"] == r["expected_ledger_rows"],
                )
            )
            rows.append(
                ("  cache hit rate", f"{r['cache_hit_rate']:.2%}", ">= 99%", r["cache_hit_rate"] >= 0.99)
            )
            first, back = r["cached_get"]["p99_ms"], r["returning_get"]["p99_ms"]
            rows.append(
                ("  first GET from the cache (new delivery), p99", f"{first} ms", "<= 20 ms", first <= 20)
            )
            rows.append(("  returning GET (delivered), p99", f"{back} ms", "<= 20 ms", back <= 20))
    for name, value, target, ok in rows:
        print(f"{name:<46} {value:>34}  target {target:<12} {'ok' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
