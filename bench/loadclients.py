"""Clients of bench/load.py: the latency recorder, and the readers of cached lectures and askers of
questions, which plug in when the lectures and Q&A APIs exist (their URL names resolve)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict

import httpx

QUESTIONS = [
    "What is a discount rate?",
    "How is terminal value estimated?",
    "Why is money today worth more than money tomorrow?",
    "What does free cash flow measure?",
]


LECTURES_MARK = "load bench: lectures"  # the notes of the course whose lectures are read
BENCH_ID = "X-Bench-Id"  # sent with every request, logged by the server: joins the two timings


def tag_requests():
    """An httpx request hook giving each request of this process a unique X-Bench-Id."""
    import itertools
    import os

    counter = itertools.count()
    prefix = f"{os.getpid()}-"

    async def hook(request):
        request.headers[BENCH_ID] = f"{prefix}{next(counter)}"

    return hook


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else 0.0


class Recorder:
    """Latency and errors per endpoint label. An error: an unexpected status, or no answer."""

    def __init__(self):
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.started: dict[str, list[float]] = defaultdict(list)  # wall clock, parallel to samples
        self.ids: dict[str, list[str]] = defaultdict(list)  # X-Bench-Id sent ("" if no answer)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.reconnects: dict[str, int] = defaultdict(int)

    async def call(self, label: str, request, expected: int, retry=None):
        """Time one request. `retry` (a GET made again) is used once when the server closed the
        keep-alive connection just as the request went out, as a browser does; it is counted in
        `reconnects`, and the sample is the time of both."""
        started = time.perf_counter()
        self.started[label].append(time.time())
        try:
            try:
                response = await request
            except (httpx.ReadError, httpx.RemoteProtocolError):
                if retry is None:
                    raise
                self.reconnects[label] += 1
                response = await retry()
        except Exception as exc:  # a timeout or a dropped connection is an error too
            self.samples[label].append(time.perf_counter() - started)
            self.ids[label].append("")
            self.errors[label].append(f"{type(exc).__name__}: {exc}"[:200])
            return None
        self.samples[label].append(time.perf_counter() - started)
        self.ids[label].append(response.request.headers.get(BENCH_ID, ""))
        if response.status_code != expected:
            self.errors[label].append(f"HTTP {response.status_code}: {response.text[:200]}")
            return None
        return response

    def state(self) -> dict:
        """What a client process sends back to be merged (`absorb`)."""
        return {
            "samples": dict(self.samples),
            "started": dict(self.started),
            "ids": dict(self.ids),
            "errors": dict(self.errors),
            "reconnects": dict(self.reconnects),
        }

    def absorb(self, state: dict) -> None:
        for label, values in state["samples"].items():
            self.samples[label].extend(values)
        for label, values in state["started"].items():
            self.started[label].extend(values)
        for label, values in state["ids"].items():
            self.ids[label].extend(values)
        for label, values in state["errors"].items():
            self.errors[label].extend(values)
        for label, n in state["reconnects"].items():
            self.reconnects[label] += n

    def trace(self, window_start: float) -> list[tuple[str, float, float, str]]:
        """Every request: label, s after the window opened when sent, ms at the client, X-Bench-Id."""
        return [
            (label, round(sent - window_start, 4), round(took * 1000, 2), rid)
            for label, values in self.samples.items()
            for sent, took, rid in zip(self.started[label], values, self.ids[label], strict=True)
        ]

    def slow_over_time(self, window_start: float, slow_ms: float = 100, bucket_s: float = 5) -> dict:
        """Per endpoint, how many requests took longer than `slow_ms`, by `bucket_s` slice of the
        window (from when each was sent): a burst at the start (the course generations) or spread
        evenly (something the whole window does) tell different causes apart."""
        out = {}
        for label, values in sorted(self.samples.items()):
            counts: dict[int, int] = defaultdict(int)
            for sent, took in zip(self.started[label], values, strict=True):
                if took * 1000 > slow_ms:
                    counts[int((sent - window_start) // bucket_s)] += 1
            out[label] = {int(k * bucket_s): n for k, n in sorted(counts.items())}
        return out

    def summary(self) -> dict:
        out = {}
        for label, values in sorted(self.samples.items()):
            ms = [v * 1000 for v in values]
            out[label] = {
                "n": len(ms),
                "errors": len(self.errors[label]),
                "reconnects": self.reconnects[label],
                "error_examples": sorted(set(self.errors[label]))[:3],
                "p50_ms": round(pct(ms, 50), 1),
                "p95_ms": round(pct(ms, 95), 1),
                "p99_ms": round(pct(ms, 99), 1),
                "max_ms": round(max(ms), 1) if ms else 0.0,
            }
        return out


async def loop_lag(samples: list[float], stop_at: float, every: float = 0.02) -> None:
    """How late this process's event loop wakes a sleeper (s): a client's own CPU backlog, which
    its latencies include and the server's do not."""
    while time.monotonic() < stop_at:
        asked = time.perf_counter()
        await asyncio.sleep(every)
        samples.append(max(0.0, time.perf_counter() - asked - every))


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name, args=[1])
        return True
    except NoReverseMatch:
        return False


