"""Hybrid retrieval: pgvector cosine (HNSW) and Postgres full text (GIN), fused by reciprocal rank.

Always scoped to a list of book ids the caller has already checked (see selectors.ready_book_ids).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.db import connection, transaction

from docprof.ai.embeddings import Embedder
from docprof.ai.factory import get_embedder

RRF_K = 60  # the usual reciprocal-rank-fusion constant
MAX_QUERY_CHARS = 2000
MAX_K = 50
EF_SEARCH = 100  # HNSW candidate list per query (bench/search.py measures recall@10 against exact search)


class QueryError(ValueError):
    """A query a person must fix (empty, too long, bad k)."""


@dataclass
class SearchHit:
    chunk_id: int
    book_id: int
    book_title: str
    chapter_id: int
    chapter: str
    page_start: int | None
    page_end: int | None
    heading_path: list[str]
    text: str
    score: float

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ChapterHit:
    chapter_id: int
    book_id: int
    book_title: str
    chapter: str
    summary: str
    page_start: int | None
    page_end: int | None
    score: float


def clean_query(query: str | None, k: int | str | None = 10) -> tuple[str, int]:
    query = (query or "").strip()
    if not query:
        raise QueryError("Enter something to search for.")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}.")
    try:
        k = int(k if k not in (None, "") else 10)
    except (TypeError, ValueError):
        raise QueryError("k must be a whole number.")
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k must be between 1 and {MAX_K}.")
    return query, k


def _ranked_ids(sql: str, params: dict) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _vector_ids(table: str, vector, book_ids: Sequence[int], limit: int) -> list[int]:
    with transaction.atomic(), connection.cursor() as cursor:
        # Iterative scans keep filtered HNSW searches from returning too few rows (pgvector >= 0.8).
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, limit)}")
        cursor.execute(
            f"SELECT id FROM {table} WHERE book_id = ANY(%(books)s) AND embedding IS NOT NULL "
            "ORDER BY embedding <=> %(vec)s::vector LIMIT %(n)s",
            {"books": list(book_ids), "vec": _vector_literal(vector), "n": limit},
        )
        return [row[0] for row in cursor.fetchall()]


TEXT_CAP = 5000  # matching rows ranked by ts_rank_cd in text mode
HYBRID_TEXT_CAP = 1000
ALL_WORDS = "plainto_tsquery('english', %(q)s)"
ANY_WORD = "replace(plainto_tsquery('english', %(q)s)::text, ' & ', ' | ')::tsquery"
TEXT_RANKED = (
    "WITH query AS (SELECT {tsq} AS q) "
    "SELECT m.id FROM (SELECT c.id, c.search_vector FROM {table} c, query "
    "WHERE {scope} AND c.search_vector @@ query.q LIMIT %(cap)s) m, query "
    "ORDER BY ts_rank_cd(m.search_vector, query.q, 32) DESC, m.id LIMIT %(n)s"
)


def _text_ids(
    table: str, query: str, book_ids: Sequence[int], limit: int, *, rerank_ids: Sequence[int] | None = None
) -> list[int]:
    """All query words first (GIN index). When that finds too little -- a question worded unlike
    the book -- any of the words, ranked by cover density: over the whole scope in text mode, or
    only over `rerank_ids` (the vector candidates) in hybrid mode, which keeps it cheap at scale
    (an any-word match over a million passages touches hundreds of thousands of rows)."""
    # Ranking reads each matching row; in hybrid mode the vector ranking carries recall, so fewer do.
    cap = TEXT_CAP if rerank_ids is None else HYBRID_TEXT_CAP
    params = {"books": list(book_ids), "q": query, "n": limit, "cap": cap, "ids": list(rerank_ids or [])}
    scope = "c.book_id = ANY(%(books)s)"
    ids = _ranked_ids(TEXT_RANKED.format(tsq=ALL_WORDS, table=table, scope=scope), params)
    if len(ids) < limit:
        if rerank_ids is not None:
            scope = "c.id = ANY(%(ids)s)"
        more = _ranked_ids(TEXT_RANKED.format(tsq=ANY_WORD, table=table, scope=scope), params)
        seen = set(ids)
        ids += [i for i in more if i not in seen][: limit - len(ids)]
    return ids


def _vector_literal(vector) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


def fuse(*rankings: list[int], k: int = RRF_K) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def search_chunks(
    query: str,
    book_ids: Sequence[int],
    k: int = 10,
    *,
    embedder: Embedder | None = None,
    mode: str = "hybrid",
    vector=None,
) -> list[SearchHit]:
    """Top-k passages for `query` in `book_ids`. mode: hybrid | vector | text."""
    if not book_ids:
        return []
    candidates = max(k * 4, 40)
    rankings = []
    vector_ids = None
    if mode in ("hybrid", "vector"):
        vector = vector if vector is not None else (embedder or get_embedder()).embed_one(query)
        vector_ids = _vector_ids("library_chunk", vector, book_ids, candidates)
        rankings.append(vector_ids)
    if mode in ("hybrid", "text"):
        rankings.append(_text_ids("library_chunk", query, book_ids, candidates, rerank_ids=vector_ids))
    fused = fuse(*rankings)[:k]
    return _load_chunk_hits(fused)


def _load_chunk_hits(fused: list[tuple[int, float]]) -> list[SearchHit]:
    from library.models import Chunk

    if not fused:
        return []
    rows = (
        Chunk.objects.filter(id__in=[i for i, _ in fused])
        .select_related("book", "chapter")
        .only(
            "id",
            "text",
            "heading_path",
            "page_start",
            "page_end",
            "book__id",
            "book__title",
            "chapter__id",
            "chapter__title",
        )
    )
    by_id = {c.id: c for c in rows}
    hits = []
    for chunk_id, score in fused:
        c = by_id.get(chunk_id)
        if c is None:
            continue
        hits.append(
            SearchHit(
                c.id,
                c.book_id,
                c.book.title,
                c.chapter_id,
                c.chapter.title,
                c.page_start,
                c.page_end,
                c.heading_path,
                c.text,
                round(score, 6),
            )
        )
    return hits


def search_chapters(
    query: str, book_ids: Sequence[int], k: int = 10, *, embedder: Embedder | None = None, vector=None
) -> list[ChapterHit]:
    """Chapters whose title and summary match `query` (course planning, phase 2)."""
    from library.models import Chapter

    if not book_ids:
        return []
    vector = vector if vector is not None else (embedder or get_embedder()).embed_one(query)
    candidates = max(k * 4, 40)
    vector_ids = _vector_ids("library_chapter", vector, book_ids, candidates)
    fused = fuse(
        vector_ids, _text_ids("library_chapter", query, book_ids, candidates, rerank_ids=vector_ids)
    )[:k]
    rows = {c.id: c for c in Chapter.objects.filter(id__in=[i for i, _ in fused]).select_related("book")}
    return [
        ChapterHit(c.id, c.book_id, c.book.title, c.title, c.summary, c.page_start, c.page_end, round(s, 6))
        for i, s in fused
        if (c := rows.get(i)) is not None
    ]


# --- request grounding (used by course planning) ----------------------------------------------
def term_coverage(terms: list[str], book_ids: Sequence[int]) -> tuple[list[str], list[str]]:
    """Which terms occur anywhere in the books (full text, stemmed): (covered, missing)."""
    covered, missing = [], []
    with connection.cursor() as cursor:
        for term in terms:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM library_chunk WHERE book_id = ANY(%s) "
                "AND search_vector @@ plainto_tsquery('english', %s))",
                [list(book_ids), term],
            )
            (covered if cursor.fetchone()[0] else missing).append(term)
    return covered, missing


def relevant_chunk_ids(
    chunk_ids: list[int], terms: list[str], vector, threshold: float | None
) -> dict[int, int]:
    """Passages that contain a term (full text) or are close in meaning (cosine >= threshold),
    each with how many distinct terms it contains."""
    if not chunk_ids:
        return {}
    relevant: dict[int, int] = {}
    with connection.cursor() as cursor:
        if terms:
            matches = " + ".join(["(search_vector @@ plainto_tsquery('english', %s))::int"] * len(terms))
            cursor.execute(f"SELECT id, {matches} FROM library_chunk WHERE id = ANY(%s)", [*terms, chunk_ids])
            relevant.update({row[0]: row[1] for row in cursor.fetchall() if row[1] > 0})
        if threshold is not None:
            cursor.execute(
                "SELECT id FROM library_chunk WHERE id = ANY(%s) AND 1 - (embedding <=> %s::vector) >= %s",
                [chunk_ids, _vector_literal(vector), threshold],
            )
            for (chunk_id,) in cursor.fetchall():
                relevant.setdefault(chunk_id, 0)
    return relevant


def looks_like_index(text: str) -> bool:
    """Tables of contents and indexes (dot leaders, page numbers) are not material to teach from."""
    tokens = text.split()
    if len(tokens) < 20:
        return False
    filler = sum(1 for t in tokens if t.strip(".,;") == "" or t.strip(".,;–-").isdigit())
    return filler / len(tokens) > 0.3
