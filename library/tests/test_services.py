import io

import pytest

from library.models import Book, BookSummary, Chapter, Chunk
from library.parsing import IngestError
from library.services import delete_book, reembed
from library.tests.books import VALUATION_MD
from library.tests.conftest import ingest, upload
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def test_markdown_book_is_ingested_into_chapters_chunks_and_summaries(valuation_book):
    book = valuation_book
    assert book.status == Book.Status.READY
    assert book.title == "A Short Book on Valuation"
    titles = list(book.chapters.order_by("order").values_list("title", flat=True))
    assert titles == ["Chapter 1 Cash Flows", "Chapter 2 Discounting"]
    chunks = list(Chunk.objects.filter(book=book).order_by("ordinal"))
    assert len(chunks) >= 4
    for chunk in chunks:
        assert chunk.embedding is not None and len(chunk.embedding) > 0
        assert chunk.page_start is not None and chunk.page_end >= chunk.page_start
        assert chunk.heading_path[0] in titles
        assert chunk.word_count <= 400
    # chunks never cross a chapter
    for chapter in book.chapters.all():
        assert all(c.heading_path[0] == chapter.title for c in chapter.chunks.all())
        assert chapter.summary and chapter.embedding is not None
    summary = BookSummary.objects.get(book=book)
    assert summary.summary["overview"]
    assert len(summary.summary["chapters"]) == 2
    job = GenerationJob.objects.get(kind="ingest", target_id=book.pk)
    assert job.status == "complete" and job.percent == 100


def test_same_file_twice_is_recognised_and_not_stored_twice(alice, valuation_book):
    again = upload(alice, "copy-of-valuation.md", VALUATION_MD)
    assert not again.created and again.job is None
    assert again.book.pk == valuation_book.pk
    assert Book.objects.filter(owner=alice).count() == 1


def test_another_user_may_store_the_same_file(bob, valuation_book):
    theirs = upload(bob, "valuation.md", VALUATION_MD)
    assert theirs.created and theirs.book.pk != valuation_book.pk


def test_failed_ingestion_leaves_no_chapters_and_a_readable_error(alice):
    # Passes the cheap upload checks (a non-empty .md file) but holds no readable text.
    added = upload(alice, "blank.md", "#\n\n   \n---\n")
    from workers import engine

    engine.run_inline(added.job.pk)
    book = Book.objects.get(pk=added.book.pk)
    assert book.status == Book.Status.ERROR
    assert "no readable text" in book.error
    assert not Chapter.objects.filter(book=book).exists()
    assert not Chunk.objects.filter(book=book).exists()
    job = GenerationJob.objects.get(pk=added.job.pk)
    assert job.status == "error" and "no readable text" in job.error


def test_empty_upload_is_refused_and_nothing_is_written(alice, media_root):
    with pytest.raises(IngestError) as exc:
        upload(alice, "empty.pdf", b"")
    assert exc.value.status_code == 400
    assert not Book.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*")) if media_root.exists() else True


def test_upload_over_the_size_limit_is_413(alice, settings):
    settings.DOCPROF_MAX_UPLOAD_MB = 1
    with pytest.raises(IngestError) as exc:
        upload(alice, "big.txt", b"word " * (300 * 1024))
    assert exc.value.status_code == 413
    assert not Book.objects.exists()


def test_uploaded_file_is_stored_under_a_generated_name_outside_static(alice, media_root, settings):
    added = upload(alice, "My Book.md", VALUATION_MD)
    path = added.book.file.path
    assert path.startswith(str(media_root))
    assert "My Book" not in path
    assert not path.startswith(str(settings.STATIC_ROOT))


def test_delete_removes_chapters_chunks_and_the_file(valuation_book, django_capture_on_commit_callbacks):
    from pathlib import Path

    path = Path(valuation_book.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        delete_book(valuation_book)
    assert not Chapter.objects.exists() and not Chunk.objects.exists()
    assert not path.exists()


def test_reembed_rebuilds_vectors_with_the_new_embedder(valuation_book):
    from docprof.ai.embeddings import HashingEmbedder

    class Renamed(HashingEmbedder):
        def __init__(self):
            super().__init__()
            self.name = "hashing-renamed"

    count = reembed(Renamed())
    assert count == Chunk.objects.count()
    assert set(Chunk.objects.values_list("embedder", flat=True)) == {"hashing-renamed"}
    assert set(Chapter.objects.values_list("embedder", flat=True)) == {"hashing-renamed"}


def test_text_that_is_not_utf8_is_decoded(alice):
    text = "Café Économie\n\nChapter 1: Prix\n\n" + "Le café coûte cher à Paris et ailleurs. " * 60
    book = ingest(alice, "cafe.txt", text.encode("latin-1"))
    assert book.status == Book.Status.READY
    assert "coûte" in " ".join(Chunk.objects.filter(book=book).values_list("text", flat=True))


def test_bytes_io_upload_rewinds(alice):
    stream = io.BytesIO(VALUATION_MD.encode())
    stream.read()
    from library.services import add_book

    added = add_book(owner=alice, fileobj=stream, filename="v.md", enqueue=False)
    assert added.book.size_bytes == len(VALUATION_MD.encode())


def test_with_a_model_configured_summaries_are_written_by_the_model(alice, monkeypatch):
    from docprof.ai import factory as llm_module
    from docprof.ai.fake import FakeLLM
    from docprof.ai.models import LLMCall

    fake = FakeLLM(default=lambda system, messages, schema: "A model-written summary of the text.")
    monkeypatch.setattr(llm_module, "get_llm", lambda: fake)
    book = ingest(alice, "valuation.md", VALUATION_MD)
    assert book.status == Book.Status.READY
    assert set(book.chapters.values_list("summary", flat=True)) == {"A model-written summary of the text."}
    assert BookSummary.objects.get(book=book).summary["overview"] == "A model-written summary of the text."
    job = GenerationJob.objects.get(target_id=book.pk, kind="ingest")
    purposes = sorted(LLMCall.objects.filter(job_id=job.pk).values_list("purpose", flat=True))
    assert purposes == ["library.summarise_book", "library.summarise_chapter", "library.summarise_chapter"]
    assert "<book_text" in fake.calls[0]["messages"][0]["content"]