def readers_and_askers(user, args) -> dict:
    """Set up what the readers and askers need (a course with written lectures), or say why not."""
    notes, sections = [], []
    want_readers = args.readers > 0 and _has_url("api-section-lecture")
    want_askers = args.askers > 0 and _has_url("api-section-questions")
    if args.readers and not want_readers:
        notes.append(f"{args.readers} readers of cached lectures: the lectures API is not on main yet")
    if args.askers and not want_askers:
        notes.append(f"{args.askers} askers of questions: the Q&A API is not on main yet")
    if want_readers or want_askers:
        sections = written_sections(user)
    kinds: Counter = Counter()  # the askers' answers by kind (library, lecture, not_found, ...)

    def tasks(rec, take, base, stop_at, rng, mine=lambda n: True):
        """This client process's readers and askers (those whose number `mine` accepts)."""
        jobs = []
        if want_readers:
            jobs += [
                reader(
                    take(),
                    n,
                    rec,
                    base,
                    stop_at,
                    sections,
                    args.read_interval,
                    rng.uniform(0, args.read_interval),
                )
                for n in range(args.readers)
                if mine(n)
            ]
        if want_askers:
            jobs += [
                asker(
                    take(),
                    n,
                    rec,
                    base,
                    stop_at,
                    sections,
                    args.ask_interval,
                    rng.uniform(0, args.ask_interval),
                    kinds,
                )
                for n in range(args.askers)
                if mine(args.readers + n)
            ]
        return jobs

    def users(mine=lambda n: True) -> int:
        """How many virtual users this client process runs (numbered as `tasks` numbers them)."""
        readers = sum(1 for n in range(args.readers) if mine(n)) if want_readers else 0
        askers = sum(1 for n in range(args.askers) if mine(args.readers + n)) if want_askers else 0
        return readers + askers

    return {"notes": notes, "tasks": tasks, "sections": sections, "users": users, "answer_kinds": kinds}


def written_sections(user, count: int = 8) -> list[int]:
    """Sections of one course of the user whose lectures are written and delivered (done once, in
    this process, by the offline engines): a reader's GET is then the cached path."""
    from decimal import Decimal

    from courses.models import Course, CourseSection
    from courses.services import CourseRequest, create_course
    from lectures import services as lectures
    from workers import engine

    mark = LECTURES_MARK
    course = Course.objects.filter(owner=user, preferences__notes=mark, status=Course.Status.READY).first()
    if course is None:
        prefs = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150, "notes": mark}
        course, job = create_course(user, CourseRequest("Learn DCF valuation", Decimal("2"), prefs))
        engine.run_inline(job.pk)
        course.refresh_from_db()
        if course.status != Course.Status.READY:
            raise RuntimeError(f"the load bench's course was not planned: {course.status}")
    sections = list(
        CourseSection.objects.filter(course=course, parent_section__isnull=False).order_by("pk")[:count]
    )
    if not sections:
        raise RuntimeError("the load bench's course has no sections")
    for section in sections:
        opened = lectures.open_section(section, user)
        if opened.delivery is None:
            engine.run_inline(opened.lecture.job_id)
            opened = lectures.open_section(section, user)
        if opened.delivery is None:
            raise RuntimeError(f"the lecture of section {section.pk} was not written: {opened.state}")
    return [s.pk for s in sections]


async def reader(c, n, rec, base, stop_at, sections, interval, phase):
    await asyncio.sleep(phase)
    while time.monotonic() < stop_at:
        section = sections[n % len(sections)]
        url = f"{base}/api/sections/{section}/lecture"
        await rec.call("GET /api/sections/{id}/lecture", c.get(url), 200, retry=lambda u=url: c.get(u))
        await asyncio.sleep(interval)


async def asker(c, n, rec, base, stop_at, sections, interval, phase, kinds):
    await asyncio.sleep(phase)
    i = 0
    while time.monotonic() < stop_at:
        section = sections[(n + i) % len(sections)]
        body = {"question": QUESTIONS[(n + i) % len(QUESTIONS)]}
        url = f"{base}/api/sections/{section}/questions"
        r = await rec.call("POST /api/sections/{id}/questions", c.post(url, json=body), 200)
        if r is not None:
            kinds[r.json().get("kind", "?")] += 1
        i += 1
        await asyncio.sleep(interval)
