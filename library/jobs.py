"""The library's job kinds: ingest (one step that parses, chunks, embeds, summarises and stores a
book, with hooks that keep `Book.status` in step with its job), and embedding a ready book's
passages when the embedder is a model (`services.embeds_passages_later`)."""

from __future__ import annotations

from docprof.ai.factory import get_embedder
from library import reembedding, services
from library.models import Book, Chunk
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


def embed_passages(ctx) -> dict:
    """Embed the book's passages that have no vector from the configured embedder, batch by batch,
    each batch committed (interrupted, the job resumes where it stopped); then its chapters and
    summary."""
    Book.objects.filter(pk=ctx.target_id).values_list("pk", flat=True).get()  # deleted: the kind's message
    embedder = get_embedder()
    total = reembedding.stale(Chunk, embedder).filter(book_id=ctx.target_id).count()
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        ctx.check_cancelled()
        ctx.progress(
            f"Prepared {done} of {total} passages for search by meaning", 100 * done // max(1, total)
        )

    ctx.progress(f"Preparing {total} passages for search by meaning", 0)
    reembedding.reembed_chunks(embedder, advance, batch=embedder.batch_size, book_id=ctx.target_id)
    reembedding.reembed_summaries(embedder, book_id=ctx.target_id)  # chapters and the book
    return {"passages": done, "embedder": embedder.name}


def _embedded(job) -> str:
    title = Book.objects.filter(pk=job.target_id).values_list("title", flat=True).first()
    return f"Search by meaning ready: {title}"


EMBED_KIND = JobKind(
    name=services.EMBED_KIND_NAME,
    label="Prepare search by meaning",
    target_key="book_id",
    steps=[Step("embed", "Embedding passages", embed_passages, weight=100)],
    errors={Book.DoesNotExist: "The book was deleted before its passages were embedded."},
    on_complete=_embedded,
)
