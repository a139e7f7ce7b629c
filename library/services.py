"""Writes for the library: accept an upload, ingest it (parse -> chunk -> embed -> summarise)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from docprof.ai.embeddings import Embedder
from docprof.ai.factory import get_embedder
from library import retrieval
from library.chunking import ChunkDraft, chunk_chapter
from library.models import Book, BookSummary, Chapter, Chunk
from library.parsing import IngestError, check_filename, detect_format, parse_book, sniff
from library.summaries import get_summariser
from workers import engine
from workers.engine import GenerationJob

log = logging.getLogger(__name__)


class NoProgress:
    """Progress reporting for ingestion outside a job (the job context has the same two methods)."""

    job_id = None

    def progress(self, message: str, done: int | None = None) -> None:
        pass

    def check_cancelled(self) -> None:
        pass


NO_PROGRESS = NoProgress()
# Ingestion is one step of weight 100: progress within it is reported as a percentage.
STAGES = {"parse": 0, "chunk": 15, "embed": 25, "summarise": 80, "store": 95}


@dataclass
class AddedBook:
    book: Book
    job: GenerationJob | None
    created: bool  # False when the same file was already in this user's library
    retried: bool = False  # the same file had failed to be read: it is read again (a fixed reader)


def _sha256(fileobj) -> tuple[str, int]:
    fileobj.seek(0)
    digest = hashlib.file_digest(fileobj, "sha256")
    size = fileobj.seek(0, 2)  # file_digest may not move the position (BytesIO): measure at the end
    fileobj.seek(0)
    return digest.hexdigest(), size


def max_upload_bytes() -> int:
    return settings.DOCPROF_MAX_UPLOAD_MB * 1024 * 1024


def add_book(*, owner, fileobj, filename: str, shared: bool = False, enqueue: bool = True) -> AddedBook:
    """Validate and store an upload, create its Book and ingest job.

    Raises IngestError (with an HTTP status) for input a person must fix; nothing is left behind.
    """
    display_name, fmt, sha, size = _checked(fileobj, filename)
    existing = Book.objects.filter(owner=owner, sha256=sha).first()
    if existing and existing.status == Book.Status.ERROR:
        return read_again(existing, enqueue=enqueue)
    if existing:
        return AddedBook(existing, None, created=False)

    book = Book(
        owner=owner,
        title=Path(display_name).stem[:500],
        format=fmt,
        original_filename=display_name,
        size_bytes=size,
        sha256=sha,
        visibility=Book.Visibility.SHARED if shared else Book.Visibility.PRIVATE,
    )
    book.file.save(display_name, File(fileobj), save=False)
    try:
        sniff(Path(book.file.path), fmt, max_unpacked_bytes=settings.DOCPROF_MAX_UNPACKED_MB * 1024 * 1024)
        with transaction.atomic():
            book.save()
            job = engine.submit(owner, "ingest", book.pk, enqueue=enqueue)
    except Exception:
        book.file.delete(save=False)
        raise
    return AddedBook(book, job, created=True)


def read_again(book: Book, *, enqueue: bool = True) -> AddedBook:
    """A book that failed to be read, uploaded again: a new ingest job for its stored file (the
    reader may have been fixed since), rather than the old error."""
    with transaction.atomic():
        book.status, book.error = Book.Status.QUEUED, ""
        book.save(update_fields=["status", "error"])
        job = engine.submit(book.owner, "ingest", book.pk, enqueue=enqueue)
    return AddedBook(book, job, created=False, retried=True)


def _checked(fileobj, filename: str) -> tuple[str, str, str, int]:
    """(display name, format, sha256, size) of an upload, or IngestError: the checks every upload
    gets before anything is stored (name, format, empty, size limit)."""
    display_name = check_filename(filename)
    fmt = detect_format(display_name)
    sha, size = _sha256(fileobj)
    if size == 0:
        raise IngestError(f"{display_name} is empty.")
    if size > max_upload_bytes():
        raise IngestError(
            f"{display_name} is {size / 2**20:.1f} MB; the limit is {settings.DOCPROF_MAX_UPLOAD_MB} MB.", 413
        )
    return display_name, fmt, sha, size


def store_new_file(book: Book, *, fileobj, filename: str) -> dict:
    """Validate and store a new file for an existing book (a new version of it), without touching
    the book: the same checks and 4xx answers as an upload. Returns what `with_file` and
    `attach_file` need (JSON: it travels in a job's inputs). The book keeps its old file and
    passages until `attach_file`, after the new file has been read."""
    display_name, fmt, sha, size = _checked(fileobj, filename)
    other = Book.objects.filter(owner_id=book.owner_id, sha256=sha).exclude(pk=book.pk).first()
    if other is not None:
        raise IngestError(f"{display_name} is already in your library as “{other.title}”.", 409)
    stored = Book(owner_id=book.owner_id)
    stored.file.save(display_name, File(fileobj), save=False)
    try:
        sniff(Path(stored.file.path), fmt, max_unpacked_bytes=settings.DOCPROF_MAX_UNPACKED_MB * 1024 * 1024)
    except Exception:
        stored.file.delete(save=False)
        raise
    return {"name": stored.file.name, "filename": display_name, "format": fmt, "sha256": sha, "size": size}


def with_file(book: Book, new: dict | None) -> Book:
    """The book as it reads with a new file (not saved): what `ingest_book` reads a new version from."""
    if not new:
        return book
    copy = Book.objects.get(pk=book.pk)
    copy.file.name, copy.format, copy.original_filename = new["name"], new["format"], new["filename"]
    return copy


def attach_file(book: Book, new: dict) -> None:
    """Make a new file the book's own (after it was read); the old file is deleted after commit."""
    old = Book.objects.filter(pk=book.pk).values_list("file", flat=True).first()
    if old == new["name"]:
        return
    Book.objects.filter(pk=book.pk).update(
        file=new["name"],
        original_filename=new["filename"][:255],
        format=new["format"],
        sha256=new["sha256"],
        size_bytes=new["size"],
    )
    if old:
        storage = Book._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(old))


