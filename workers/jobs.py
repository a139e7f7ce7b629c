"""Writes to the GenerationJob row. Only the runner, the watchdog and the engine facade call these.

Every status transition is one conditional UPDATE (`filter(pk=…, status__in=…)`) whose row count
says whether it happened, so a transition happens once however many processes race for it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, F, Func, JSONField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from workers.models import GenerationJob

Status = GenerationJob.Status
LIVE = (Status.QUEUED, Status.PROCESSING)
RESUMABLE = (Status.ERROR, Status.CANCELLED)


def create(
    owner, kind: str, target_id: int | None, total: int, message: str, state: dict | None = None
) -> GenerationJob:
    return GenerationJob.objects.create(
        owner=owner,
        kind=kind,
        target_id=target_id,
        progress_total=total,
        message=message,
        heartbeat_at=timezone.now(),
        state=state or {},
    )


def _live(job_id: int):
    return GenerationJob.objects.filter(pk=job_id, status__in=LIVE)


def start(job_id: int) -> bool:
    """queued|processing -> processing, counting the attempt."""
    now = timezone.now()
    started = _live(job_id).update(
        status=Status.PROCESSING, attempts=F("attempts") + 1, heartbeat_at=now, finished_at=None
    )
    if started:
        GenerationJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return bool(started)


def complete(job_id: int, message: str) -> bool:
    now = timezone.now()
    return bool(
        GenerationJob.objects.filter(pk=job_id, status=Status.PROCESSING).update(
            status=Status.COMPLETE,
            message=message[:500],
            progress_done=F("progress_total"),
            finished_at=now,
            heartbeat_at=now,
        )
    )


def fail(job_id: int, error: str, detail: str = "") -> bool:
    return bool(
        _live(job_id).update(
            status=Status.ERROR,
            error=error[:2000],
            error_detail=detail[:20000],
            message=error[:500],
            finished_at=timezone.now(),
        )
    )


def mark_cancelled(job_id: int) -> bool:
    return bool(
        _live(job_id).update(
            status=Status.CANCELLED, message="Cancelled", cancel_requested=True, finished_at=timezone.now()
        )
    )


def request_cancel(job_id: int) -> str:
    """A queued job is cancelled at once; a running one stops at its next step boundary.

    Returns "cancelled", "requested", or "finished" (nothing to cancel)."""
    if GenerationJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.CANCELLED, message="Cancelled", cancel_requested=True, finished_at=timezone.now()
    ):
        return "cancelled"
    if GenerationJob.objects.filter(pk=job_id, status=Status.PROCESSING).update(
        cancel_requested=True, message="Cancelling at the next step …"
    ):
        return "requested"
    return "finished"


def reopen(job_id: int, *, message: str, reset_attempts: bool) -> bool:
    """error|cancelled -> queued (Resume). Exactly one of several concurrent callers wins."""
    fields = {
        "status": Status.QUEUED,
        "error": "",
        "error_detail": "",
        "message": message[:500],
        "cancel_requested": False,
        "finished_at": None,
        "heartbeat_at": timezone.now(),
    }
    if reset_attempts:
        fields["attempts"] = 0
    return bool(GenerationJob.objects.filter(pk=job_id, status__in=RESUMABLE).update(**fields))


def requeue_stale(job_id: int, stale_before, message: str) -> bool:
    """A live job whose heartbeat is older than `stale_before` -> queued (the watchdog)."""
    return bool(
        _live(job_id)
        .filter(Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True))
        .update(status=Status.QUEUED, message=message[:500], heartbeat_at=timezone.now())
    )


def heartbeat(job_id: int) -> None:
    _live(job_id).update(heartbeat_at=timezone.now())


def is_cancel_requested(job_id: int) -> bool:
    return GenerationJob.objects.filter(pk=job_id, cancel_requested=True).exists()


def progress(
    job_id: int, *, message: str | None = None, done=None, total=None, phase: str | None = None
) -> None:
    fields = {"heartbeat_at": timezone.now()}
    if message is not None:
        fields["message"] = message[:500]
    if done is not None:
        fields["progress_done"] = done
    if total is not None:
        fields["progress_total"] = total
    if phase is not None:
        fields["phase"] = phase
    _live(job_id).update(**fields)


def checkpoint(job_id: int, key: str, value, *, done: int, total: int) -> None:
    """Store one step's output: one atomic UPDATE that sets only that key of job.state."""
    _live(job_id).update(
        state=_with_key(F("state"), key, value),
        progress_done=done,
        progress_total=total,
        heartbeat_at=timezone.now(),
    )


def save_item(job_id: int, key: str, item_key: str, value, message: str | None = None) -> None:
    """Checkpoint one item of a fan-out step, counted as progress the first time (atomic, so
    concurrent items of one job never overwrite each other)."""
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
    _live(job_id).update(**fields)


def set_usage(job_id: int, usage: dict) -> None:
    GenerationJob.objects.filter(pk=job_id).update(
        llm_calls=usage["calls"],
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        cost_usd=usage["cost_usd"],
    )


def stale(now=None, *, after: int):
    now = now or timezone.now()
    return GenerationJob.objects.filter(
        Q(status__in=LIVE)
        & (Q(heartbeat_at__lt=now - timedelta(seconds=after)) | Q(heartbeat_at__isnull=True))
    )


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
