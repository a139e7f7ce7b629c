"""Run a job's domain service with the status row kept right: processing -> complete | error."""

from __future__ import annotations

import logging
import traceback

from library.models import Book
from library.parsing import IngestError
from workers import jobs
from workers.jobs import JobCancelled, JobProgress

log = logging.getLogger(__name__)


def run_ingest(job_id: int) -> None:
    from library.services import ingest_book

    job = jobs.start(job_id)
    if job is None:
        return  # already finished (a re-delivered task)
    try:
        book = Book.objects.get(pk=job.target_id)
    except Book.DoesNotExist:
        jobs.fail(job_id, "The book was deleted before it could be read.")
        return
    try:
        book = ingest_book(book, JobProgress(job_id))
    except JobCancelled:
        jobs.mark_cancelled(job_id)
    except IngestError as exc:
        jobs.fail(job_id, exc.message, repr(exc))
    except Exception as exc:
        log.exception("ingestion of book %s failed", job.target_id)
        jobs.fail(
            job_id,
            "The book could not be ingested because of an unexpected problem.",
            f"{exc!r}\n{traceback.format_exc()}",
        )
    else:
        jobs.complete(job_id, f"Ready: {book.title}")