def discard_file(new: dict | None) -> None:
    """Delete a stored new file that will not become the book's (its reading failed)."""
    if new and new.get("name"):
        storage = Book._meta.get_field("file").storage
        if Book.objects.filter(file=new["name"]).exists():
            return  # already the book's own file
        storage.delete(new["name"])


def ingest_book(book: Book, progress=NO_PROGRESS, embedder: Embedder | None = None) -> Book:
    """Parse, chunk, embed and summarise a stored book, then store it in one short transaction.
    All-or-nothing: on failure nothing is stored (the ingest job's hooks set the book's status)."""
    embedder = embedder or get_embedder()
    progress.progress("Reading the file", STAGES["parse"])
    parsed = parse_book(
        Path(book.file.path),
        book.format,
        words_per_page=settings.DOCPROF_WORDS_PER_PAGE,
        max_unpacked_bytes=settings.DOCPROF_MAX_UNPACKED_MB * 1024 * 1024,
        filename=book.original_filename,
    )
    progress.check_cancelled()
    progress.progress(
        f"Read {parsed.pages} pages; splitting {len(parsed.chapters)} chapters", STAGES["chunk"]
    )
    chapter_drafts = [
        (
            chapter,
            chunk_chapter(
                chapter,
                min_words=settings.DOCPROF_CHUNK_MIN_WORDS,
                target_words=settings.DOCPROF_CHUNK_TARGET_WORDS,
                max_words=settings.DOCPROF_CHUNK_MAX_WORDS,
            ),
        )
        for chapter in parsed.chapters
    ]
    chapter_drafts = [(c, d) for c, d in chapter_drafts if d]
    if not chapter_drafts:
        raise IngestError(f"{book.original_filename} contains no readable text.")
    all_drafts = [d for _, drafts in chapter_drafts for d in drafts]
    known = _stored_vectors(book, embedder)
    later = embeds_passages_later(embedder)  # the book is ready first; EMBED_KIND embeds the rest
    if later:
        vectors = [known.get(_embedding_text(d)) for d in all_drafts]
    else:
        vectors = _embed_drafts(all_drafts, embedder, progress, known=known)
    progress.check_cancelled()
    progress.progress(f"Summarising {len(chapter_drafts)} chapters", STAGES["summarise"])
    summariser = get_summariser(embedder, job_id=progress.job_id, book_title=parsed.title)
    summaries = [
        summariser.summarise_chapter(
            c.title, [b.text for b in c.blocks if not b.code] or [d.text for d in drafts]
        )
        for c, drafts in chapter_drafts
    ]
    chapter_texts = [f"{c.title}. {s}" for (c, _), s in zip(chapter_drafts, summaries, strict=True)]
    chapter_vectors = [None] * len(chapter_texts) if later else embedder.embed(chapter_texts)
    book_summary = summariser.summarise_book(
        parsed.title, [(c.title, s) for (c, _), s in zip(chapter_drafts, summaries, strict=True)]
    )
    book_text = f"{parsed.title}. {book_summary['overview']}"
    prepared = PreparedBook(
        parsed=parsed,
        chapter_drafts=chapter_drafts,
        summaries=summaries,
        chunk_vectors=vectors,
        chapter_vectors=chapter_vectors,
        summary=book_summary,
        summary_text=book_text,
        summary_vector=None if later else embedder.embed_one(book_text),
        embedder_name=embedder.name,
    )
    progress.check_cancelled()
    progress.progress("Saving chapters and passages", STAGES["store"])
    with transaction.atomic():
        _store(book, prepared)
    progress.progress(f"Stored {len(parsed.chapters)} chapters, {len(all_drafts)} passages", 100)
    book.refresh_from_db()
    return book


