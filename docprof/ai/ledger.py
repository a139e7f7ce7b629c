"""The call ledger (`ai.LLMCall`): record every call, replay a request already paid within a job.

Rows are keyed by the job's id; the AI layer knows nothing else about jobs. A job's usage is the sum
over its non-replayed rows (`usage_for_job`), which the job engine copies onto its status row.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, Sum

from docprof.ai.models import LLMCall

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Replay:
    pk: int
    response: dict
    model: str
    input_tokens: int
    output_tokens: int
    repaired: bool


def find_replay(job, req_hash: str) -> Replay | None:
    """The latest successful, untruncated row for this request in this job, or None.

    Plain SQL on the (job, request_hash) index: this runs before every call in a job, and the
    ORM's query building costs several times the query itself.
    """
    job_id = job_id_of(job)
    if job_id is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, response, model, input_tokens, output_tokens, repaired "
            f"FROM {connection.ops.quote_name(LLMCall._meta.db_table)} "
            "WHERE job_id = %s AND request_hash = %s AND outcome = %s ORDER BY id DESC LIMIT 1",
            [job_id, req_hash, LLMCall.Outcome.OK],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    response = json.loads(found[1]) if isinstance(found[1], str) else found[1]
    if not isinstance(response, dict) or response.get("truncated"):
        return None
    return Replay(found[0], response, *found[2:])


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
    """Write one ledger row."""
    job_id = job_id_of(job)
    row = LLMCall(
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
    row.pk = _insert_when_possible(row)
    return row


def usage_for_job(job_id: int) -> dict:
    """Calls, tokens and cost a job has paid for (replays cost nothing and are not counted)."""
    totals = (
        LLMCall.objects.filter(job_id=job_id)
        .exclude(outcome=LLMCall.Outcome.REPLAYED)
        .aggregate(
            calls=Count("id"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            cost_usd=Sum("cost_usd"),
        )
    )
    return {
        "calls": totals["calls"] or 0,
        "input_tokens": totals["input_tokens"] or 0,
        "output_tokens": totals["output_tokens"] or 0,
        "cost_usd": totals["cost_usd"] or Decimal(0),
    }


# Pauses (seconds) before writing a row again when the database dropped the connection.
RECORD_RETRY_DELAYS = (0.1, 0.5, 1, 2, 4, 8)


def _insert_when_possible(row) -> int:
    """Write the row, on a new connection if the database dropped this one.

    A row is written right after the provider answered, often the first statement on this thread's
    connection since the call began. If Postgres restarted meanwhile, that statement fails, and
    without the row the step's retry would pay for the same answer again. So the answer in hand is
    written again on a fresh connection, waiting up to ~15 s for the database to come back (outside a
    caller's transaction only: a transaction that lost its connection is the caller's to redo)."""
    delays = list(RECORD_RETRY_DELAYS)
    while True:
        try:
            with connection.cursor() as cursor:
                return _insert(cursor, row)
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or not delays:
                raise
            log.warning("ledger row not written (%s); writing it again on a new connection", exc)
            try:
                connection.close()
            except Exception:  # noqa: S110 (the connection is broken; the next statement reconnects)
                pass
            time.sleep(delays.pop(0))


def _insert(cursor, row) -> int:
    """INSERT the row in one round trip.

    Outside a caller's transaction the statement also turns off the wait for the WAL flush: the
    ledger is a cache and a tally, so losing the last few hundred ms of rows to a database crash
    means at worst one call paid again, and not waiting saves ~0.3 ms per call.
    """
    quote = connection.ops.quote_name
    fields = [f for f in LLMCall._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]
    table = quote(LLMCall._meta.db_table)
    parts = [f"ins AS (INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id)"]
    select = "SELECT id FROM ins"
    if not connection.in_atomic_block:
        parts.insert(0, "cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v)")
        select += ", cfg"
    cursor.execute(f"WITH {', '.join(parts)} {select}", params)
    return cursor.fetchone()[0]
