"""The status payload every poller reads (API, pages, commands), computed from the job row and its
kind's declared steps: a status poll never runs domain code."""

from __future__ import annotations

from workers.models import GenerationJob
from workers.registry import UnknownKind, get_kind, kinds

Status = GenerationJob.Status


def step_states(job: GenerationJob | None, kind_name: str | None = None) -> list[dict]:
    """[{name, label, state}] with state done | running | pending | error | cancelled."""
    try:
        kind = get_kind(kind_name or job.kind)
    except UnknownKind:
        return []
    state = (job.state if job else {}) or {}
    result = []
    for step in kind.steps:
        current = job is not None and job.phase == step.name
        if job is not None and job.status == Status.COMPLETE or step.name in state:
            label = "done"
        elif current and job.status in (Status.ERROR, Status.CANCELLED):
            label = job.status
        elif current and job.status == Status.PROCESSING:
            label = "running"
        else:
            label = "pending"
        result.append({"name": step.name, "label": step.label, "state": label})
    return result


def status(job: GenerationJob) -> dict:
    """processing | complete | error | cancelled, with steps, progress, message and usage."""
    shown = "processing" if job.status in (Status.QUEUED, Status.PROCESSING) else job.status
    payload = {
        "job_id": job.pk,
        "kind": job.kind,
        "status": shown,
        "phase": job.phase,
        "phases": step_states(job),
        "progress": {"done": job.progress_done, "total": job.progress_total, "percent": job.percent},
        "message": job.message,
        "error": job.error,
    }
    for kind in kinds():  # several kinds may share a target key (ingest and reingest: book_id)
        if kind.target_key and payload.get(kind.target_key) is None:
            payload[kind.target_key] = job.target_id if kind.name == job.kind else None
    payload.update(
        {
            "attempts": job.attempts,
            "usage": {
                "llm_calls": job.llm_calls,
                "input_tokens": job.input_tokens,
                "output_tokens": job.output_tokens,
                "cost_usd": float(job.cost_usd),
            },
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }
    )
    return payload
