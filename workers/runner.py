"""The one runner: drives any job kind from its first unfinished step to complete, error or cancelled.

It takes the job's lock, marks it processing, skips checkpointed steps, checks cancellation between
steps, heartbeats while it works, checkpoints each step's output with one short conditional write,
retries transient infrastructure errors, maps every other exception to a message a person reads, and
ends the job exactly once. Nothing else writes the job row while a job runs.
"""

from __future__ import annotations

import threading
import time
import traceback

import structlog
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import close_old_connections, connection

from docprof.ai import ledger
from docprof.redis_client import get_redis
from workers import jobs, messages
from workers.models import GenerationJob
from workers.registry import JobKind, Step, get_kind

log = structlog.get_logger(__name__)


class JobCancelled(Exception):
    """Raised inside a step when the user cancelled the job."""


class StepContext:
    """What a step sees: the job's ids, earlier outputs, its own checkpointed items, and short writes."""

    def __init__(self, job: GenerationJob, kind: JobKind, step: Step, base_units: int):
        self.job_id = job.pk
        self.target_id = job.target_id
        self.owner_id = job.owner_id
        self.kind = kind
        self.step = step
        self.state = dict(job.state or {})
        self.items = dict(self.state.get(items_key(step.name)) or {})
        self._base = base_units

    def progress(self, message: str, done: int | None = None) -> None:
        """A message (and optionally progress within this step, in the step's weight units)."""
        value = None if done is None else self._base + max(0, min(done, self.step.weight))
        jobs.progress(self.job_id, message=message, done=value)

    def expect_items(self, count: int) -> None:
        """A fan-out step says how many items it has: progress counts them instead of its weight."""
        jobs.progress(self.job_id, total=_total_units(self.kind, self.state, {self.step.name: count}))

    def save_item(self, key: str, value, message: str | None = None) -> None:
        self.check_cancelled()
        jobs.save_item(self.job_id, items_key(self.step.name), str(key), value, message)
        self.items[str(key)] = value

    def check_cancelled(self) -> None:
        if jobs.is_cancel_requested(self.job_id):
            raise JobCancelled()


def items_key(step_name: str) -> str:
    return f"{step_name}:items"


def run_job(job_id: int, observer=None) -> str:
    """Drive a job. Returns "ran", "skipped" (missing or finished) or "busy" (another runner holds it).
    `observer(job_id)`, if given, is called as each step starts (a command's progress display)."""
    job = GenerationJob.objects.filter(pk=job_id).only("id", "kind", "status").first()
    if job is None or job.is_terminal:
        return "skipped"
    kind = get_kind(job.kind)
    lock = job_lock(job_id)
    if not lock.acquire(blocking=False):
        return "busy"
    try:
        with structlog.contextvars.bound_contextvars(job_id=job_id, kind=kind.name):
            _drive(job_id, kind, lock, observer)
    finally:
        _release(lock)
    return "ran"


def job_lock(job_id: int):
    ttl = max(5, settings.DOCPROF_JOB_HEARTBEAT * 3)
    return get_redis().lock(f"docprof:job-lock:{job_id}", timeout=ttl, thread_local=False)


def _release(lock) -> None:
    try:
        lock.release()
    except Exception:  # expired, or Redis gone: the lock times out by itself
        log.info("job lock already released")


def _drive(job_id: int, kind: JobKind, lock, observer=None) -> None:
    if not jobs.start(job_id):
        return
    job = GenerationJob.objects.get(pk=job_id)
    kind.on_start(job)
    with _Heartbeat(job_id, lock):
        for step in kind.steps:
            if step.name in job.state:
                continue
            if jobs.is_cancel_requested(job_id):
                _cancel(job, kind)
                return
            if not _run_step(job, kind, step, observer):
                return
            job.refresh_from_db(fields=["state"])
        _record_usage(job_id)
        message = kind.on_complete(job) or "Done"
        jobs.complete(job_id, message)
        log.debug("job complete")


