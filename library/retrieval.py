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

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.db import connection

from docprof.ai.embeddings import Embedder
from docprof.ai.factory import get_embedder
from library import ranking
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
    hybrid_pool_scores,
    neighbourhood_lexemes,
    pool_scores,
    scope_array,
    scope_phrases_held,
    scope_uses_word,
    scope_vocabulary_near,
    text_candidates,
    text_positions,
    word_lexemes,
)
from library.ranking import QueryTerms
from library.search_index import index_book  # noqa: F401 (called by ingestion)

RRF_K = 60  # the usual reciprocal-rank-fusion constant
# Fusion weight of the vector scores (BM25's is 1), tuned on the development questions
# (bench/qa_eval.py): low for the hashing embedder, whose similarity only counts shared words
# (BM25 judges those better), above BM25's for a semantic embedder. all-MiniLM-L6-v2, dev halves of
# both question sets, recall@5 plain / unlike-worded: BM25 alone 52/27 of 54/51, the vector
# alone 47/25, fused 51/33-35 for any weight from 1 to 3 (3: 51/34, 1.5: 51/35; 5: 50/33); rank
# fusion and z-scores did no better. Each side finds passages the other misses.
LEXICAL_VECTOR_WEIGHT = 0.2
SEMANTIC_VECTOR_WEIGHT = 1.5
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
    # Cosine similarity of the query and the passage under a semantic embedder (hybrid search),
    # evidence of a match in meaning for the offline judge; None under the hashing embedder (its
    # cosine only counts shared words) or when the search did not compute it. Not part of the
    # search results' shape.
    similarity: float | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("similarity")
        return data


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
# small share of a shared server. Both strategies read the narrow vector table (library_chunkvector:
# half-precision vectors in line, in book order). A scope of up to EXACT_SCAN_MAX_ROWS passages is
# searched exactly, which is faster than an HNSW scan that must skip everyone else's passages; a
# larger scope uses the table's HNSW index with iterative scans, with the book_id index kept out of
# that plan (`book_id + 0`) so the planner cannot fall back to an exact sort. (The index was on the
# wide passage rows before: twice the size, and every candidate's book and distance read from a
# wide row and its out-of-line vector.)
#
# Both branches are in one statement and the scope's size (from its statistics) switches one of
# them off at run time (a one-time filter), so choosing costs no round trip. The HNSW settings are
# set for this statement only by set_config(..., true) in the branch's one-time filter, which runs
# before the index scan starts (no transaction, SET LOCAL or COMMIT round trips). Iterative scans
# keep filtered HNSW searches from returning too few rows (pgvector >= 0.8); `relaxed_order` may
# return rows slightly out of order, so the distances are sorted again.
EXACT_SCAN_MAX_ROWS = 15_000
# The exact branch's distance is `(...) + 0` so that the planner cannot serve its ORDER BY from the
# HNSW index (an index scan without the iterative settings, under an incremental sort, can return
# fewer rows than asked).
EXACT_BRANCH = (
    "SELECT chunk_id AS id, (embedding <=> %(vec)s::halfvec) + 0 AS d FROM library_chunkvector "
    "WHERE {gate}book_id = ANY(%(books)s) ORDER BY 2, 1 LIMIT %(n)s"
)
HNSW_BRANCH = (
    "SELECT chunk_id AS id, embedding <=> %(vec)s::halfvec AS d FROM library_chunkvector "
    "WHERE {gate}(SELECT set_config('hnsw.ef_search', %(ef)s, true) "
    "|| set_config('hnsw.iterative_scan', 'relaxed_order', true)) IS NOT NULL "
    "AND book_id + 0 = ANY(%(books)s) ORDER BY embedding <=> %(vec)s::halfvec LIMIT %(n)s"
)
SCOPE_SIZE = "(SELECT coalesce(sum(chunks), 0) FROM library_searchstats WHERE book_id = ANY(%(books)s))"
NEAREST_CTE = (
    f"nearest AS MATERIALIZED (({EXACT_BRANCH.format(gate=SCOPE_SIZE + ' <= %(exact_max)s AND ')}) "
    f"UNION ALL ({HNSW_BRANCH.format(gate=SCOPE_SIZE + ' > %(exact_max)s AND ')}))"
)


