"""Hybrid retrieval: pgvector cosine (HNSW) and BM25 over full-text candidates, fused by normalised score.

Always scoped to a list of book ids the caller has already checked (see selectors.ready_book_ids).
The text side: the query's lexemes, expanded both ways with the acronyms the books in scope define
("GGM" <-> "Gordon growth model"), select candidates through the GIN index (all words, then the
rarest words), and BM25 (library.ranking, with heading words weighted) ranks them together with the
vector candidates. The text side's SQL is in library.fulltext; the statistics it needs (per-book
document frequencies, the narrow vector copy, acronyms) are written at ingestion by
library.search_index.index_book.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.db import connection, transaction

from docprof.ai.embeddings import Embedder
from docprof.ai.factory import get_embedder
from library.fulltext import (  # noqa: F401 (the text side's public functions, used from here)
    ALL_WORDS,
    ANY_WORD,
    HYBRID_TEXT_CAP,
    SCOPE_STATS,
    TEXT_CAP,
    TEXT_RANKED,
    _ranked_ids,
    _vector_literal,
    analyse_query,
    bm25_ranked,
    chunk_lexemes,
    chunk_positions,
    pool_scores,
    text_candidates,
    text_positions,
)
from library.ranking import QueryTerms
from library.search_index import index_book  # noqa: F401 (called by ingestion)

RRF_K = 60  # the usual reciprocal-rank-fusion constant
# Fusion weight of the vector scores (BM25's is 1), tuned on the development questions
# (bench/qa_eval.py): low for the hashing embedder, whose similarity only counts shared words
# (BM25 judges those better), full for a semantic embedder.
LEXICAL_VECTOR_WEIGHT = 0.2
SEMANTIC_VECTOR_WEIGHT = 3.0
VECTOR_WEIGHT = 1.0  # rank-fusion weight of the vector ranking (search_chapters)
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


# Per-scope strategy for the vector ranking (bench/search.py): a user's own books are usually a
# small share of a shared server. A scope of up to EXACT_SCAN_MAX_ROWS passages is searched exactly
# in the narrow vector table (library_chunkvector: half-precision vectors in line, in book order),
# which is faster than an HNSW scan that must skip everyone else's passages and than sorting the
# wide passage rows; a larger scope uses the HNSW index with iterative scans, with the book_id
# index kept out of that plan (`book_id + 0`) so the planner cannot fall back to an exact sort.
EXACT_SCAN_MAX_ROWS = 15_000
EXACT_SQL = (
    "SELECT chunk_id FROM library_chunkvector WHERE book_id = ANY(%(books)s) "
    "ORDER BY embedding <=> %(vec)s::halfvec, chunk_id LIMIT %(n)s"
)
HNSW_SQL = (
    "SELECT id FROM {table} WHERE book_id + 0 = ANY(%(books)s) AND embedding IS NOT NULL "
    "ORDER BY embedding <=> %(vec)s::vector LIMIT %(n)s"
)
SMALL_TABLE_SQL = (
    "SELECT id FROM {table} WHERE book_id = ANY(%(books)s) AND embedding IS NOT NULL "
    "ORDER BY embedding <=> %(vec)s::vector LIMIT %(n)s"
)


def scope_rows(book_ids: Sequence[int]) -> int:
    """How many passages the books hold (from their statistics)."""
    with connection.cursor() as cursor:
        cursor.execute(SCOPE_STATS, {"books": list(book_ids)})
        return int(cursor.fetchone()[0])


def _vector_ids(
    table: str, vector, book_ids: Sequence[int], limit: int, *, rows: int | None = None
) -> list[int]:
    params = {"books": list(book_ids), "vec": _vector_literal(vector), "n": limit}
    if table != "library_chunk":  # chapters: a few per book; the planner chooses
        return _ranked_ids(SMALL_TABLE_SQL.format(table=table), params)
    rows = scope_rows(book_ids) if rows is None else rows
    if rows <= EXACT_SCAN_MAX_ROWS:
        return _ranked_ids(EXACT_SQL, params)
    with transaction.atomic(), connection.cursor() as cursor:
        # Iterative scans keep filtered HNSW searches from returning too few rows (pgvector >= 0.8).
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cursor.execute(f"SET LOCAL hnsw.ef_search = {max(EF_SEARCH, limit)}")
        cursor.execute(HNSW_SQL.format(table=table), params)
        return [row[0] for row in cursor.fetchall()]


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


def fuse(
    *rankings: list[int], k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion; ties go to the item ranked higher by the last ranking (the
    text ranking in hybrid search), then to the lower id."""
    scores: dict[int, float] = {}
    for ordered, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, item in enumerate(ordered, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    last = {item: rank for rank, item in enumerate(rankings[-1])} if rankings else {}
    return sorted(scores.items(), key=lambda kv: (-round(kv[1], 12), last.get(kv[0], len(last)), kv[0]))


def search_chunks(
    query: str,
    book_ids: Sequence[int],
    k: int = 10,
    *,
    embedder: Embedder | None = None,
    mode: str = "hybrid",
    vector=None,
    extra_text: str = "",
    terms: QueryTerms | None = None,
) -> list[SearchHit]:
    """Top-k passages for `query` in `book_ids`. mode: hybrid | vector | text.

    `extra_text` (e.g. a model's rewrite of the question into the book's vocabulary) is searched
    with the query at a lower weight; `terms` is a ready `analyse_query` result."""
    if not book_ids:
        return []
    candidates = max(k * 4, 40)
    rankings, weights = [], []
    vector_ids: list[int] = []
    if mode in ("hybrid", "text") and terms is None:
        terms = analyse_query(query, book_ids, extra_text)
    if mode in ("hybrid", "vector"):
        if vector is None:
            text = f"{query} {terms.extra_text}".strip() if terms else f"{query} {extra_text}".strip()
            vector = (embedder or get_embedder()).embed_one(text)
        rows = terms.chunks if terms is not None else None
        vector_ids = _vector_ids("library_chunk", vector, book_ids, candidates, rows=rows)
        rankings.append(vector_ids)
        weights.append(VECTOR_WEIGHT)
    if mode in ("hybrid", "text"):
        text_ids = text_candidates(terms, query, book_ids, candidates)
        pool = text_ids | set(vector_ids)
        if mode == "hybrid":
            # Both scores over the same candidates (a passage only the text side found still gets
            # its exact cosine, and the reverse), normalised and added: unlike rank fusion, a clear
            # BM25 winner (a rare word of the question) keeps its lead.
            weight = vector_weight(embedder or get_embedder())
            bm25, cosine = pool_scores(terms, pool, vector)
            return _load_chunk_hits(fuse_scores(cosine, bm25, weight)[:k])
        rankings.append(bm25_ranked(terms, pool)[:candidates])
        weights.append(1.0)
    fused = fuse(*rankings, weights=weights)[:k]
    return _load_chunk_hits(fused)


def vector_weight(embedder: Embedder) -> float:
    return LEXICAL_VECTOR_WEIGHT if embedder.relevance_threshold is None else SEMANTIC_VECTOR_WEIGHT


def fuse_scores(
    cosine: dict[int, float], bm25: dict[int, float], vector_weight: float = 1.0
) -> list[tuple[int, float]]:
    """Min-max normalised scores over the candidate pool, weighted and added."""

    def norm(scores):
        if not scores:
            return {}
        lo, hi = min(scores.values()), max(scores.values())
        return {i: (v - lo) / (hi - lo) if hi > lo else 1.0 for i, v in scores.items()}

    c, b = norm(cosine), norm(bm25)
    fused = {i: vector_weight * c.get(i, 0.0) + b.get(i, 0.0) for i in set(c) | set(b)}
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


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
