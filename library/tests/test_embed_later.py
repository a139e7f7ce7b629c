"""With a model embedder, a book is ready before its passages are embedded: ingestion stores them
without vectors (search finds them by full text) and an `embed_passages` job embeds them after,
batch by batch, resumably. The hashing embedder is used here with DOCPROF_EMBED_PASSAGES_LATER on,
so the test needs no model."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from docprof.ai.embeddings import HashingEmbedder
from library import jobs as library_jobs
from library.models import Book, BookSummary, Chapter, Chunk, ChunkVector
from library.retrieval import search_chunks
from library.services import EMBED_KIND_NAME, embeds_passages_later
from library.tests.books import VALUATION_MD
from library.tests.conftest import ingest
from workers import engine
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(settings):
    settings.DOCPROF_EMBED_PASSAGES_LATER = True


def embed_job(book) -> GenerationJob:
    return GenerationJob.objects.get(kind=EMBED_KIND_NAME, target_id=book.pk)


def test_a_model_embedder_embeds_passages_later_unless_told_otherwise(settings):
    class Model(HashingEmbedder):
        slow = True

    assert embeds_passages_later(Model()) and not embeds_passages_later(HashingEmbedder())
    settings.DOCPROF_EMBED_PASSAGES_LATER = False
    assert not embeds_passages_later(Model())
    settings.DOCPROF_EMBED_PASSAGES_LATER = True
    assert embeds_passages_later(HashingEmbedder())


def test_the_book_is_ready_first_and_its_passages_are_embedded_by_their_own_job(alice, later):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    chunks = Chunk.objects.filter(book=book)
    assert book.status == Book.Status.READY and chunks.count() > 3
    assert not chunks.filter(embedding__isnull=False).exists()  # nothing embedded yet
    assert not ChunkVector.objects.filter(book=book).exists()
    assert not Chapter.objects.filter(book=book, embedding__isnull=False).exists()  # nor its chapters
    assert BookSummary.objects.get(book=book).embedding is None
    hits = search_chunks("terminal value growth", [book.pk], k=3)  # full text meanwhile
    assert hits and "terminal" in hits[0].text.lower()
    assert search_chunks("terminal value growth", [book.pk], k=3, mode="vector") == []
    job = embed_job(book)
    assert job.status == GenerationJob.Status.QUEUED

    engine.run_inline(job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.COMPLETE
    assert job.message == f"Search by meaning ready: {book.title}"
    assert set(chunks.values_list("embedder", flat=True)) == {HashingEmbedder().name}
    assert ChunkVector.objects.filter(book=book).count() == chunks.count()
    assert not Chapter.objects.filter(book=book, embedding__isnull=True).exists()
    assert BookSummary.objects.get(book=book).embedder == HashingEmbedder().name
    hits = search_chunks("terminal value growth", [book.pk], k=3, mode="vector")
    assert hits and hits[0].book_id == book.pk


class FailingAfter(HashingEmbedder):
    """Fails (as a crashed model call would) after `batches` batches of two."""

    batch_size = 2

    def __init__(self, batches):
        super().__init__()
        self.left, self.texts = batches, 0

    def embed(self, texts):
        if self.left == 0:
            raise RuntimeError("model server went away")
        self.left -= 1
        self.texts += len(texts)
        return super().embed(texts)


def test_an_interrupted_embedding_keeps_its_batches_and_resumes(alice, later, monkeypatch):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    total = Chunk.objects.filter(book=book).count()
    monkeypatch.setattr(library_jobs, "get_embedder", lambda: FailingAfter(1))
    job = embed_job(book)
    engine.run_inline(job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.ERROR
    assert Chunk.objects.filter(book=book, embedding__isnull=False).count() == 2
    assert Book.objects.get(pk=book.pk).status == Book.Status.READY  # the book is unaffected

    resumed = FailingAfter(10_000)
    monkeypatch.setattr(library_jobs, "get_embedder", lambda: resumed)
    engine.resume(job.pk, enqueue=False)
    engine.run_inline(job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.COMPLETE
    chapters = Chapter.objects.filter(book=book).count()
    assert resumed.texts == total - 2 + chapters + 1  # only what the first run had not done
    assert not Chunk.objects.filter(book=book, embedding__isnull=True).exists()


def test_the_library_shows_the_book_ready_while_search_by_meaning_is_prepared(client, alice, later):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    client.force_login(alice)
    page = client.get(reverse("library:book", args=[book.pk])).content.decode()
    assert "Ready" in page and "preparing search by meaning" in page
    assert "?reading=1" not in page  # its poll does not reload the page when embedding ends
    row = client.get(reverse("library:index")).content.decode()
    assert "preparing search by meaning" in row and 'data-label="Chapters">–' not in row

    engine.run_inline(embed_job(book).pk)
    page = client.get(reverse("library:book", args=[book.pk])).content.decode()
    assert "preparing search by meaning" not in page and "data-poll" not in page


def test_the_api_names_the_job_that_prepares_search_by_meaning(client, alice, later):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    client.force_login(alice)
    data = client.get(f"/api/books/{book.pk}").json()
    job = embed_job(book)
    assert data["status"] == "ready" and data["embedding_job"] == job.pk
    assert client.get(f"/api/jobs/{job.pk}").status_code == 200
    engine.run_inline(job.pk)
    assert client.get(f"/api/books/{book.pk}").json()["embedding_job"] is None


def test_reading_a_new_version_is_not_blocked_by_a_pending_embedding(alice, later):
    from lectures.staleness import submit_new_version

    book = ingest(alice, "valuation.md", VALUATION_MD)
    job = submit_new_version(book, alice, enqueue=False)
    engine.run_inline(job.pk)
    assert (
        GenerationJob.objects.filter(kind=EMBED_KIND_NAME, target_id=book.pk).count() == 1
    )  # still one waiting
    engine.run_inline(embed_job(book).pk)
    assert not Chunk.objects.filter(book=book, embedding__isnull=True).exists()


def test_the_ingest_command_embeds_the_passages_too(alice, later, tmp_path, capsys):
    path = tmp_path / "valuation.md"
    path.write_text(VALUATION_MD)
    call_command("ingest", str(path), user=alice.username)
    book = Book.objects.get(owner=alice)
    assert book.status == Book.Status.READY
    assert not Chunk.objects.filter(book=book, embedding__isnull=True).exists()
    assert embed_job(book).status == GenerationJob.Status.COMPLETE


def test_reading_again_in_this_process_embeds_the_new_passages_too(alice, later, tmp_path):
    from lectures.staleness import reingest

    book = ingest(alice, "valuation.md", VALUATION_MD)
    engine.run_inline(embed_job(book).pk)
    changed = tmp_path / "valuation-v2.md"
    changed.write_text(VALUATION_MD.replace("Free cash flow", "Free cash flow to the firm", 1))
    reingest(book, new_file=changed)
    assert not Chunk.objects.filter(book=book, embedding__isnull=True).exists()
    assert not GenerationJob.objects.filter(kind=EMBED_KIND_NAME, status=GenerationJob.Status.QUEUED).exists()
