"""A stand-in for `workers.engine` (ENGINE.md's interface) until the lead's engine lands on main.

Installed by lectures/tests/conftest.py only when `workers.engine` cannot be imported; it runs jobs
in this process (`run_inline`) over the existing GenerationJob row and checkpoint helpers. Delete
this file once the engine has landed.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from workers import jobs
from workers.models import GenerationJob

_KINDS: dict = {}


class JobConflict(Exception):
    pass


class JobCancelledError(Exception):
    pass


@dataclass
class Step:
    name: str
    label: str
    func: object
    waits_on_model: bool = False
    weight: int = 1


@dataclass
class JobKind:
    name: str
    label: str
    steps: list
    errors: dict = field(default_factory=dict)
    on_complete: object = None
    on_error: object = None
    on_cancel: object = None


class StepContext:
    def __init__(self, job, step_name):
        self.job_id = job.pk
        self.target_id = job.target_id
        self.owner_id = job.owner_id
        self.state = {k: v for k, v in job.state.items() if not k.startswith("items.")}
        self.items = dict(job.state.get(f"items.{step_name}", {}))
        self._step = step_name

    def save_item(self, key, value, message=None):
        jobs.save_state_item(self.job_id, f"items.{self._step}", key, value, message=message)
        self.items[key] = value

    def progress(self, message):
        GenerationJob.objects.filter(pk=self.job_id).update(
            message=message[:500], heartbeat_at=timezone.now()
        )

    def check_cancelled(self):
        if GenerationJob.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise JobCancelledError()


def register(kind):
    _KINDS[kind.name] = kind


def submit(owner, kind, target_id, message="Waiting for a worker"):
    job = GenerationJob.objects.create(owner=owner, kind=kind, target_id=target_id, message=message)
    transaction.on_commit(lambda: None)
    return job


def items(job_id, step_name):
    job = GenerationJob.objects.filter(pk=job_id).only("state").first()
    return dict((job.state or {}).get(f"items.{step_name}", {})) if job else {}


def status(job):
    status = "processing" if job.status in ("queued", "processing") else job.status
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": status,
        "phase": job.phase,
        "progress": {"done": job.progress_done, "total": job.progress_total, "percent": job.percent},
        "message": job.message,
        "error": job.error,
        "steps": [],
    }


def resume(job_id):
    if not GenerationJob.objects.filter(pk=job_id, status__in=["error", "cancelled"]).update(
        status="queued", error="", attempts=F("attempts") + 1
    ):
        raise JobConflict("not resumable")
    return GenerationJob.objects.get(pk=job_id)


def cancel(job_id):
    return bool(
        GenerationJob.objects.filter(pk=job_id, status__in=["queued", "processing"]).update(
            cancel_requested=True
        )
    )


def run_inline(job_id):
    job = GenerationJob.objects.get(pk=job_id)
    kind = _KINDS[job.kind]
    GenerationJob.objects.filter(pk=job_id).update(status="processing", started_at=timezone.now())
    try:
        for step in kind.steps:
            job.refresh_from_db()
            if step.name in job.state:
                continue
            GenerationJob.objects.filter(pk=job_id).update(phase=step.name, message=step.label)
            output = step.func(StepContext(job, step.name))
            jobs.save_state(job_id, step.name, output)
    except Exception as exc:
        message = None
        for cls, text in kind.errors.items():
            if isinstance(exc, cls):
                message = text or str(exc)
                break
        if message is None:
            raise
        GenerationJob.objects.filter(pk=job_id).update(
            status="error", error=message, finished_at=timezone.now()
        )
        job.refresh_from_db()
        kind.on_error(job, message)
        return job
    job.refresh_from_db()
    final = kind.on_complete(job)
    GenerationJob.objects.filter(pk=job_id).update(
        status="complete", message=final, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def install():
    module = types.ModuleType("workers.engine")
    for name in ("JobConflict", "Step", "JobKind", "StepContext", "register", "submit", "items", "status"):
        setattr(module, name, globals()[name])
    for name in ("resume", "cancel", "run_inline"):
        setattr(module, name, globals()[name])
    sys.modules["workers.engine"] = module
    import workers

    workers.engine = module
    return module
