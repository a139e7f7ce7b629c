"""One fault run over real processes: jobs of registered kinds run on a Celery worker against a
faulty model server (fake_openai), while the worker is SIGKILLed at each step of a kind and the
embedded Redis and Postgres are restarted. Then every job is checked (`FaultRun.report()`).

Used by the CI test (`workers/tests/test_faults.py`, short) and `bench/faults.py` (N runs).
A domain app plugs in a `Target`: its job kind, how to submit one job, how to find duplicated
content among the run's jobs.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import close_old_connections, connection
from django.db.models import Count

from docprof.ai.models import LLMCall
from docprof.ai.tests.support.fake_openai import BILLED_TOKENS, FakeOpenAI, prompt_key_of_ledger_request
from workers import engine
from workers.models import GenerationJob
from workers.registry import get_kind
from workers.tests.support.stack import Stack, restart_postgres, restart_redis
from workers.tests.support.watch import Monitor, Supervisor

LEAKS = ("://", "127.0.0.1", "localhost", "HTTP ", "Traceback")


@dataclass
class Target:
    kind: str
    submit: Callable[[int], int]  # n -> the id of a new job of this kind (enqueued after commit)
    duplicates: Callable[[list[int]], list[str]]  # problems in the stored content of these jobs

    @property
    def steps(self) -> list[str]:
        return get_kind(self.kind).step_names()

    @property
    def model_steps(self) -> list[str]:
        return [s.name for s in get_kind(self.kind).steps if s.waits_on_model]


@dataclass
class Event:
    what: str  # kill | redis | postgres
    kind: str  # the kind of the target job
    at: float  # the kill, or the service going down (time.time())
    up: float  # the worker restarted / the service back
    step: str = ""  # the step the target job was in when the fault was injected
    interrupted: str = ""  # the first step the target job had not checkpointed at that moment
    # job id -> (status, attempts) of the jobs live (queued or processing) at the fault
    live: dict[int, tuple[str, int]] = field(default_factory=dict)
    recovered: dict[int, float] = field(default_factory=dict)  # job id -> seconds until it moved again
    stopping_s: float = 0.0  # an outage: how long the service took to stop (part of `up - at`)

    @property
    def since(self) -> float:
        """Recovery is counted from the worker's death, or from the service coming back."""
        return self.at if self.what == "kill" else self.up

    def running(self) -> list[int]:
        return [pk for pk, (status, _) in self.live.items() if status == GenerationJob.Status.PROCESSING]