def embeds_passages_later(embedder: Embedder) -> bool:
    later = settings.DOCPROF_EMBED_PASSAGES_LATER
    return embedder.slow if later is None else later


EMBED_KIND_NAME = "embed_passages"  # library.jobs.EMBED_KIND


def queue_passage_embedding(book: Book) -> None:
    """Embed a ready book's passages (and chapters and summary) that have no vector, in a job of its
    own (after commit), unless one is already waiting to (a job that is running picks up passages
    stored after it started)."""
    if not pending_embedding(book.pk):
        engine.submit(book.owner, EMBED_KIND_NAME, book.pk, message="Waiting to prepare search by meaning")


def pending_embedding(book_id: int) -> list[int]:
    """Ids of the passage-embedding jobs waiting for this book (see queue_passage_embedding): a
    command or benchmark that reads a book in its own process runs them with engine.run_inline."""
    return list(
        GenerationJob.objects.filter(
            kind=EMBED_KIND_NAME, target_id=book_id, status=GenerationJob.Status.QUEUED
        ).values_list("pk", flat=True)
    )


def _stored_vectors(book: Book, embedder: Embedder) -> dict[str, object]:
    """Vectors this embedder already made for this book's passages (re-ingestion) or for another
    copy of the same file, by the exact text embedded: an unchanged passage is not embedded again."""
    if getattr(book, "pk", None) is None:
        return {}
    same = Q(book=book) | Q(book__sha256=book.sha256) if book.sha256 else Q(book=book)
    rows = Chunk.objects.filter(same, embedder=embedder.name, embedding__isnull=False)
    return {
        embedding_text(text, path): vector
        for text, path, vector in rows.values_list("text", "heading_path", "embedding").iterator(2000)
    }


def _embed_drafts(drafts: list[ChunkDraft], embedder: Embedder, progress, known=None) -> list:
    """One vector per passage, in order: each passage embedded once (in batches), none that
    `known` already has a vector for."""
    known = known or {}
    texts = [_embedding_text(d) for d in drafts]
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    span = STAGES["summarise"] - STAGES["embed"]
    made: dict[str, object] = {}
    progress.progress(f"Embedding {len(todo)} passages", STAGES["embed"])
    for batch_texts, batch in zip(
        _batched(todo, embedder.batch_size), embedder.embed_batches(todo), strict=True
    ):
        made.update(zip(batch_texts, batch, strict=True))
        progress.check_cancelled()
        progress.progress(
            f"Embedded {len(made)} of {len(todo)} passages",
            STAGES["embed"] + span * len(made) // max(1, len(todo)),
        )
    return [made[t] if t in made else known[t] for t in texts]