def nearest_cte(rows: int) -> str:
    """The `nearest` CTE for a scope whose size is known (hybrid search: from the query's
    statistics): only the branch it needs, which saves planning the other one."""
    branch = EXACT_BRANCH if rows <= EXACT_SCAN_MAX_ROWS else HNSW_BRANCH
    return f"nearest AS MATERIALIZED ({branch.format(gate='')})"


NEAREST_SQL = "WITH " + NEAREST_CTE + " SELECT id FROM nearest ORDER BY d, id"
SMALL_TABLE_SQL = (
    "SELECT id FROM {table} WHERE book_id = ANY(%(books)s) AND embedding IS NOT NULL "
    "ORDER BY embedding <=> %(vec)s::vector LIMIT %(n)s"
)


def scope_rows(book_ids: Sequence[int]) -> int:
    """How many passages the books hold (from their statistics)."""
    with connection.cursor() as cursor:
        cursor.execute(SCOPE_STATS, {"books": scope_array(book_ids)})
        return int(cursor.fetchone()[0])


def _nearest_params(vector, book_ids: Sequence[int], limit: int) -> dict:
    return {
        "books": scope_array(book_ids),
        "vec": _vector_literal(vector),
        "n": limit,
        "exact_max": EXACT_SCAN_MAX_ROWS,
        "ef": str(max(EF_SEARCH, limit)),
    }


def _vector_ids(table: str, vector, book_ids: Sequence[int], limit: int) -> list[int]:
    """The `limit` passages (or chapters) of `book_ids` nearest to `vector`, nearest first."""
    if table != "library_chunk":  # chapters: a few per book; the planner chooses
        params = {"books": scope_array(book_ids), "vec": _vector_literal(vector), "n": limit}
        return _ranked_ids(SMALL_TABLE_SQL.format(table=table), params)
    return _ranked_ids(NEAREST_SQL, _nearest_params(vector, book_ids, limit))


