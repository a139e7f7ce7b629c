"""The job engine's public interface: the only `workers` module a domain app imports.

Domain apps declare a `JobKind` (steps + hooks) and register it in `AppConfig.ready()`; they submit,
cancel, resume and read jobs through the functions here.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction

from docprof import embedded
from workers import jobs
from workers.models import GenerationJob
from workers.registry import JobKind, Step, get_kind, register
from workers.runner import JobCancelled, StepContext, items_key, run_job
from workers.selectors import job_for_status, jobs_of, latest_jobs, latest_jobs_on
from workers.serializers import JobSerializer, JobStatusSerializer
from workers.status import status, step_states

__all__ = [
    "INPUTS",
    "GenerationJob",
    "JobCancelled",
    "JobConflict",
    "JobKind",
    "JobSerializer",
    "JobStatusSerializer",
    "Step",
    "StepContext",
    "cancel",
    "get_kind",
    "items",
    "job_for_status",
    "jobs_of",
    "latest_jobs",
    "latest_jobs_on",
    "register",
    "resume",
    "run_inline",
    "status",
    "step_states",
    "submit",
]

log = logging.getLogger(__name__)
RUN_TASK = "workers.run_job"
INPUTS = "inputs"  # the key of a job's inputs in its state (so no step may be named "inputs")
QUEUE_DOWN = "The job could not be queued: the task queue is unavailable. Try again shortly."


class JobConflict(Exception):
    """The job is not in a state that allows this (e.g. resuming a running job): HTTP 409."""


def submit(
    owner,
    kind_name: str,
    target_id: int | None,
    *,
    message: str = "Waiting for a worker",
    enqueue: bool = True,
    inputs: dict | None = None,
):
    """Create the job row and enqueue it after the surrounding transaction commits (with
    `enqueue=False` the caller runs it itself, e.g. `run_inline` in a command). `inputs` (JSON) is
    what the job needs besides its target (e.g. a new file's stored name): steps read it as
    `ctx.state[INPUTS]`."""
    kind = get_kind(kind_name)
    state = {INPUTS: inputs} if inputs is not None else None
    job = jobs.create(
        owner, kind.name, target_id, total=sum(s.weight for s in kind.steps), message=message, state=state
    )
    if enqueue:
        _enqueue_on_commit(job)
    return job


def cancel(job_id: int) -> bool:
    """Cancel a queued job now, a running one at its next step. False if it had already finished."""
    outcome = jobs.request_cancel(job_id)
    if outcome == "cancelled":
        job = GenerationJob.objects.get(pk=job_id)
        get_kind(job.kind).on_cancel(job)
    return outcome != "finished"


def resume(job_id: int, *, enqueue: bool = True) -> GenerationJob:
    """Continue a failed or cancelled job from its last checkpoint; one of concurrent callers wins."""
    with transaction.atomic():
        if not jobs.reopen(job_id, message="Resuming", reset_attempts=True):
            raise JobConflict("Only a job that failed or was cancelled can be resumed.")
        job = GenerationJob.objects.get(pk=job_id)
        get_kind(job.kind).on_resume(job)
        if enqueue:
            _enqueue_on_commit(job)
    return job


def redrive(job: GenerationJob, message: str, stale_before) -> bool:
    """The watchdog: queue a job whose runner went quiet again (no lock is broken: a dead runner's
    lock expires by itself, a live one keeps its own)."""
    with transaction.atomic():
        if not jobs.requeue_stale(job.pk, stale_before, message):
            return False
        _enqueue_on_commit(job)
    return True


def give_up(job: GenerationJob, message: str, detail: str) -> None:
    if jobs.fail(job.pk, message, detail):
        get_kind(job.kind).on_error(job, message)


def items(job_id: int, step_name: str) -> dict:
    """What a fan-out step has checkpointed so far (e.g. lecture segments, for streaming)."""
    state = GenerationJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or {}
    return state.get(step_name) or state.get(items_key(step_name)) or {}


def run_inline(job_id: int, observer=None) -> str:
    """Drive a job to its end in this process (commands' --inline, tests); `observer(job_id)` is
    called as each step starts."""
    return run_job(job_id, observer)


def _enqueue_on_commit(job: GenerationJob) -> None:
    def send():
        try:
            _send(job.pk)
        except Exception as exc:  # kombu raises many connection error types
            log.exception("could not enqueue job %s", job.pk)
            give_up(job, QUEUE_DOWN, repr(exc))

    transaction.on_commit(send)


def _send(job_id: int) -> None:
    """Send the job's task (the project's Celery app, docprof/celery.py). The embedded Redis is
    started again only when sending fails: checking it first cost every course request a new
    client, connection and PING (~2 ms of the request's ~8 ms of CPU)."""
    try:
        current_app.send_task(RUN_TASK, args=[job_id])
    except Exception:
        if not settings.REDIS_EMBEDDED:
            raise
        log.warning("could not enqueue job %s; starting the embedded Redis if it stopped", job_id)
        embedded.ensure_redis()
        current_app.send_task(RUN_TASK, args=[job_id])