def _batched(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def embedding_text(text: str, heading_path: list[str]) -> str:
    # The heading path gives a passage the context its own words may lack.
    return " / ".join(heading_path[-2:]) + "\n" + text


def _embedding_text(draft: ChunkDraft) -> str:
    return embedding_text(draft.text, draft.heading_path)


@dataclass
class PreparedBook:
    """Everything computed outside the transaction, ready to be written in one short one."""

    parsed: object  # library.parsing.ParsedBook
    chapter_drafts: list  # [(ParsedChapter, [ChunkDraft])]
    summaries: list[str]
    chunk_vectors: list
    chapter_vectors: list
    summary: dict
    summary_text: str
    summary_vector: list | None
    embedder_name: str


def _store(book: Book, prepared: PreparedBook) -> None:
    parsed, chapter_drafts, summaries = prepared.parsed, prepared.chapter_drafts, prepared.summaries
    vectors, embedder_name = prepared.chunk_vectors, prepared.embedder_name
    Chapter.objects.filter(book=book).delete()  # re-ingestion replaces everything
    BookSummary.objects.filter(book=book).delete()
    chapters = Chapter.objects.bulk_create(
        [
            Chapter(
                book=book,
                order=i,
                title=c.title[:500],
                heading_path=c.heading_path,
                page_start=drafts[0].page_start,
                page_end=drafts[-1].page_end,
                word_count=sum(d.word_count for d in drafts),
                summary=summary,
                embedding=vector,
                embedder=embedder_name if vector is not None else "",
            )
            for i, ((c, drafts), summary, vector) in enumerate(
                zip(chapter_drafts, summaries, prepared.chapter_vectors, strict=True)
            )
        ]
    )
    rows = []
    ordinal = 0
    for chapter, (_, drafts) in zip(chapters, chapter_drafts, strict=True):
        for draft in drafts:
            rows.append(
                Chunk(
                    book=book,
                    chapter=chapter,
                    ordinal=ordinal,
                    text=draft.text,
                    heading_path=draft.heading_path,
                    headings=" / ".join(draft.heading_path),
                    page_start=draft.page_start,
                    page_end=draft.page_end,
                    word_count=draft.word_count,
                    embedding=vectors[ordinal],
                    embedder=embedder_name if vectors[ordinal] is not None else "",
                )
            )
            ordinal += 1
    Chunk.objects.bulk_create(rows, batch_size=500)
    retrieval.index_book(book.pk)  # BM25 statistics and the acronyms the book defines
    BookSummary.objects.create(
        book=book,
        summary=prepared.summary,
        text=prepared.summary_text,
        embedding=prepared.summary_vector,
        embedder=embedder_name if prepared.summary_vector is not None else "",
    )
    if any(v is None for v in vectors) or prepared.summary_vector is None:
        queue_passage_embedding(book)
    Book.objects.filter(pk=book.pk).update(
        title=(parsed.title or book.title)[:500],
        authors=(parsed.authors or "")[:500],
        pages=parsed.pages,
        physical_pages=parsed.physical_pages,
        word_count=sum(c.word_count for c in chapters),
        ingested_at=timezone.now(),
    )


def delete_book(book: Book) -> None:
    """Delete a book with its chapters and chunks (cascade) and its stored file."""
    with transaction.atomic():
        book.delete()
    transaction.on_commit(lambda: book.file.delete(save=False))


def reembed(embedder: Embedder | None = None, books=None, progress=None) -> int:
    """Rebuild every stored vector with `embedder` (after a change of embedder). Returns chunks done."""
    embedder = embedder or get_embedder()
    books = books if books is not None else Book.objects.filter(status=Book.Status.READY)
    done = 0
    for book in books:
        chunks = list(Chunk.objects.filter(book=book).order_by("ordinal"))
        drafts = [ChunkDraft(c.text, c.heading_path, c.page_start, c.page_end, c.word_count) for c in chunks]
        vectors = [v for batch in embedder.embed_batches(_embedding_text(d) for d in drafts) for v in batch]
        chapters = list(Chapter.objects.filter(book=book).order_by("order"))
        chapter_vectors = embedder.embed([f"{c.title}. {c.summary}" for c in chapters]) if chapters else []
        with transaction.atomic():
            for chunk, vector in zip(chunks, vectors, strict=True):
                chunk.embedding, chunk.embedder = vector, embedder.name
            Chunk.objects.bulk_update(chunks, ["embedding", "embedder"], batch_size=500)
            for chapter, vector in zip(chapters, chapter_vectors, strict=True):
                chapter.embedding, chapter.embedder = vector, embedder.name
            Chapter.objects.bulk_update(chapters, ["embedding", "embedder"])
            summary = BookSummary.objects.filter(book=book).first()
            if summary:
                summary.embedding, summary.embedder = embedder.embed_one(summary.text), embedder.name
                summary.save(update_fields=["embedding", "embedder"])
        done += len(chunks)
        if progress:
            progress(book, len(chunks))
    return done


def add_books(*, owner, files, shared: bool = False) -> list[AddedBook]:
    """Add several uploads at once: all of them, or (on the first IngestError) none of them."""
    added: list[AddedBook] = []
    try:
        with transaction.atomic():
            for fileobj in files:
                added.append(add_book(owner=owner, fileobj=fileobj, filename=fileobj.name, shared=shared))
    except IngestError:
        for item in added:
            if item.created:
                item.book.file.delete(save=False)
        raise
    return added
