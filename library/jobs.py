"""The ingest job kind: one step that parses, chunks, embeds, summarises and stores a book, with
hooks that keep `Book.status` in step with its job."""

from __future__ import annotations

from library import services
from library.models import Book
from library.parsing import IngestError
from workers.engine import JobKind, Step


def ingest(ctx) -> dict:
    book = services.ingest_book(Book.objects.get(pk=ctx.target_id), ctx)
    return {"chapters": book.chapters.count(), "pages": book.pages}


def _started(job) -> None:
    Book.objects.filter(pk=job.target_id).update(status=Book.Status.PROCESSING, error="")


def _completed(job) -> str:
    Book.objects.filter(pk=job.target_id).update(status=Book.Status.READY, error="")
    title = Book.objects.filter(pk=job.target_id).values_list("title", flat=True).first()
    return f"Ready: {title}"


def _failed(job, message: str) -> None:
    Book.objects.filter(pk=job.target_id).exclude(status=Book.Status.READY).update(
        status=Book.Status.ERROR, error=message
    )


def _cancelled(job) -> None:
    _failed(job, "Ingestion was cancelled.")


INGEST_KIND = JobKind(
    name="ingest",
    label="Ingest book",
    target_key="book_id",
    steps=[Step("ingest", "Reading the book", ingest, weight=100)],
    errors={
        IngestError: None,
        Book.DoesNotExist: "The book was deleted before it could be read.",
    },
    on_start=_started,
    on_complete=_completed,
    on_error=_failed,
    on_cancel=_cancelled,
    on_resume=lambda job: Book.objects.filter(pk=job.target_id).update(status=Book.Status.QUEUED),
)
