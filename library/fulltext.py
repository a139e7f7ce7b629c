"""The full-text side of search (all its SQL): a query's lexemes with acronym expansions, candidate
passages through the GIN index, and BM25 (library.ranking) over them; the passage statistics the
answerers use. library.retrieval fuses this with the vector side.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from django.db import connection

from docprof.ai.text import STOPWORDS
from library import ranking
from library.acronyms import is_short_form
from library.ranking import QueryTerms


def _ranked_ids(sql: str, params: dict) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def scope_array(book_ids: Sequence[int]) -> str:
    """Book ids as one array literal ('{1,2,3}'), bound once however often a statement names it:
    psycopg adapts a list element by element at every place a parameter occurs, which cost more
    client time than the rest of a search; Postgres reads the literal as a constant of the
    column's type, so the planner still sees the scope."""
    return "{" + ",".join(str(int(book_id)) for book_id in book_ids) + "}"


def _vector_literal(vector) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


TEXT_CAP = 5000  # matching rows ranked by ts_rank_cd in text mode
HYBRID_TEXT_CAP = 1000
ALL_WORDS = "plainto_tsquery('english', %(q)s)"
ANY_WORD = "replace(plainto_tsquery('english', %(q)s)::text, ' & ', ' | ')::tsquery"
# The tsquery is written inline (not in a CTE), so the planner sees its selectivity and uses the
# GIN index for selective words even on a small library.
# `key`: the table's passage (or chapter) id column.
TEXT_RANKED = (
    "SELECT m.id FROM (SELECT c.{key} AS id, c.search_vector FROM {table} c "
    "WHERE {scope} AND c.search_vector @@ {tsq} LIMIT %(cap)s) m "
    "ORDER BY ts_rank_cd(m.search_vector, {tsq}, 32) DESC, m.id LIMIT %(n)s"
)


# -- Text side: query analysis, candidates, BM25 ------------------------------------------------

QUERY_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9&\-]{1,9}")
SCOPE_STATS = (
    "SELECT coalesce(sum(chunks), 0), coalesce(sum(words), 0) FROM library_searchstats "
    "WHERE book_id = ANY(%(books)s)"
)
# The text side reads passages from their narrow text rows (library_chunktext: the full-text
# vector in line, the length, whether the passage opens its section), never the wide passage rows.
# Per candidate and query word: occurrences, positions in the headings, the passage's length,
# whether it opens its section.
TERM_ROWS = (
    "SELECT c.chunk_id, u.lexeme, cardinality(u.positions), "
    "ARRAY(SELECT p FROM unnest(u.positions, u.weights) AS x(p, w) WHERE w = 'A'), "
    "c.word_count, c.opens_section FROM library_chunktext c "
    "CROSS JOIN LATERAL unnest(c.search_vector) u "
    "WHERE c.chunk_id = ANY(%(ids)s) AND u.lexeme = ANY(%(lex)s)"
)
# For each of the query's rarest words, the passages in scope where it weighs most (GIN index;
# one branch per word, each with its own constant tsquery so the planner sees its selectivity).
PER_WORD = (
    "(SELECT c.chunk_id AS id FROM library_chunktext c WHERE c.book_id = ANY(%(books)s) "
    "AND c.search_vector @@ {w}::tsquery "
    "ORDER BY ts_rank_cd(c.search_vector, {w}::tsquery, 32) DESC, c.chunk_id LIMIT %(per)s)"
)
RARE_BUDGET = 1000  # at most this many passages (whole library) read behind the rare-word matches
MAX_RARE = 6
PER_RARE_WORD = 30


def _short_forms(query: str) -> list[str]:
    shorts = set()
    for token in QUERY_TOKEN.findall(query):
        if is_short_form(token):
            shorts.update({token.upper(), token.rstrip("s").upper()})
        elif token.islower() and len(token) >= 3 and token not in STOPWORDS:
            shorts.add(token.upper())
    return sorted(shorts)


