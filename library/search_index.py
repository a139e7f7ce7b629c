"""Search statistics written at ingestion (after a book's passages are stored): BM25 document
frequencies, the narrow vector and text copies that search reads, the acronyms the book defines."""

from __future__ import annotations

from django.db import connection

from library.acronyms import best_expansions, mine
from library.models import Chunk

# The text side's narrow row per passage (library.models.ChunkText), in book order.
TEXT_ROWS = (
    "INSERT INTO library_chunktext (chunk_id, book_id, word_count, opens_section, search_vector) "
    "SELECT c.id, c.book_id, c.word_count, pc.heading_path IS DISTINCT FROM c.heading_path, c.search_vector "
    "FROM library_chunk c "
    "LEFT JOIN library_chunk pc ON pc.book_id = c.book_id AND pc.ordinal = c.ordinal - 1 "
    "WHERE c.book_id = %s ORDER BY c.ordinal"
)


def index_book(book_id: int) -> None:
    """Write a book's BM25 statistics, its narrow vector and text rows and the acronyms it defines
    (after its passages are stored)."""
    with connection.cursor() as cursor:
        # New passages wait in the GIN index's pending list, which every text query scans in full
        # until autovacuum merges it; merge it now (a query went from 1.5 ms to 15 ms without this).
        cursor.execute("SELECT gin_clean_pending_list('chunk_search_gin'::regclass)")
        cursor.execute("DELETE FROM library_chunktext WHERE book_id = %s", [book_id])
        cursor.execute(TEXT_ROWS, [book_id])
        cursor.execute("SELECT gin_clean_pending_list('chunktext_search_gin'::regclass)")
        cursor.execute("DELETE FROM library_termstat WHERE book_id = %s", [book_id])
        cursor.execute(
            "INSERT INTO library_termstat (book_id, lexeme, df) SELECT %s, u.lexeme, count(*) "
            "FROM library_chunktext c, unnest(c.search_vector) u WHERE c.book_id = %s GROUP BY u.lexeme",
            [book_id, book_id],
        )
        cursor.execute("DELETE FROM library_chunkvector WHERE book_id = %s", [book_id])
        cursor.execute(
            "INSERT INTO library_chunkvector (chunk_id, book_id, embedding) SELECT id, book_id, "
            "embedding::halfvec FROM library_chunk WHERE book_id = %s AND embedding IS NOT NULL ORDER BY id",
            [book_id],
        )
        cursor.execute(
            "INSERT INTO library_searchstats (book_id, chunks, words) "
            "SELECT %s, count(*), coalesce(sum(word_count), 0) FROM library_chunk WHERE book_id = %s "
            "ON CONFLICT (book_id) DO UPDATE SET chunks = EXCLUDED.chunks, words = EXCLUDED.words",
            [book_id, book_id],
        )
        found = best_expansions(mine(Chunk.objects.filter(book_id=book_id).values_list("text", flat=True)))
        cursor.execute("DELETE FROM library_acronym WHERE book_id = %s", [book_id])
        cursor.executemany(
            "INSERT INTO library_acronym (book_id, short, expansion, lexemes, count) "
            "VALUES (%s, %s, %s, tsvector_to_array(to_tsvector('english', %s)), %s)",
            [(book_id, short[:20], long[:300], long[:300], n) for short, (long, n) in sorted(found.items())],
        )
