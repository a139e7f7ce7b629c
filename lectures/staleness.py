"""Stale lectures: re-ingesting a book (a new file for the same book, or the same file again)
replaces its chapters and chunks, so chunk ids change. Passages are compared by content hash
(`sources.text_hash`, whitespace-normalised), the same hash the cache key is made of:

- a lecture's passage whose text is still in the book (same hash) keeps its citation, remapped to
  the new chunk id (citations, quiz citations, the key inputs), so chips and passages still open;
- a cited passage whose text changed or vanished makes the lecture **stale**, with the citation
  numbers in `stale_citations`; it is served with a notice and regenerated on request (a new key:
  the new passages hash differently), never silently.
- Lectures that cite nothing of the book are not touched; unchanged lectures stay valid.

Re-ingestion is a job (kind `reingest`, registered by this app): `library` must not know lectures
(the import ladder), so the library's reading (`library.services.ingest_book`) is one step between
a snapshot of the book's passage hashes and the comparison. Steps:

1. `snapshot`: the book's passage hashes before (checkpointed, so a worker that dies after the new
   passages were stored still compares against the old ones);
2. `read`: the library's ingestion, of the new file when there is one; the new file becomes the
   book's only once it has been read (a file that cannot be read leaves the book as it was);
3. `compare`: remap or mark stale (`mark_stale`).

The book page's "Upload a new version", `POST /api/books/{id}/file` and `manage.py reingest BOOK_ID
[--file PATH]` all submit this job (`submit_new_version`); the command runs it in its own process.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import F

from lectures.models import Lecture
from lectures.sources import text_hash
from library import services as library
from library.jobs import INGEST_KIND
from library.models import Book, Chunk
from library.parsing import IngestError
from workers import engine
from workers.engine import GenerationJob, JobKind, Step


def passage_hashes(book_id: int) -> dict[int, str]:
    return {
        pk: text_hash(text) for pk, text in Chunk.objects.filter(book_id=book_id).values_list("id", "text")
    }


def _remap_id(value, mapping: dict[int, int]):
    return mapping.get(int(value), value) if value is not None else value


def mark_stale(before: dict[int, str], book_id: int) -> dict:
    """Compare a book's passages before and after re-ingestion; remap or mark every lecture that
    draws on the old passages. Returns {lectures, stale, remapped}."""
    after = {h: pk for pk, h in passage_hashes(book_id).items()}
    mapping = {old: after[h] for old, h in before.items() if h in after}
    gone = {old for old in before if old not in mapping}
    old_ids = [str(i) for i in before]
    touched = stale = 0
    lectures = (
        Lecture.objects.filter(source_hashes__has_any_keys=old_ids) if old_ids else Lecture.objects.none()
    )
    for lecture in lectures.iterator():
        touched += 1
        citations, stale_ns = [], []
        for c in lecture.citations:
            c = dict(c)
            if c.get("chunk_id") in gone:
                stale_ns.append(c["n"])
            c["chunk_id"] = _remap_id(c.get("chunk_id"), mapping)
            citations.append(c)
        quiz = []
        for q in lecture.quiz:
            q = dict(q)
            if isinstance(q.get("citation"), dict):
                q["citation"] = {
                    **q["citation"],
                    "chunk_id": _remap_id(q["citation"].get("chunk_id"), mapping),
                }
            quiz.append(q)
        inputs = dict(lecture.key_inputs)
        if inputs.get("hashes"):
            inputs["hashes"] = {str(_remap_id(k, mapping)): v for k, v in inputs["hashes"].items()}
            inputs["plan"] = [[_remap_id(i, mapping) for i in ids] for ids in inputs.get("plan", [])]
            inputs["reserve"] = [_remap_id(i, mapping) for i in inputs.get("reserve", [])]
        hashes = {str(_remap_id(k, mapping)): v for k, v in lecture.source_hashes.items()}
        fields = {"citations": citations, "quiz": quiz, "key_inputs": inputs, "source_hashes": hashes}
        if stale_ns:
            stale += 1
            fields.update(stale=True, stale_citations=sorted(set(lecture.stale_citations) | set(stale_ns)))
        Lecture.objects.filter(pk=lecture.pk).update(**fields, revision=F("revision") + 1)
    return {"lectures": touched, "stale": stale, "remapped": len(mapping), "changed_passages": len(gone)}


class ReadingInProgress(Exception):
    """The book is being read already (a 409): one reading of a book at a time."""


def submit_new_version(book: Book, owner, *, fileobj=None, filename: str = "", enqueue: bool = True):
    """Start reading a book again, from a new file when one is given (validated and stored now: a
    bad file gets the same 4xx as an upload, and nothing changes). Returns the job."""
    live = engine.latest_jobs_on("book_id", [book.pk], exclude=[library.EMBED_KIND_NAME]).get(book.pk)
    if live is not None and not live.is_terminal:
        raise ReadingInProgress(f"“{book.title}” is being read; wait until it is done.")
    new = library.store_new_file(book, fileobj=fileobj, filename=filename) if fileobj is not None else None
    try:
        with transaction.atomic():
            return engine.submit(
                owner, REINGEST_KIND.name, book.pk, enqueue=enqueue, inputs={"file": new},
                message="Waiting for a worker to read the new version" if new else "Waiting for a worker",
            )  # fmt: skip
    except Exception:
        library.discard_file(new)
        raise


def _new_file(ctx_or_job) -> dict | None:
    return ((ctx_or_job.state or {}).get(engine.INPUTS) or {}).get("file")


def _snapshot(ctx) -> dict:
    Book.objects.filter(pk=ctx.target_id).values_list("pk", flat=True).get()  # deleted: the kind's message
    return {str(pk): h for pk, h in passage_hashes(ctx.target_id).items()}


def _read(ctx) -> dict:
    book = Book.objects.get(pk=ctx.target_id)
    new = _new_file(ctx)
    read = library.ingest_book(library.with_file(book, new), ctx)
    if new:
        with transaction.atomic():
            library.attach_file(book, new)
    return {"chapters": read.chapters.count(), "pages": read.pages}


def _compare(ctx) -> dict:
    before = {int(pk): h for pk, h in ctx.state["snapshot"].items()}
    with transaction.atomic():
        return mark_stale(before, ctx.target_id)


def _completed(job) -> str:
    INGEST_KIND.on_complete(job)  # the book is ready (again)
    result = (job.state or {}).get("compare") or {}
    title = Book.objects.filter(pk=job.target_id).values_list("title", flat=True).first()
    return (
        f"Read again: {title}. {result.get('changed_passages', 0)} passages changed or vanished; "
        f"{result.get('stale', 0)} of {result.get('lectures', 0)} lectures that cite it marked stale."
    )


def _failed(job, message: str) -> None:
    """A book that was ready stays as it was (its old file and passages); the job says what failed."""
    library.discard_file(_new_file(job))
    INGEST_KIND.on_error(job, message)  # only a book that was not ready becomes an error


def _started(job) -> None:
    Book.objects.filter(pk=job.target_id).exclude(status=Book.Status.READY).update(
        status=Book.Status.PROCESSING, error=""
    )


REINGEST_KIND = JobKind(
    name="reingest",
    label="Read a new version",
    target_key="book_id",
    steps=[
        Step("snapshot", "Noting the passages lectures cite", _snapshot, weight=2),
        Step("read", "Reading the book", _read, weight=100),
        Step("compare", "Checking the lectures that cite it", _compare, weight=3),
    ],
    errors=INGEST_KIND.errors,
    on_start=_started,
    on_complete=_completed,
    on_error=_failed,
    on_cancel=lambda job: _failed(job, "Reading the new version was cancelled."),
    on_resume=lambda job: Book.objects.filter(pk=job.target_id, status=Book.Status.ERROR).update(
        status=Book.Status.QUEUED
    ),
)


def reingest(book: Book, new_file: Path | None = None, owner=None) -> dict:
    """Read a book again in this process (optionally from a new file), then flag the lectures whose
    cited passages changed or vanished: the `reingest` job, run inline (what the command does).
    Raises IngestError when the file is refused or cannot be read (the book is kept as it was)."""
    owner = owner or book.owner
    if new_file is not None:
        with open(new_file, "rb") as fh:
            job = submit_new_version(book, owner, fileobj=fh, filename=Path(new_file).name, enqueue=False)
    else:
        job = submit_new_version(book, owner, enqueue=False)
    engine.run_inline(job.pk)
    job = GenerationJob.objects.get(pk=job.pk)
    if job.status != GenerationJob.Status.COMPLETE:
        raise IngestError(job.message or "The book could not be read again.")
    for job_id in library.pending_embedding(book.pk):  # a model embedder's new passages: now, too
        engine.run_inline(job_id)
    return job.state["compare"]