# One round trip: the query's lexemes (and those of any extra text), the acronyms of the books in
# scope that it uses (short form) or spells out (long form), the document frequencies (in scope and
# in the whole library) of every lexeme any of these could add (`= ANY(ARRAY(...))`, so that the
# unique index on (lexeme, book) is used rather than a join over the whole table), and the scope's size.
ANALYSE = (
    "WITH q AS (SELECT coalesce(array_agg(DISTINCT lexeme), '{}') AS lex "
    "FROM unnest(to_tsvector('english', %(q)s))), "
    "x AS (SELECT coalesce(array_agg(DISTINCT lexeme), '{}') AS lex "
    "FROM unnest(to_tsvector('english', %(extra)s))), "
    "a AS MATERIALIZED (SELECT short, expansion, lexemes, "
    "tsvector_to_array(to_tsvector('english', short)) AS short_lex FROM ("
    "SELECT DISTINCT short, expansion, lexemes FROM library_acronym WHERE book_id = ANY(%(books)s) "
    "AND (upper(short) = ANY(%(shorts)s) OR (cardinality(lexemes) >= 2 AND lexemes <@ (SELECT lex FROM q))) "
    "ORDER BY short, expansion LIMIT 20) s), "
    "l AS (SELECT unnest(q.lex || x.lex) AS lexeme FROM q, x "
    "UNION SELECT unnest(lexemes || short_lex) FROM a) "
    "SELECT q.lex, x.lex, "
    "(SELECT coalesce(json_agg(json_build_array(short, expansion, lexemes, short_lex) "
    "ORDER BY short, expansion), '[]') FROM a), "
    "(SELECT coalesce(sum(chunks), 0) FROM library_searchstats WHERE book_id = ANY(%(books)s)), "
    "(SELECT coalesce(sum(words), 0) FROM library_searchstats WHERE book_id = ANY(%(books)s)), "
    "(SELECT coalesce(json_agg(json_build_array(t.lexeme, t.scope_df, t.all_df)), '[]') FROM ("
    "SELECT lexeme, coalesce(sum(df) FILTER (WHERE book_id = ANY(%(books)s)), 0) AS scope_df, "
    "sum(df) AS all_df FROM library_termstat WHERE lexeme = ANY(ARRAY(SELECT lexeme FROM l)) "
    "GROUP BY lexeme) t) "
    "FROM q, x"
)


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def analyse_query(query: str, book_ids: Sequence[int], extra_text: str = "") -> QueryTerms:
    """The query's lexemes, acronym expansions (both ways) found in the books in scope, and the
    statistics BM25 needs (one round trip)."""
    books = list(book_ids)
    params = {"q": query, "extra": extra_text, "books": scope_array(books), "shorts": _short_forms(query)}
    with connection.cursor() as cursor:
        cursor.execute(ANALYSE, params)
        lexemes, extra_lexemes, acronyms, chunks, words, freqs = cursor.fetchone()
    lexemes = sorted(lexemes)
    weights = dict.fromkeys(lexemes, 1.0)
    expansions, extra, groups = [], [], []
    for short, expansion, long_lexemes, short_lexemes in _json(acronyms) or []:
        expansions.append((short, expansion))
        groups.append((short_lexemes[0] if short_lexemes else short.lower(), list(long_lexemes)))
        spelled_out = set(long_lexemes) <= set(lexemes)
        extra.append(short if spelled_out else expansion)
        for lexeme in short_lexemes if spelled_out else long_lexemes:
            weights.setdefault(lexeme, ranking.EXPANSION_WEIGHT)
    if extra_text.strip():
        for lexeme in extra_lexemes:
            weights.setdefault(lexeme, ranking.EXPANSION_WEIGHT)
        extra.append(extra_text.strip())
    df, global_df = {}, {}
    for lexeme, scope_df, all_df in _json(freqs) or []:
        if lexeme in weights:  # the statement counts every lexeme an expansion could add
            df[lexeme], global_df[lexeme] = int(scope_df), int(all_df)
    return QueryTerms(
        lexemes,
        weights,
        df,
        global_df,
        int(chunks),
        int(words),
        expansions,
        " ".join(extra),
        groups,
        books,
        literal_tokens(query),
    )


# What a query names to the letter and full text cannot see: a command-line option ("-v",
# "--mirror", "--limit-rate"), an identifier (png_read_info, png_read_info()).
LITERAL_RE = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*|\b[A-Za-z]\w*_\w+\b(?:\(\))?")


def literal_tokens(query: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).removesuffix("()") for m in LITERAL_RE.finditer(query)))[:5]


# Lexemes of the books in scope that share a prefix with a word (a range over the unique index on
# (lexeme, book), so it stays an index scan on a large library).
VARIANT_PREFIX = 4
VARIANTS = (
    "SELECT DISTINCT lexeme FROM library_termstat WHERE book_id = ANY(%(books)s) AND ({ranges}) LIMIT 2000"
)