def _run_step(job: GenerationJob, kind: JobKind, step: Step, observer=None) -> bool:
    """Run one step and checkpoint its output; on failure end the job and return False."""
    delays = list(settings.DOCPROF_JOB_TRANSIENT_DELAYS)
    with structlog.contextvars.bound_contextvars(step=step.name):
        jobs.progress(job.pk, phase=step.name, message=step.label + " …")
        if observer is not None:
            observer(job.pk)
        base = _done_units(kind, job.state)
        while True:
            try:
                output = step.run(StepContext(job, kind, step, base))
                break
            except messages.TRANSIENT as exc:
                if not delays:
                    return _fail(job, kind, messages.transient(step.label, exc), exc)
                wait = delays.pop(0)
                log.warning("transient error, retrying step", wait=wait, error=repr(exc))
                if isinstance(exc, messages.DATABASE_ERRORS):
                    _reset_connections()
                time.sleep(wait)
            except JobCancelled:
                _cancel(job, kind)
                return False
            except SoftTimeLimitExceeded as exc:
                return _fail(job, kind, f"{step.label} took too long. Resume to try again.", exc)
            except Exception as exc:
                message = kind.message_for(exc) or messages.unexpected(step.label, exc)
                if kind.message_for(exc) is None and not messages.is_ai_error(exc):
                    log.exception("step failed")
                return _fail(job, kind, message, exc)
        state = {**job.state, step.name: output}
        jobs.checkpoint(
            job.pk, step.name, output, done=_done_units(kind, state), total=_total_units(kind, state)
        )
        _record_usage(job.pk)
        return True


def _done_units(kind: JobKind, state: dict) -> int:
    return sum(_units(s, state) for s in kind.steps if s.name in state)


def _total_units(kind: JobKind, state: dict, expected: dict | None = None) -> int:
    expected = expected or {}
    return sum(expected.get(s.name) or _units(s, state) for s in kind.steps)


def _units(step: Step, state: dict) -> int:
    output = state.get(step.name)
    if step.fan_out and isinstance(output, dict):
        return max(1, len(output))  # a finished fan-out step counts its items
    return step.weight


def _fail(job: GenerationJob, kind: JobKind, message: str, exc: BaseException) -> bool:
    detail = f"{exc!r}\n{traceback.format_exc()}"
    _record_usage(job.pk)
    if jobs.fail(job.pk, message, detail):
        kind.on_error(job, message)
    return False


def _cancel(job: GenerationJob, kind: JobKind) -> None:
    _record_usage(job.pk)
    if jobs.mark_cancelled(job.pk):
        kind.on_cancel(job)


def _record_usage(job_id: int) -> None:
    jobs.set_usage(job_id, ledger.usage_for_job(job_id))


def _reset_connections() -> None:
    if connection.in_atomic_block:
        return  # a caller's transaction (tests): it is not ours to close
    try:
        connection.close()
    except Exception:  # the server is gone; the next query reconnects
        log.info("closing a broken database connection failed")
    close_old_connections()


class _Heartbeat:
    """Keeps heartbeat_at fresh and the job lock alive while the runner works (its own thread)."""

    def __init__(self, job_id: int, lock):
        self.job_id, self.lock = job_id, lock
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{job_id}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(settings.DOCPROF_JOB_HEARTBEAT):
                self._once()
        finally:
            connection.close()

    def _once(self) -> None:
        try:
            jobs.heartbeat(self.job_id)
        except Exception as exc:  # database briefly down: the watchdog is the safety net
            log.warning("heartbeat failed", error=repr(exc))
            _reset_connections()
        try:
            self.lock.reacquire()
        except Exception as exc:  # Redis restarted: take the lock again if it is free
            log.warning("job lock renewal failed", error=repr(exc))
            try:
                self.lock.acquire(blocking=False)
            except Exception:
                log.warning("job lock could not be re-taken")
