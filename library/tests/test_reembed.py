"""Switching embedders on an existing database: one command changes the vector columns' dimension,
re-embeds (resumably) and rebuilds the vector indexes. DDL runs inside the test's transaction, so
the schema is back to normal afterwards."""

import pytest
from django.core.management import call_command
from django.db import connection

from docprof.ai.embeddings import HashingEmbedder
from library import reembedding
from library.models import Chapter, Chunk
from library.retrieval import search_chunks
from library.tests.books import VALUATION_MD
from library.tests.conftest import ingest

pytestmark = pytest.mark.django_db


def index_exists(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return cursor.fetchone() is not None


def test_reembed_changes_the_dimension_reembeds_and_rebuilds_the_indexes(alice, settings, capsys):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    assert reembedding.column_dimension("library_chunk") == settings.EMBEDDING_DIM
    settings.EMBEDDING_DIM = 64
    call_command("reembed")
    out = capsys.readouterr().out
    assert "changed to 64 dimensions" in out and "Re-embedded" in out
    for table in reembedding.VECTOR_TABLES:
        assert reembedding.column_dimension(table) == 64
    assert index_exists("chunkvector_embedding_hnsw") and index_exists("chapter_embedding_hnsw")
    name = HashingEmbedder(64).name
    assert set(Chunk.objects.values_list("embedder", flat=True)) == {name}
    assert Chapter.objects.filter(embedding__isnull=True).count() == 0
    hits = search_chunks("terminal value growth", [book.pk], k=3, mode="vector", embedder=HashingEmbedder(64))
    assert hits and hits[0].book_id == book.pk
    # Nothing left to do: a second run is quick and says so.
    call_command("reembed")
    assert "Re-embedded 0 passages" in capsys.readouterr().out


class Interrupting(HashingEmbedder):
    """Stops (as Ctrl-C would) after `batches` batches."""

    def __init__(self, dim, batches):
        super().__init__(dim)
        self.left = batches

    def embed(self, texts):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return super().embed(texts)


def test_an_interrupted_reembed_keeps_its_progress_and_resumes(alice):
    ingest(alice, "valuation.md", VALUATION_MD)
    reembedding.change_dimension(32)
    total = Chunk.objects.count()
    with pytest.raises(KeyboardInterrupt):
        reembedding.reembed_chunks(Interrupting(32, 1), batch=2)
    done = Chunk.objects.exclude(embedding__isnull=True).count()
    assert done == 2 and reembedding.stale(Chunk, HashingEmbedder(32)).count() == total - 2
    assert reembedding.reembed_chunks(HashingEmbedder(32), batch=2) == total - 2
    assert reembedding.stale(Chunk, HashingEmbedder(32)).count() == 0