def scope_vocabulary_near(words: Sequence[str], book_ids: Sequence[int]) -> set[str]:
    """The lexemes of `book_ids` that start like any of `words` (their first VARIANT_PREFIX
    characters): where the close variants of a word the books never use would be ("neighbour" for
    "neighbor")."""
    prefixes = sorted({w[:VARIANT_PREFIX] for w in words if w})
    if not prefixes or not book_ids:
        return set()
    params: dict = {"books": scope_array(book_ids)}
    ranges = []
    for i, prefix in enumerate(prefixes):
        params[f"lo{i}"], params[f"hi{i}"] = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
        ranges.append(f"(lexeme >= %(lo{i})s AND lexeme < %(hi{i})s)")
    with connection.cursor() as cursor:
        cursor.execute(VARIANTS.format(ranges=" OR ".join(ranges)), params)
        return {row[0] for row in cursor.fetchall()}


def word_lexemes(words: Sequence[str]) -> dict[str, list[str]]:
    """The full-text lexemes of each word on its own ("Sharpe" -> ["sharp"]; a stopword: none)."""
    if not words:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w, tsvector_to_array(to_tsvector('english', w)) FROM unnest(%s::text[]) w", [list(words)]
        )
        return {word: list(lexemes) for word, lexemes in cursor.fetchall()}


# Checking that the books use a word exactly reads the passages holding its lexeme; past this many
# (in scope) the word is taken as used.
WORD_CHECK_DF = 5000
USES_WORD = (
    "SELECT EXISTS (SELECT 1 FROM library_chunk WHERE book_id = ANY(%(books)s) "
    "AND search_vector @@ %(lexeme)s::tsquery AND text ~* %(pattern)s)"
)


def scope_uses_word(word: str, lexeme: str, book_ids: Sequence[int], df: int) -> bool:
    """Whether a passage of `book_ids` holds `word` itself (any case, possessive allowed), not just
    another word with its lexeme ("sharp" for "Sharpe"); `df`: passages in scope with the lexeme."""
    if not df:
        return False
    if df > WORD_CHECK_DF or not book_ids:
        return True
    pattern = r"(^|[^[:alnum:]])" + re.escape(word) + r"('s)?($|[^[:alnum:]])"
    query = "'" + lexeme.replace("'", "''") + "'"
    with connection.cursor() as cursor:
        cursor.execute(USES_WORD, {"books": list(book_ids), "lexeme": query, "pattern": pattern})
        return bool(cursor.fetchone()[0])


# Which of a few two-word phrases (lexeme pairs, in order, next to each other) a passage of the
# books in scope holds: one EXISTS each, answered from the GIN index on the narrow text table.
PHRASES_HELD = (
    "SELECT p.i FROM unnest(%(first)s::text[], %(second)s::text[]) WITH ORDINALITY AS p(a, b, i) "
    "WHERE EXISTS (SELECT 1 FROM library_chunktext t WHERE t.book_id = ANY(%(books)s) "
    "AND t.search_vector @@ tsquery_phrase(quote_literal(p.a)::tsquery, quote_literal(p.b)::tsquery))"
)


def scope_phrases_held(pairs: Sequence[tuple[str, str]], book_ids: Sequence[int]) -> set[tuple[str, str]]:
    """The pairs of lexemes (a, b) that some passage of `book_ids` has as a phrase: b right after a
    ("singular value", "partial clone")."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs or not book_ids:
        return set()
    params = {"first": [a for a, _ in pairs], "second": [b for _, b in pairs], "books": scope_array(book_ids)}
    with connection.cursor() as cursor:
        cursor.execute(PHRASES_HELD, params)
        return {pairs[i - 1] for (i,) in cursor.fetchall()}


def chunk_positions(
    chunk_ids: Sequence[int], lexemes: Sequence[str]
) -> dict[int, dict[str, tuple[list[int], bool]]]:
    """Where each of `lexemes` occurs in each passage's text (full-text positions), and whether it
    is in the passage's headings."""
    out: dict[int, dict[str, tuple[list[int], bool]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, u.lexeme, u.positions, u.weights FROM library_chunk c, unnest(c.search_vector) u "
            "WHERE c.id = ANY(%(ids)s) AND u.lexeme = ANY(%(lex)s)",
            {"ids": list(chunk_ids), "lex": list(lexemes)},
        )
        for chunk_id, lexeme, positions, weights in cursor.fetchall():
            body = [p for p, w in zip(positions, weights, strict=True) if w != "A"]
            out.setdefault(chunk_id, {})[lexeme] = (body, "A" in weights)
    return out


def text_positions(text: str) -> dict[str, list[int]]:
    """Full-text lexemes of `text` with their positions."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme, positions FROM unnest(to_tsvector('english', %s))", [text])
        return {lexeme: list(positions) for lexeme, positions in cursor.fetchall()}


def chunk_lexemes(chunk_ids: Sequence[int]) -> dict[int, set[str]]:
    """The full-text lexemes (body and headings) of each passage."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, tsvector_to_array(search_vector) FROM library_chunk WHERE id = ANY(%s)",
            [list(chunk_ids)],
        )
        return {row[0]: set(row[1]) for row in cursor.fetchall()}


