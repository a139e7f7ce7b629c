"""Passage vector search moves to the narrow half-precision table: its HNSW index replaces the one on
the wide passage rows (measured with bench/search.py; see docs/BENCHMARKS.md, search).

On a large library the build takes a while (about as long as the index it replaces took); it is
`IF NOT EXISTS`, so an operator may build it beforehand with more `maintenance_work_mem`
(the same statement) and then migrate. Reverse: the wide index is built again."""

import pgvector.django.indexes
from django.db import migrations

NARROW = (
    "CREATE INDEX IF NOT EXISTS chunkvector_embedding_hnsw ON library_chunkvector "
    "USING hnsw (embedding halfvec_cosine_ops) WITH (m = 16, ef_construction = 128)"
)
WIDE = (
    "CREATE INDEX IF NOT EXISTS chunk_embedding_hnsw ON library_chunk "
    "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 128)"
)


class Migration(migrations.Migration):
    dependencies = [("library", "0006_merge_20261130_0410")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(NARROW, "DROP INDEX IF EXISTS chunkvector_embedding_hnsw"),
                migrations.RunSQL("DROP INDEX IF EXISTS chunk_embedding_hnsw", WIDE),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="chunkvector",
                    index=pgvector.django.indexes.HnswIndex(
                        ef_construction=128,
                        fields=["embedding"],
                        m=16,
                        name="chunkvector_embedding_hnsw",
                        opclasses=["halfvec_cosine_ops"],
                    ),
                ),
                migrations.RemoveIndex(model_name="chunk", name="chunk_embedding_hnsw"),
            ],
        ),
    ]
