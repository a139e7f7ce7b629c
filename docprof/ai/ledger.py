"""The call ledger (`workers.LLMCall`): record every call, replay a request already paid within a job.

Job counters (`GenerationJob.llm_calls`, tokens, cost) are incremented with F() expressions in the
same short transaction as the row, so they always equal the sums over the job's non-replayed rows.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F


def canonical_json(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_hash(request: dict) -> str:
    return hashlib.sha256(canonical_json(request).encode("utf-8")).hexdigest()


def job_id_of(job) -> int | None:
    if job is None:
        return None
    return job if isinstance(job, int) else job.pk


def capped(obj, limit: int | None = None):
    """The object itself, or a marker with a preview if its JSON is larger than the cap."""
    limit = limit or settings.DOCPROF_LEDGER_MAX_CHARS
    text = canonical_json(obj)
    if len(text) <= limit:
        return obj
    return {"truncated": True, "chars": len(text), "preview": text[:limit]}


def find_replay(job, req_hash: str):
    """The latest successful, untruncated row for this request in this job, or None."""
    from workers.models import LLMCall

    job_id = job_id_of(job)
    if job_id is None:
        return None
    row = (
        LLMCall.objects.filter(job_id=job_id, request_hash=req_hash, outcome=LLMCall.Outcome.OK)
        .order_by("-id")
        .only("id", "response", "model", "input_tokens", "output_tokens", "repaired")
        .first()
    )
    if row is None or not isinstance(row.response, dict) or row.response.get("truncated"):
        return None
    return row


def record(
    *,
    job,
    purpose: str,
    provider: str,
    model: str,
    req_hash: str,
    request: dict,
    response: dict | None,
    input_tokens: int = 0,
    output_tokens: int = 0,
    latency_ms: int = 0,
    cost_usd: Decimal = Decimal(0),
    outcome: str = "ok",
    error: str = "",
    repaired: bool = False,
):
    """Write one ledger row and (unless it is a replay) add it to the job's counters."""
    from workers.models import GenerationJob, LLMCall

    job_id = job_id_of(job)
    with transaction.atomic():
        row = LLMCall.objects.create(
            job_id=job_id,
            purpose=purpose[:100],
            provider=provider,
            model=model[:200],
            request_hash=req_hash,
            request=capped(request),
            response=None if response is None else capped(response),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=max(0, int(latency_ms)),
            cost_usd=cost_usd,
            outcome=outcome,
            error=error[:10_000],
            repaired=repaired,
        )
        if job_id is not None and outcome != LLMCall.Outcome.REPLAYED:
            GenerationJob.objects.filter(pk=job_id).update(
                llm_calls=F("llm_calls") + 1,
                input_tokens=F("input_tokens") + input_tokens,
                output_tokens=F("output_tokens") + output_tokens,
                cost_usd=F("cost_usd") + cost_usd,
            )
    return row