class FaultRun:
    """Jobs of one or more targets (the first is the default) under injected faults."""

    def __init__(self, stack: Stack, model: FakeOpenAI, *targets: Target, concurrency: int = 4):
        self.stack, self.model = stack, model
        self.targets = {t.kind: t for t in targets}
        self.target = targets[0]
        self.kind_of: dict[int, str] = {}
        self.concurrency = concurrency
        self.process_lock = threading.Lock()
        self.supervisor = Supervisor(self)
        self.jobs: list[int] = []
        self.events: list[Event] = []
        self.monitor = Monitor()
        self.started = time.time()
        self.missed: list[str] = []
        self.resumed: list[int] = []
        self.errors_before_resume: dict[int, str] = {}

    # -- driving -------------------------------------------------------------------------------
    def begin(self, beat_every: float | None = None) -> None:
        self.monitor.start()
        self.stack.start_worker(concurrency=self.concurrency)
        self.stack.start_watchdog()
        self.stack.start_beat(beat_every)
        self.supervisor.start()

    def submit(self, kind: str | None = None) -> int:
        target = self.targets[kind] if kind else self.target
        job_id = target.submit(len(self.jobs))
        self.jobs.append(job_id)
        self.kind_of[job_id] = target.kind
        self.monitor.watch(job_id)
        return job_id

    def wait_for_step(self, job_id: int, step: str, timeout: float = 120) -> str | None:
        """Wait until the job runs `step`; None if it went past it (or ended) first."""
        order = self.targets[self.kind_of[job_id]].steps
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = _row(job_id)
            if row is not None:
                status, phase = row
                if status in GenerationJob.TERMINAL:
                    return None
                if status == GenerationJob.Status.PROCESSING and phase == step:
                    return step
                if phase in order and order.index(phase) > order.index(step):
                    return None
            time.sleep(0.002)
        raise AssertionError(f"job {job_id} never reached step {step!r}\n{self.stack.log_tail('worker')}")

    def kill_worker_at(
        self, step: str, kind: str | None = None, restart_after: float = 1.0, tries: int = 3
    ) -> Event | None:
        """Submit a job, SIGKILL the worker while that job runs `step`, start a new worker."""
        target = self.targets[kind] if kind else self.target
        for _ in range(tries):
            job_id = self.submit(target.kind)
            if self.wait_for_step(job_id, step) is None:
                continue
            with self.process_lock:
                killed_at = self.stack.kill("worker")
                event = Event("kill", target.kind, killed_at, 0.0, step=step, live=_live(self.jobs))
                event.interrupted = _first_unfinished(job_id, target.steps)
                time.sleep(restart_after)
                self.stack.start_worker(concurrency=self.concurrency)
                event.up = time.time()
            self.events.append(event)
            return event
        self.missed.append(f"{target.kind}:{step}")
        return None

    def wait_recovered(self, event: Event, timeout: float = 150.0) -> bool:
        """Wait until every job the killed worker was running runs again (or has ended)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            moved = [self.monitor.moved_after(pk, event.at, event.live[pk][1]) for pk in event.running()]
            if all(m is not None for m in moved):
                return True
            time.sleep(0.5)
        return False

    def restart_service(
        self, service: str, down: float, step: str | None = None, kind: str | None = None
    ) -> Event:
        """Restart Redis or Postgres while a new job runs a step that waits on the model."""
        target = self.targets[kind] if kind else self.target
        job_id = self.submit(target.kind)
        step = step or target.model_steps[0]
        self.wait_for_step(job_id, step)
        live = _live(self.jobs)
        interrupted = _first_unfinished(job_id, target.steps)
        restart = restart_redis if service == "redis" else restart_postgres
        # the outage counts from the stop's request: the service fails clients while it stops
        stopping_at, stopped_at, up_at = restart(down)
        event = Event(service, target.kind, stopping_at, up_at, step=step, interrupted=interrupted, live=live)
        event.stopping_s = round(stopped_at - stopping_at, 2)
        self.events.append(event)
        return event

    def finish(self, timeout: float, resume_errors: bool = True) -> None:
        """Wait until every job ends; then Resume the failed ones once (as a person would)."""
        self._wait_terminal(timeout)
        if resume_errors:
            failed = list(
                GenerationJob.objects.filter(pk__in=self.jobs, status=GenerationJob.Status.ERROR).values_list(
                    "pk", flat=True
                )
            )
            self.errors_before_resume = _messages(failed)
            for pk in failed:
                engine.resume(pk)
                self.resumed.append(pk)
            if failed:
                self._wait_terminal(timeout)
        self.monitor.stopping.set()
        self.supervisor.stopping.set()
        self.monitor.join(timeout=5)
        self.supervisor.join(timeout=5)

    def _wait_terminal(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                live = GenerationJob.objects.filter(pk__in=self.jobs).exclude(
                    status__in=GenerationJob.TERMINAL
                )
                if not live.exists():
                    return
            except Exception:
                connection.close()
            time.sleep(0.5)

    # -- the report ----------------------------------------------------------------------------
    def report(self) -> dict:
        close_old_connections()
        rows = list(GenerationJob.objects.filter(pk__in=self.jobs).order_by("pk"))
        by_status = Counter(r.status for r in rows)
        stuck = [
            {"job": r.pk, "status": r.status, "phase": r.phase, "message": r.message}
            for r in rows
            if not r.is_terminal
        ]
        errors = [r for r in rows if r.status == GenerationJob.Status.ERROR]
        messages = [*self.errors_before_resume.values(), *(r.error for r in errors)]
        for event in self.events:
            for pk, (_status, attempts) in event.live.items():
                moved = self.monitor.moved_after(pk, event.since, attempts if event.what == "kill" else None)
                if moved is not None:
                    event.recovered[pk] = round(moved - event.since, 2)
        kill_times = [
            e.recovered[pk]
            for e in self.events
            if e.what == "kill"
            for pk in e.running()
            if pk in e.recovered
        ]
        paid = self._payments()
        return {
            "jobs": len(rows),
            "complete": by_status[GenerationJob.Status.COMPLETE],
            "error": len(errors),
            "cancelled": by_status[GenerationJob.Status.CANCELLED],
            "stuck": stuck,
            "errors_before_resume": len(self.errors_before_resume),
            "resumed": len(self.resumed),
            "error_messages": dict(Counter(messages)),
            "error_messages_leaking": [m for m in messages if any(leak in m for leak in LEAKS)],
            "errors_without_message": [r.pk for r in errors if not r.error.strip()],
            "by_kind": {
                kind: dict(Counter(r.status for r in rows if r.kind == kind)) for kind in self.targets
            },
            "duplicates": [
                problem
                for kind, target in self.targets.items()
                for problem in target.duplicates([pk for pk in self.jobs if self.kind_of[pk] == kind])
            ],
            "ledger_duplicates": _ledger_duplicates(self.jobs),
            "model": {"requests": len(self.model.snapshot()), **dict(self.model.outcomes())},
            "model_script_errors": self.model.errors[:5],
            **paid,
            "kills": [
                {
                    "kind": e.kind,
                    "step": e.step,
                    "interrupted": e.interrupted,
                    "jobs_running": len(e.running()),
                    "jobs_queued": len(e.live) - len(e.running()),
                    "running_moved_again_s": sorted(
                        e.recovered[pk] for pk in e.running() if pk in e.recovered
                    ),
                    "queued_moved_again_s": sorted(
                        v for pk, v in e.recovered.items() if pk not in e.running()
                    ),
                    "not_recovered": [pk for pk in e.live if pk not in e.recovered],
                }
                for e in self.events
                if e.what == "kill"
            ],
            "kills_missed": self.missed,
            "worker_exits": [
                {**x, "after": _last_event_before(self.events, x["at"])} for x in self.supervisor.exits
            ],
            "recovery_s": _summary(kill_times),
            "outages": [
                {
                    "service": e.what,
                    "kind": e.kind,
                    "step": e.step,
                    "interrupted": e.interrupted,
                    "down_s": round(e.up - e.at, 2),
                    "stopping_s": e.stopping_s,
                    "jobs_live": len(e.live),
                    "moving_again_s": _summary(list(e.recovered.values())),
                }
                for e in self.events
                if e.what != "kill"
            ],
            "seconds": round(time.time() - self.started, 1),
        }

    def _payments(self) -> dict:
        """Billed answers the ledger does not account for (paid twice), against those a fault could
        have lost (in flight at a kill, or answered while Redis or Postgres was down)."""
        accounted: Counter = Counter()
        ledger_rows: dict[str, list] = {}
        rows = LLMCall.objects.filter(job_id__in=self.jobs).exclude(outcome=LLMCall.Outcome.REPLAYED)
        fields = ("request", "output_tokens", "job_id", "purpose", "outcome", "created_at", "error")
        for request, tokens, job_id, purpose, outcome, created, error in rows.values_list(*fields):
            key = prompt_key_of_ledger_request(request)
            if key:
                accounted[key] += tokens // BILLED_TOKENS
                at = round(created.timestamp() - self.started, 2)
                ledger_rows.setdefault(key, []).append((job_id, purpose, outcome, at, tokens, error[:100]))
        paid = self.model.paid()
        re_paid = Counter({k: n - accounted[k] for k, n in paid.items() if n > accounted[k]})
        allowed: Counter = Counter()
        for event in self.events:
            if event.what == "kill":
                lost = self.model.in_flight(event.at)
            else:
                lost = [
                    r
                    for r in self.model.snapshot()
                    if r.billed and r.started <= event.up + 1 and (r.ended or time.time()) >= event.at - 1
                ]
            allowed.update(r.key for r in lost)
        unexplained = sum(max(0, n - allowed[k]) for k, n in re_paid.items())
        t0 = self.started
        detail = [
            {
                "answers": [
                    (round(r.started - t0, 2), r.ended and round(r.ended - t0, 2), r.outcome, r.repair)
                    for r in self.model.snapshot()
                    if r.key == key
                ],
                "ledger": ledger_rows.get(key, []),
            }
            for key, n in re_paid.items()
            if n > allowed[key]
        ]
        return {
            "re_paid_unexplained_detail": detail,
            "events": [
                (e.what, e.kind, e.step, round(e.at - t0, 2), round(e.up - t0, 2)) for e in self.events
            ],
            "billed": sum(paid.values()),
            "re_paid": sum(re_paid.values()),
            "in_flight_at_faults": sum(allowed.values()),
            "re_paid_unexplained": unexplained,
            "ledger_over_paid": sum(max(0, n - paid[k]) for k, n in accounted.items()),
        }


def _row(job_id: int):
    try:
        return GenerationJob.objects.filter(pk=job_id).values_list("status", "phase").first()
    except Exception:
        connection.close()
        return None


def _live(job_ids: list[int]) -> dict[int, tuple[str, int]]:
    live = GenerationJob.objects.filter(pk__in=job_ids).exclude(status__in=GenerationJob.TERMINAL)
    return {pk: (status, attempts) for pk, status, attempts in live.values_list("pk", "status", "attempts")}


def _first_unfinished(job_id: int, steps: list[str]) -> str:
    state = GenerationJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or {}
    return next((s for s in steps if s not in state), "")


def _messages(job_ids: list[int]) -> dict[int, str]:
    return dict(GenerationJob.objects.filter(pk__in=job_ids).values_list("pk", "error"))


def _ledger_duplicates(job_ids: list[int]) -> int:
    ok = LLMCall.objects.filter(job_id__in=job_ids, outcome=LLMCall.Outcome.OK)
    return ok.values("job_id", "request_hash").annotate(n=Count("id")).filter(n__gt=1).count()


def _last_event_before(events: list[Event], at: float) -> str:
    before = [e for e in events if e.at <= at]
    return f"{before[-1].what} at step {before[-1].step}" if before else "no fault yet"


def _summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 2),
        "max": round(ordered[-1], 2),
    }