def rare_lexemes(terms: QueryTerms, budget: int = RARE_BUDGET) -> list[str]:
    """The query's rarest lexemes present in scope, as long as their passages (over the whole
    library, which is what the GIN index reads) stay within `budget`."""
    chosen, total = [], 0
    for lexeme in sorted(terms.weights, key=lambda x: (terms.global_df.get(x, 0), x)):
        if not terms.df.get(lexeme):
            continue
        total += terms.global_df.get(lexeme, 0)
        if total > budget or len(chosen) >= MAX_RARE:
            break
        chosen.append(lexeme)
    return chosen


def _tsquery_lexeme(lexeme: str) -> str:
    """A lexeme as a quoted tsquery operand (a bound parameter: only tsquery quoting applies)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def text_candidates_sql(
    terms: QueryTerms, query: str, book_ids: Sequence[int], limit: int
) -> tuple[str, dict]:
    """The statement (a UNION) that finds text candidates, with its parameters."""
    params = {
        "books": scope_array(book_ids),
        "q": query,
        "n": limit,
        "cap": HYBRID_TEXT_CAP,
        "per": PER_RARE_WORD,
    }
    scope = "c.book_id = ANY(%(books)s)"
    ranked = TEXT_RANKED.format(tsq=ALL_WORDS, table="library_chunktext", key="chunk_id", scope=scope)
    branches = ["(" + ranked + ")"]
    for i, lexeme in enumerate(rare_lexemes(terms)):
        params[f"w{i}"] = _tsquery_lexeme(lexeme)
        branches.append(PER_WORD.format(w=f"%(w{i})s"))
    return " UNION ".join(branches), params


def text_candidates(terms: QueryTerms, query: str, book_ids: Sequence[int], limit: int) -> set[int]:
    """Passages with all the query's words, and those where each of its rarest words weighs most
    (both through the GIN index; one round trip)."""
    sql, params = text_candidates_sql(terms, query, book_ids, limit)
    return set(_ranked_ids(sql, params))


# BM25 rows (per passage and query word) and each passage's cosine (from the narrow vector table),
# in one round trip; a passage without any query word still has its cosine row.
POOL_ROWS = (
    "SELECT c.chunk_id, u.lexeme, cardinality(u.positions), "
    "ARRAY(SELECT p FROM unnest(u.positions, u.weights) AS x(p, w) WHERE w = 'A'), "
    "c.word_count, 1 - (cv.embedding <=> %(vec)s::halfvec), c.opens_section FROM library_chunktext c "
    "LEFT JOIN library_chunkvector cv ON cv.chunk_id = c.chunk_id "
    "LEFT JOIN LATERAL (SELECT * FROM unnest(c.search_vector) w WHERE w.lexeme = ANY(%(lex)s)) u ON true "
    "WHERE c.chunk_id = ANY(%(ids)s)"
)


# The same rows for a whole hybrid search in one statement: the vector candidates (a `nearest` CTE
# from library.retrieval) and the text candidates, then their BM25 rows and cosines.
HYBRID_POOL_ROWS = (
    "WITH {nearest}, found AS MATERIALIZED ({found}), "
    "pool AS (SELECT id FROM nearest UNION SELECT id FROM found) "
    "SELECT c.chunk_id, u.lexeme, cardinality(u.positions), "
    "ARRAY(SELECT p FROM unnest(u.positions, u.weights) AS x(p, w) WHERE w = 'A'), "
    "c.word_count, 1 - (cv.embedding <=> %(vec)s::halfvec), c.opens_section "
    "FROM pool JOIN library_chunktext c ON c.chunk_id = pool.id "
    "LEFT JOIN library_chunkvector cv ON cv.chunk_id = c.chunk_id "
    "LEFT JOIN LATERAL (SELECT * FROM unnest(c.search_vector) w WHERE w.lexeme = ANY(%(lex)s)) u ON true"
)


def _scores(terms: QueryTerms, rows) -> tuple[dict[int, float], dict[int, float]]:
    cosine = {row[0]: float(row[5]) for row in rows if row[5] is not None}
    return ranking.bm25(terms, [(*row[:5], row[6]) for row in rows if row[1] is not None]), cosine


def hybrid_pool_scores(
    terms: QueryTerms, query: str, book_ids: Sequence[int], limit: int, nearest_cte: str, nearest_params: dict
) -> tuple[dict[int, float], dict[int, float]]:
    """(BM25, cosine) scores of the vector and text candidates of a hybrid search (one round trip)."""
    found, params = text_candidates_sql(terms, query, book_ids, limit)
    params.update(nearest_params, lex=list(terms.weights))
    with connection.cursor() as cursor:
        cursor.execute(HYBRID_POOL_ROWS.format(nearest=nearest_cte, found=found), params)
        return _scores(terms, cursor.fetchall())


def pool_scores(terms: QueryTerms, chunk_ids, vector) -> tuple[dict[int, float], dict[int, float]]:
    """(BM25, cosine) scores of the candidate passages."""
    if not chunk_ids:
        return {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            POOL_ROWS, {"ids": list(chunk_ids), "lex": list(terms.weights), "vec": _vector_literal(vector)}
        )
        return _scores(terms, cursor.fetchall())


def bm25_scores(terms: QueryTerms, chunk_ids: set[int] | Sequence[int]) -> dict[int, float]:
    if not chunk_ids or not terms.weights:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(TERM_ROWS, {"ids": list(chunk_ids), "lex": list(terms.weights)})
        return ranking.bm25(terms, cursor.fetchall())


def bm25_ranked(terms: QueryTerms, chunk_ids: set[int] | Sequence[int]) -> list[int]:
    """`chunk_ids` that hold a query word, by BM25 score."""
    scores = bm25_scores(terms, chunk_ids)
    return [i for i, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def title_lexemes(book_ids: Sequence[int]) -> set[str]:
    """The full-text lexemes of the books' titles (a title frames every passage of its book)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', title))) "
            "FROM library_book WHERE id = ANY(%s)",
            [list(book_ids)],
        )
        return {row[0] for row in cursor.fetchall()}


