"""Switching embedders: change the vector columns' dimension, rebuild the vector indexes, re-embed.

Safe to interrupt and resumable: vectors are written batch by batch, each batch in its own short
transaction with the embedder's name; a passage counts as done when it has a vector made by the
configured embedder, so running again continues where the last run stopped. Search keeps working
meanwhile (passages without a vector are found by full text only; without the HNSW index, vector
search scans exactly).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q

from docprof.ai.embeddings import Embedder
from library.chunking import ChunkDraft
from library.models import BookSummary, Chapter, Chunk, ChunkVector

# table -> its HNSW index (as library.models declares it). Passages are searched through their
# narrow copy (library_chunkvector, half precision), which follows library_chunk and holds the index.
VECTOR_TABLES = {
    "library_chunk": "chunkvector_embedding_hnsw",
    "library_chapter": "chapter_embedding_hnsw",
    "library_booksummary": None,
}
BATCH = 256


def index_sql(name: str) -> str:
    """The CREATE INDEX statement of an HNSW index, from its declaration in library.models (the
    one the migrations were made from)."""
    for model in (ChunkVector, Chapter):
        for index in model._meta.indexes:
            if index.name == name:
                with connection.schema_editor(collect_sql=True, atomic=False) as editor:
                    return str(index.create_sql(model, editor))
    raise KeyError(f"no model declares the index {name}")


def column_dimension(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = %s::regclass AND attname = 'embedding'",
            [table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] > 0 else None


def change_dimension(dim: int) -> list[str]:
    """Make every vector column `dim`-dimensional; its old vectors (now meaningless) are cleared and
    its HNSW index dropped (rebuilt by `ensure_indexes` once the vectors are back). Returns the
    tables changed."""
    changed = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
        for table, index in VECTOR_TABLES.items():
            if column_dimension(table) == dim:
                continue
            if index:
                cursor.execute(f"DROP INDEX IF EXISTS {index}")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN embedding TYPE vector({int(dim)}) USING NULL")
            cursor.execute(f"UPDATE {table} SET embedder = ''")
            if table == "library_chunk":
                cursor.execute("DELETE FROM library_chunkvector")
                cursor.execute(
                    f"ALTER TABLE library_chunkvector ALTER COLUMN embedding TYPE halfvec({int(dim)})"
                )
            changed.append(table)
    return changed


def ensure_indexes() -> list[str]:
    """Create the HNSW indexes that are missing (as the migrations define them). Returns those built."""
    built = []
    with connection.cursor() as cursor:
        for index in filter(None, VECTOR_TABLES.values()):
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [index])
            if cursor.fetchone():
                continue
            cursor.execute(index_sql(index))
            built.append(index)
    return built


def write_vectors(table: str, ids: list[int], vectors, name: str) -> None:
    """Store vectors in one short transaction. Raw SQL, cast to the column's own type: the model
    field's declared dimension (settings at import time) plays no part."""
    literals = ["[" + ",".join(f"{float(x):.7g}" for x in v) + "]" for v in vectors]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET embedding = v.e::vector, embedder = %s "
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, e) WHERE t.id = v.id",
            [name, ids, literals],
        )
        if table == "library_chunk":  # and the narrow copy exact search reads
            cursor.execute(
                "INSERT INTO library_chunkvector (chunk_id, book_id, embedding) "
                "SELECT id, book_id, embedding::halfvec FROM library_chunk WHERE id = ANY(%s) "
                "ON CONFLICT (chunk_id) DO UPDATE SET embedding = EXCLUDED.embedding",
                [ids],
            )


def stale(model, embedder: Embedder, everything: bool = False):
    rows = model.objects.all()
    return rows if everything else rows.filter(Q(embedding__isnull=True) | ~Q(embedder=embedder.name))


def chunk_text(chunk: Chunk) -> str:
    from library.services import _embedding_text  # the text ingestion embeds, exactly

    return _embedding_text(ChunkDraft(chunk.text, chunk.heading_path, None, None, 0))


def reembed_chunks(
    embedder: Embedder,
    progress: Callable[[int], None] = lambda n: None,
    batch: int = BATCH,
    book_id: int | None = None,
) -> int:
    """Re-embed every passage (of one book, or all) without a vector from `embedder`, batch by
    batch. Returns passages done."""
    done, last_id = 0, 0
    rows = stale(Chunk, embedder)
    if book_id is not None:
        rows = rows.filter(book_id=book_id)
    while True:
        chunks = list(rows.filter(id__gt=last_id).order_by("id").only("id", "text", "heading_path")[:batch])
        if not chunks:
            return done
        vectors = embedder.embed([chunk_text(c) for c in chunks])
        write_vectors("library_chunk", [c.id for c in chunks], vectors, embedder.name)
        last_id = chunks[-1].id
        done += len(chunks)
        progress(len(chunks))


def reembed_summaries(embedder: Embedder, book_id: int | None = None) -> int:
    """Chapters and book summaries (few per book) of one book, or all."""
    count = 0
    mine = {} if book_id is None else {"book_id": book_id}
    chapters = list(stale(Chapter, embedder).filter(**mine).only("id", "title", "summary"))
    for start in range(0, len(chapters), BATCH):
        part = chapters[start : start + BATCH]
        vectors = embedder.embed([f"{c.title}. {c.summary}" for c in part])
        write_vectors("library_chapter", [c.id for c in part], vectors, embedder.name)
        count += len(part)
    summaries = list(stale(BookSummary, embedder).filter(**mine).only("id", "text"))
    if summaries:
        vectors = embedder.embed([s.text for s in summaries])
        write_vectors("library_booksummary", [s.id for s in summaries], vectors, embedder.name)
    return count + len(summaries)


def mark_all_stale() -> None:
    """For `reembed --all`: forget which embedder made the current vectors (they are kept)."""
    with transaction.atomic():
        for model in (Chunk, Chapter, BookSummary):
            model.objects.update(embedder="")
