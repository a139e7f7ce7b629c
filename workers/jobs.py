"""The one code path that writes GenerationJob status: create, enqueue, progress, finish.

Domain services receive a `JobProgress` to report progress; they never touch the row.
"""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, Func, JSONField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from workers.models import GenerationJob

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised at a phase boundary when the user cancelled the job."""


def create_job(
    owner, kind: str, target_id: int | None = None, total: int = 0, message: str = ""
) -> GenerationJob:
    return GenerationJob.objects.create(
        owner=owner, kind=kind, target_id=target_id, progress_total=total, message=message or "Queued"
    )


def enqueue_on_commit(job: GenerationJob, task_name: str) -> None:
    """Send `task_name(job_id)` after the surrounding transaction commits.

    If the broker cannot be reached, the job row says so instead of staying queued forever.
    """

    def send():
        from docprof.celery import app

        if _embedded_redis():
            from docprof import embedded

            embedded.ensure_redis()
        try:
            app.send_task(task_name, args=[job.pk])
        except Exception as exc:  # kombu raises many connection error types
            log.exception("could not enqueue %s for job %s", task_name, job.pk)
            fail(
                job.pk,
                "The job could not be queued: the task queue is unavailable. Try again shortly.",
                repr(exc),
            )

    transaction.on_commit(send)


def enqueue_chain_on_commit(job: GenerationJob, steps: list[tuple[str, list]]) -> None:
    """Send a Celery chain of `(task_name, args)` steps after commit (immutable signatures: each
    step takes only its own arguments, ids, never the previous result)."""

    def send():
        from celery import chain

        from docprof.celery import app

        if _embedded_redis():
            from docprof import embedded

            embedded.ensure_redis()
        try:
            chain(*[app.signature(name, args=args, immutable=True) for name, args in steps]).apply_async()
        except Exception as exc:  # kombu raises many connection error types
            log.exception("could not enqueue job %s", job.pk)
            fail(
                job.pk,
                "The job could not be queued: the task queue is unavailable. Try again shortly.",
                repr(exc),
            )

    transaction.on_commit(send)


def redrive(job_id: int, message: str) -> bool:
    """Count a new attempt and clear a failure, so the job can be driven again (resume, watchdog)."""
    return bool(
        GenerationJob.objects.filter(pk=job_id)
        .exclude(status=GenerationJob.Status.COMPLETE)
        .update(
            status=GenerationJob.Status.QUEUED,
            attempts=F("attempts") + 1,
            error="",
            error_detail="",
            message=message[:500],
            cancel_requested=False,
            finished_at=None,
            heartbeat_at=timezone.now(),
        )
    )


def save_state(
    job_id: int,
    key: str,
    value,
    *,
    done: int | None = None,
    total: int | None = None,
    message: str | None = None,
) -> None:
    """Checkpoint one phase output into job.state: one atomic UPDATE that sets only that key (the
    rest of the state is neither read nor rewritten by Python)."""
    fields = {
        "state": _with_key(F("state"), key, value),
        "heartbeat_at": timezone.now(),
    }
    if done is not None:
        fields["progress_done"] = done
    if total is not None:
        fields["progress_total"] = total
    if message is not None:
        fields["message"] = message[:500]
    GenerationJob.objects.filter(pk=job_id).update(**fields)


def save_state_item(job_id: int, key: str, item_key: str, value, message: str | None = None) -> None:
    """Checkpoint one item of a phase (e.g. one part of the expansion) and count it as progress
    the first time; atomic, so concurrent parts of the same job never overwrite each other."""
    bucket = Func(F("state"), Value(key), function="jsonb_extract_path", output_field=JSONField())
    is_new = Case(
        When(Q(state__has_key=key) & Q(**{f"state__{key}__has_key": item_key}), then=Value(0)),
        default=Value(1),
    )
    fields = {
        "state": _with_key(
            F("state"), key, _with_key(Coalesce(bucket, Value({}, JSONField())), item_key, value)
        ),
        "heartbeat_at": timezone.now(),
        "progress_done": F("progress_done") + is_new,
    }
    if message is not None:
        fields["message"] = message[:500]
    GenerationJob.objects.filter(pk=job_id).update(**fields)


def _with_key(target, key: str, value):
    """SQL: target || jsonb_build_object(key, value) (value: a Python JSON value or an expression)."""
    payload = value if hasattr(value, "resolve_expression") else Value(value, JSONField())
    obj = Func(Value(key), payload, function="jsonb_build_object", output_field=JSONField())
    return Func(
        Coalesce(target, Value({}, JSONField())),
        obj,
        function="",
        arg_joiner=" || ",
        output_field=JSONField(),
    )


@contextmanager
def heartbeat(job_id: int, every: float = 20.0):
    """Keep heartbeat_at fresh while a long step runs in this thread."""
    stop = threading.Event()

    def beat():
        from django.db import connection

        try:
            while not stop.wait(every):
                GenerationJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    thread = threading.Thread(target=beat, daemon=True, name=f"heartbeat-{job_id}")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _lock_key(job_id: int) -> str:
    return f"docprof:job-lock:{job_id}"


@contextmanager
def exclusive(job_id: int, ttl: int):
    """A Redis lock so that one worker at a time drives a job; yields False if another holds it."""
    from docprof.redis_client import get_redis

    client = get_redis()
    key = _lock_key(job_id)
    token = uuid.uuid4().hex
    acquired = bool(client.set(key, token, nx=True, ex=ttl))
    try:
        yield acquired
    finally:
        if acquired:
            client.eval(RELEASE_LOCK, 1, key, token)


RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def break_lock(job_id: int) -> None:
    """Drop the driving lock of a job whose driver is gone (stale heartbeat, or failed for good).

    A SIGKILLed worker never releases its lock; without this a re-driven job would skip every
    phase until the lock's TTL (the hard task time limit) ran out.
    """
    from docprof.redis_client import get_redis

    get_redis().delete(_lock_key(job_id))


def _embedded_redis() -> bool:
    from django.conf import settings

    return settings.REDIS_EMBEDDED


def start(job_id: int, count_attempt: bool = True) -> GenerationJob | None:
    """Mark a job processing (counting the attempt). Returns None if it is already terminal."""
    now = timezone.now()
    fields = {"status": GenerationJob.Status.PROCESSING, "heartbeat_at": now}
    if count_attempt:
        fields["attempts"] = F("attempts") + 1
    updated = (
        GenerationJob.objects.filter(pk=job_id).exclude(status__in=GenerationJob.TERMINAL).update(**fields)
    )
    GenerationJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    if not updated:
        return None
    return GenerationJob.objects.defer("state").get(pk=job_id)


def complete(job_id: int, message: str = "Done") -> None:
    GenerationJob.objects.filter(pk=job_id).update(
        status=GenerationJob.Status.COMPLETE,
        message=message,
        progress_done=F("progress_total"),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )


def fail(job_id: int, error: str, detail: str = "") -> None:
    GenerationJob.objects.filter(pk=job_id).exclude(status__in=GenerationJob.TERMINAL).update(
        status=GenerationJob.Status.ERROR,
        error=error[:2000],
        error_detail=detail[:20000],
        message="Failed",
        finished_at=timezone.now(),
    )


def cancel(job_id: int) -> bool:
    """Request cancellation: a queued job is cancelled at once, a running one stops at its next
    checkpoint. True when the job is (or will be) cancelled; False if it had already finished."""
    now = timezone.now()
    GenerationJob.objects.filter(pk=job_id, status=GenerationJob.Status.QUEUED).update(
        status=GenerationJob.Status.CANCELLED, message="Cancelled", finished_at=now, cancel_requested=True
    )
    GenerationJob.objects.filter(pk=job_id).exclude(status__in=GenerationJob.TERMINAL).update(
        cancel_requested=True
    )
    return (
        GenerationJob.objects.filter(pk=job_id, cancel_requested=True)
        .exclude(status__in=(GenerationJob.Status.COMPLETE, GenerationJob.Status.ERROR))
        .exists()
    )


def mark_cancelled(job_id: int) -> None:
    GenerationJob.objects.filter(pk=job_id).update(
        status=GenerationJob.Status.CANCELLED, message="Cancelled", finished_at=timezone.now()
    )


@dataclass
class JobProgress:
    """Handed to services: short writes of progress and heartbeat, and the cancel check."""

    job_id: int | None

    def update(
        self,
        *,
        done: int | None = None,
        total: int | None = None,
        message: str | None = None,
        phase: str | None = None,
    ) -> None:
        if self.job_id is None:
            return
        fields = {"heartbeat_at": timezone.now()}
        if done is not None:
            fields["progress_done"] = done
        if total is not None:
            fields["progress_total"] = total
        if message is not None:
            fields["message"] = message[:500]
        if phase is not None:
            fields["phase"] = phase
        GenerationJob.objects.filter(pk=self.job_id).update(**fields)

    def check_cancelled(self) -> None:
        if self.job_id is None:
            return
        if GenerationJob.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise JobCancelled()


NO_JOB = JobProgress(job_id=None)