def _text_ids(
    table: str, query: str, book_ids: Sequence[int], limit: int, *, rerank_ids: Sequence[int] | None = None
) -> list[int]:
    """All query words first (GIN index). When that finds too little -- a question worded unlike
    the book -- any of the words, ranked by cover density: over the whole scope in text mode, or
    only over `rerank_ids` (the vector candidates) in hybrid mode, which keeps it cheap at scale
    (an any-word match over a million passages touches hundreds of thousands of rows)."""
    # Ranking reads each matching row; in hybrid mode the vector ranking carries recall, so fewer do.
    cap = TEXT_CAP if rerank_ids is None else HYBRID_TEXT_CAP
    params = {
        "books": scope_array(book_ids),
        "q": query,
        "n": limit,
        "cap": cap,
        "ids": list(rerank_ids or []),
    }
    scope = "c.book_id = ANY(%(books)s)"
    ids = _ranked_ids(TEXT_RANKED.format(tsq=ALL_WORDS, table=table, key="id", scope=scope), params)
    if len(ids) < limit:
        if rerank_ids is not None:
            scope = "c.id = ANY(%(ids)s)"
        more = _ranked_ids(TEXT_RANKED.format(tsq=ANY_WORD, table=table, key="id", scope=scope), params)
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
    with the query at a lower weight; `terms` is a ready `analyse_query` result.

    Round trips: vector 1 (the nearest passages with their fields); hybrid 3 (the query's
    statistics, unless `terms` is given; every candidate's BM25 rows and cosine; the k passages)."""
    if not book_ids:
        return []
    candidates = max(k * 4, 40)
    if mode in ("hybrid", "text") and terms is None:
        terms = analyse_query(query, book_ids, extra_text)
    if mode in ("hybrid", "vector") and vector is None:
        vector = query_vector(query, terms, embedder, extra_text)
    if mode == "vector":
        return _nearest_hits(vector, book_ids, k, candidates)
    if mode == "hybrid":
        # Both scores over the same candidates (a passage only the text side found still gets its
        # exact cosine, and the reverse), normalised and added: unlike rank fusion, a clear BM25
        # winner (a rare word of the question) keeps its lead.
        embedder = embedder or get_embedder()
        bm25, cosine = hybrid_pool_scores(
            terms,
            query,
            book_ids,
            candidates,
            nearest_cte(terms.chunks),
            _nearest_params(vector, book_ids, candidates),
        )
        fused = with_context(terms, fuse_scores(cosine, bm25, vector_weight(embedder)))
        hits = _load_chunk_hits(fused[:k])
        if is_semantic(embedder):
            for hit in hits:
                hit.similarity = cosine.get(hit.chunk_id)
        return hits
    text_ids = text_candidates(terms, query, book_ids, candidates)
    fused = fuse(bm25_ranked(terms, text_ids)[:candidates])[:k]
    return _load_chunk_hits(fused)


def query_vector(
    query: str, terms: QueryTerms | None, embedder: Embedder | None = None, extra_text: str = ""
):
    """The embedding a search compares passages with: the query and the text added to it (acronym
    expansions, a model's rewrite)."""
    text = f"{query} {terms.extra_text}".strip() if terms else f"{query} {extra_text}".strip()
    return (embedder or get_embedder()).embed_one(text)


CONTEXT_POOL = 30  # the fused ranking's first passages whose neighbourhood is read


def with_context(terms: QueryTerms, fused: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The first CONTEXT_POOL passages of `fused` scored again with their neighbourhood's share of
    the query's words (ranking.context_bonus; one round trip), ahead of the rest as before."""
    if not ranking.CONTEXT_WEIGHT or not fused:
        return fused
    head, tail = fused[:CONTEXT_POOL], fused[CONTEXT_POOL:]
    held = neighbourhood_lexemes([i for i, _ in head], list(terms.weights), ranking.CONTEXT_REACH)
    bonus = ranking.context_bonus(terms, held)
    head = sorted(((i, s + bonus.get(i, 0.0)) for i, s in head), key=lambda kv: (-kv[1], kv[0]))
    return head + tail


def is_semantic(embedder: Embedder) -> bool:
    """Whether the embedder's similarity means a match in meaning (a model), not only shared words
    (the hashing embedder, which declares no relevance threshold)."""
    return embedder.relevance_threshold is not None


def vector_weight(embedder: Embedder) -> float:
    return SEMANTIC_VECTOR_WEIGHT if is_semantic(embedder) else LEXICAL_VECTOR_WEIGHT


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


HIT_COLUMNS = (
    "c.id, c.book_id, b.title, c.chapter_id, ch.title, c.page_start, c.page_end, c.heading_path, c.text"
)
HITS_SQL = (
    f"SELECT {HIT_COLUMNS} FROM library_chunk c JOIN library_book b ON b.id = c.book_id "
    "JOIN library_chapter ch ON ch.id = c.chapter_id WHERE c.id = ANY(%(ids)s)"
)
# Vector mode in one statement: the nearest passages, nearest first, with their fields.
NEAREST_HITS_SQL = (
    f"WITH {NEAREST_CTE} SELECT {HIT_COLUMNS} FROM nearest JOIN library_chunk c ON c.id = nearest.id "
    "JOIN library_book b ON b.id = c.book_id JOIN library_chapter ch ON ch.id = c.chapter_id "
    "ORDER BY nearest.d, nearest.id"
)


def _hit(row, score: float) -> SearchHit:
    chunk_id, book_id, book_title, chapter_id, chapter, page_start, page_end, heading_path, text = row
    if isinstance(heading_path, str | bytes):  # Django reads jsonb as text
        heading_path = json.loads(heading_path)
    return SearchHit(
        chunk_id,
        book_id,
        book_title,
        chapter_id,
        chapter,
        page_start,
        page_end,
        heading_path,
        text,
        round(score, 6),
    )


def _nearest_hits(vector, book_ids: Sequence[int], k: int, candidates: int) -> list[SearchHit]:
    """Vector mode: the k nearest passages (of the `candidates` nearest), scored like a single
    ranking in `fuse`."""
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_HITS_SQL, _nearest_params(vector, book_ids, candidates))
        rows = cursor.fetchmany(k)
    return [_hit(row, VECTOR_WEIGHT / (RRF_K + rank)) for rank, row in enumerate(rows, start=1)]


def _load_chunk_hits(fused: list[tuple[int, float]]) -> list[SearchHit]:
    if not fused:
        return []
    with connection.cursor() as cursor:
        cursor.execute(HITS_SQL, {"ids": [i for i, _ in fused]})
        rows = {row[0]: row for row in cursor.fetchall()}
    return [_hit(rows[chunk_id], score) for chunk_id, score in fused if chunk_id in rows]


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
# --- Course material: which passages teach a request's topics (courses/planning/material.py) ----
def _any_query(texts: Sequence[str], fn: str) -> tuple[str, list[str]]:
    """`(fn(t1) || fn(t2) ...)` over the non-empty phrasings, with their parameters."""
    texts = [t for t in texts if t.strip()]
    if not texts:
        return "NULL::tsquery", []
    return "(" + " || ".join([f"{fn}('english', %s)"] * len(texts)) + ")", list(texts)


def topic_passages(
    book_ids: Sequence[int], phrases: Sequence[Sequence[str]], all_words: Sequence[Sequence[str]]
) -> list[dict]:
    """Passages of `book_ids` that contain at least one topic: topic i as a phrase (any of
    `phrases[i]`) or with all its words (any of `all_words[i]`) -- headings count, they are part of
    the passage's text vector. Each row says which topics matched and how."""
    if not book_ids or not phrases:
        return []
    columns, params, wanted = [], [], []
    for i, (phr, words) in enumerate(zip(phrases, all_words, strict=True)):
        pq, pp = _any_query(phr, "phraseto_tsquery")
        wq, wp = _any_query(words, "plainto_tsquery")
        columns.append(f"coalesce(search_vector @@ {pq}, false) AS p{i}")
        columns.append(f"coalesce(search_vector @@ {wq}, false) AS w{i}")
        params += pp + wp
        wanted.append((wq, wp))
    where = " || ".join(q for q, _ in wanted if q != "NULL::tsquery") or "NULL::tsquery"
    sql = (
        f"SELECT id, book_id, chapter_id, ordinal, word_count, heading_path, {', '.join(columns)} "
        f"FROM library_chunk WHERE book_id = ANY(%s) AND search_vector @@ ({where})"
    )
    params += [list(book_ids)] + [p for _, ps in wanted for p in ps]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    n = len(phrases)
    return [
        {
            "chunk_id": r[0],
            "book_id": r[1],
            "chapter_id": r[2],
            "ordinal": r[3],
            "word_count": r[4],
            "heading_path": r[5] if isinstance(r[5], list) else [],
            "phrase": [i for i in range(n) if r[6 + 2 * i]],
            "words": [i for i in range(n) if r[7 + 2 * i]],
        }
        for r in rows
    ]


def word_passage_counts(book_ids: Sequence[int], words: Sequence[str]) -> dict[str, dict[int, int]]:
    """For each word: in how many passages of each book it occurs (stemmed full text, GIN index)."""
    counts: dict[str, dict[int, int]] = {}
    with connection.cursor() as cursor:
        for word in dict.fromkeys(words):
            cursor.execute(
                "SELECT book_id, count(*) FROM library_chunk WHERE book_id = ANY(%s) "
                "AND search_vector @@ plainto_tsquery('english', %s) GROUP BY book_id",
                [list(book_ids), word],
            )
            counts[word] = dict(cursor.fetchall())
    return counts


def passages_mentioning(book_ids: Sequence[int], word: str, limit: int = 200) -> list[str]:
    """Texts of passages that contain `word` (used to spell out acronyms)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT text FROM library_chunk WHERE book_id = ANY(%s) "
            "AND search_vector @@ plainto_tsquery('english', %s) ORDER BY id LIMIT %s",
            [list(book_ids), word, limit],
        )
        return [row[0] for row in cursor.fetchall()]


# Passages that use a phrase and match a (Postgres) regular expression, first in book order: how
# a definition question finds the passage that defines its term when the ranking put it far down.
MATCHING_HITS_SQL = (
    f"SELECT {HIT_COLUMNS} FROM library_chunk c JOIN library_book b ON b.id = c.book_id "
    "JOIN library_chapter ch ON ch.id = c.chapter_id "
    "WHERE c.book_id = ANY(%(books)s) AND c.search_vector @@ phraseto_tsquery('english', %(phrase)s) "
    "AND c.text ~* %(regex)s ORDER BY c.book_id, c.ordinal LIMIT %(limit)s"
)


def passages_matching(phrase: str, regex: str, book_ids: Sequence[int], limit: int = 10) -> list[SearchHit]:
    """Up to `limit` passages of `book_ids` holding `phrase` (full text) whose text matches `regex`
    (a Postgres regular expression, case-insensitive), in book order; scored 0."""
    if not book_ids or not phrase.strip():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            MATCHING_HITS_SQL, {"books": list(book_ids), "phrase": phrase, "regex": regex, "limit": limit}
        )
        return [_hit(row, 0.0) for row in cursor.fetchall()]