# The query lexemes that each passage's neighbourhood holds: the passages within `reach` of it in
# book order (a LIMITed lateral range, so each passage is one scan of the unique index on (book,
# ordinal), not a hash join over every passage), then their narrow text rows' lexemes (without
# positions: 4 ms for 30 passages, against 10 ms unnesting the full vectors).
NEIGHBOURHOOD_LEXEMES = (
    "WITH n AS MATERIALIZED (SELECT p.id, n.id AS near FROM library_chunk p CROSS JOIN LATERAL ("
    "SELECT n.id FROM library_chunk n WHERE n.book_id = p.book_id "
    "AND n.ordinal BETWEEN p.ordinal - %(reach)s AND p.ordinal + %(reach)s LIMIT 2 * %(reach)s + 1) n "
    "WHERE p.id = ANY(%(ids)s)) "
    "SELECT n.id, array_agg(DISTINCT u.lexeme) FROM n JOIN library_chunktext t ON t.chunk_id = n.near "
    "CROSS JOIN LATERAL unnest(tsvector_to_array(t.search_vector)) u(lexeme) "
    "WHERE u.lexeme = ANY(%(lex)s) GROUP BY n.id"
)


def neighbourhood_lexemes(
    chunk_ids: Sequence[int], lexemes: Sequence[str], reach: int
) -> dict[int, set[str]]:
    """For each of `chunk_ids`, which of `lexemes` it or a passage within `reach` of it holds."""
    if not chunk_ids or not lexemes:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(NEIGHBOURHOOD_LEXEMES, {"ids": list(chunk_ids), "lex": list(lexemes), "reach": reach})
        return {row[0]: set(row[1]) for row in cursor.fetchall()}
