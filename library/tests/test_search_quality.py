"""Retrieval that survives different wording: heading weight, acronyms both ways, BM25."""

import json

import numpy as np
import pytest

from library import ranking
from library.acronyms import best_expansions, mine
from library.models import Acronym, SearchStats, TermStat
from library.retrieval import analyse_query, search_chunks
from library.tests.conftest import ingest

pytestmark = pytest.mark.django_db


def filler(sentence: str, times: int) -> str:
    return " ".join([sentence] * times)


NOTES_MD = f"""# Valuation Notes

## Chapter 4 Discount Rates

### 4.1 The cost of capital

Firms discount their cash flows at the weighted average cost of capital (WACC), which blends the
costs of debt and equity. {filler("Debt is cheaper than equity because interest is tax deductible.", 25)}

### 4.2 Using the rate

{filler("Analysts apply the WACC to the free cash flows of the whole firm, year by year.", 25)}

## Chapter 5 Growth Forever

### 5.1 Forecast horizon

{filler("The explicit forecast covers five to ten years and follows the margin path.", 25)}
Estimated values of each year are shown in a table; the value of the firm is revised often.

### 5.2 Terminal Value

{filler("Beyond the horizon, analysts take next year's cash divided by the rate minus growth.", 25)}
It is the Gordon growth model (GGM) at work.

### 5.3 Sensitivity

{filler("Small changes in the GGM inputs move the result a lot, so show a range.", 25)}
"""


@pytest.fixture
def notes(alice):
    return ingest(alice, "notes.md", NOTES_MD)


def test_acronyms_are_mined_with_the_schwartz_hearst_rule():
    text = (
        "The weighted average cost of capital (WACC) and CAPM (capital asset pricing model) matter. "
        "See figure (A), chapter (IV) and code (Ipv4Addr); exchange-traded funds (ETFs) trade."
    )
    assert best_expansions(mine([text])) == {
        "WACC": ("weighted average cost of capital", 1),
        "CAPM": ("capital asset pricing model", 1),
        "ETF": ("exchange-traded funds", 1),
    }


def test_ingestion_stores_acronyms_and_bm25_statistics(notes):
    assert {(a.short, a.expansion) for a in Acronym.objects.filter(book=notes)} == {
        ("WACC", "weighted average cost of capital"),
        ("GGM", "gordon growth model"),
    }
    stats = SearchStats.objects.get(book=notes)
    assert stats.chunks == notes.chunks.count() and stats.words > 0
    assert TermStat.objects.get(book=notes, lexeme="wacc").df == 2


def test_ingestion_writes_each_passages_narrow_text_row(alice):
    """The text side of search reads the narrow copy: the same full-text vector and length as the
    passage, and whether it opens its section; indexing a book again replaces its rows."""
    from django.db import connection

    from library.models import ChunkText
    from library.search_index import index_book

    notes = ingest(alice, "notes.md", NOTES_MD + STATS_MD)

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.ordinal, t.word_count = c.word_count, t.search_vector = c.search_vector, "
                "t.opens_section FROM library_chunk c JOIN library_chunktext t ON t.chunk_id = c.id "
                "WHERE c.book_id = %s ORDER BY c.ordinal",
                [notes.pk],
            )
            return cursor.fetchall()

    chunks = list(notes.chunks.order_by("ordinal"))
    assert ChunkText.objects.filter(book=notes).count() == len(chunks) > 3
    expected = [
        (c.ordinal, True, True, i == 0 or c.heading_path != chunks[i - 1].heading_path)
        for i, c in enumerate(chunks)
    ]
    assert rows() == expected
    assert any(not opens for *_, opens in expected)  # some section spans several passages
    index_book(notes.pk)
    assert rows() == expected


def test_query_is_expanded_both_ways(notes):
    short = analyse_query("How do analysts use the GGM?", [notes.pk])
    assert ("GGM", "gordon growth model") in short.expansions
    assert short.weights["gordon"] == ranking.EXPANSION_WEIGHT and short.weights["ggm"] == 1.0
    long = analyse_query("what goes into the weighted average cost of capital?", [notes.pk])
    assert long.weights["wacc"] == ranking.EXPANSION_WEIGHT
    assert analyse_query("gordon ramsay cooks", [notes.pk]).expansions == []


def test_a_passage_under_the_matching_heading_ranks_first(notes):
    hits = search_chunks("how is terminal value estimated?", [notes.pk], k=3)
    assert hits[0].heading_path[-1] == "5.2 Terminal Value"
    hits = search_chunks("how is terminal value estimated?", [notes.pk], k=3, mode="text")
    assert hits[0].heading_path[-1] == "5.2 Terminal Value"


def test_acronym_expansion_finds_passages_that_only_use_the_short_form(notes):
    hits = search_chunks("sensitivity of the Gordon growth model inputs", [notes.pk], k=2, mode="text")
    assert hits[0].heading_path[-1] == "5.3 Sensitivity"  # says only "GGM"
    hits = search_chunks("the weighted average cost of capital", [notes.pk], k=3, mode="text")
    assert "4.2 Using the rate" in [h.heading_path[-1] for h in hits]  # shares no word but "WACC"


def test_bm25_saturates_term_frequency_and_normalises_length():
    terms = ranking.QueryTerms(["tax"], {"tax": 1.0}, {"tax": 10}, {"tax": 10}, chunks=100, words=10_000)
    scores = ranking.bm25(terms, [(1, "tax", 1, 0, 100), (2, "tax", 50, 0, 100), (3, "tax", 1, 0, 1000)])
    assert scores[2] > scores[1] > scores[3]
    assert scores[2] < 3 * scores[1]  # saturation: 50 occurrences are not worth 50 of one
    heading = ranking.bm25(terms, [(4, "tax", 1, 1, 100)])
    assert heading[4] > scores[1]
    assert ranking.idf(1, 100) > ranking.idf(50, 100) > 0


def rebuild_hnsw():
    """Rebuild the HNSW index from this test's rows alone. Rows earlier tests rolled back stay in the
    graph as dead entries until a vacuum (which cannot run inside the test's transaction); a scan
    for a few live rows among them can end empty, which is not what these tests are about."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("REINDEX INDEX chunkvector_embedding_hnsw")


def test_small_scopes_are_searched_exactly_in_the_narrow_table(notes, monkeypatch):
    from library import retrieval
    from library.models import ChunkVector

    assert ChunkVector.objects.filter(book=notes).count() == notes.chunks.count()
    rebuild_hnsw()
    vector = retrieval.get_embedder().embed_one("terminal value growth")
    exact = retrieval._vector_ids("library_chunk", vector, [notes.pk], 3)
    monkeypatch.setattr(retrieval, "EXACT_SCAN_MAX_ROWS", 0)  # as for a large scope: HNSW
    assert retrieval._vector_ids("library_chunk", vector, [notes.pk], 3)[0] == exact[0]


def test_the_terminal_value_section_ranks_first_in_the_sample_book(alice, settings):
    from pathlib import Path

    text = (Path(settings.BASE_DIR) / "sample_library" / "valuing-a-business.md").read_text()
    book = ingest(alice, "valuing-a-business.md", text)
    for mode in ("hybrid", "text"):
        hits = search_chunks("how is terminal value estimated?", [book.pk], k=3, mode=mode)
        assert hits[0].heading_path[-1] == "5.2 Terminal Value", mode


def _synthetic_book(owner, name: str, chunks: int, rng, dim: int):
    from library.models import Book, Chapter, Chunk
    from library.search_index import index_book

    book = Book.objects.create(
        owner=owner,
        title=name,
        status=Book.Status.READY,
        format=Book.Format.TEXT,
        original_filename=f"{name}.txt",
        file=f"books/test/{name}.txt",
        sha256=name.encode().hex().ljust(64, "0")[:64],
    )
    chapter = Chapter.objects.create(book=book, order=0, title="One", heading_path=["One"])
    vectors = rng.standard_normal((chunks, dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    Chunk.objects.bulk_create(
        Chunk(book=book, chapter=chapter, ordinal=i, text=f"passage {i}", word_count=2, embedding=v.tolist())
        for i, v in enumerate(vectors)
    )
    index_book(book.pk)
    return book


@pytest.mark.parametrize("scope_size_known", [False, True])
def test_a_small_scope_through_hnsw_finds_all_its_nearest_passages(
    alice, settings, monkeypatch, scope_size_known
):
    """The HNSW branch (a large scope) sets ef_search and iterative scans for its own statement:
    a scope holding 5% of the passages still gets (nearly) every passage it asks for, nearest first,
    like the exact scan. Both forms: the statement that chooses its branch from the
    scope's size (vector search), and the HNSW branch alone (hybrid search, which knows the size).
    One form per test: the settings last until the end of the test's transaction."""
    from django.db import connection

    from library import retrieval

    rng = np.random.default_rng(7)
    small = _synthetic_book(alice, "small", 30, rng, settings.EMBEDDING_DIM)
    _synthetic_book(alice, "large", 600, rng, settings.EMBEDDING_DIM)
    rebuild_hnsw()
    vector = rng.standard_normal(settings.EMBEDDING_DIM)
    exact = retrieval._vector_ids("library_chunk", vector, [small.pk], 30)
    assert len(exact) == 30
    monkeypatch.setattr(retrieval, "EXACT_SCAN_MAX_ROWS", 0)
    params = retrieval._nearest_params(vector, [small.pk], 30)
    sql = f"WITH {retrieval.nearest_cte(630)} SELECT id FROM nearest ORDER BY d, id"
    if not scope_size_known:
        sql = retrieval.NEAREST_SQL
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a test-sized table would be sorted instead
        cursor.execute("EXPLAIN " + sql, params)
        assert "chunkvector_embedding_hnsw" in "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(sql, params)
        found = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET enable_seqscan")
        cursor.execute("SELECT id, embedding::text FROM library_chunk WHERE book_id = %s", [small.pk])
        stored = {i: np.array(json.loads(e)) for i, e in cursor.fetchall()}
    # HNSW is approximate: on random 512-d vectors some nodes of the 630 can be unreachable in the
    # graph, whatever the scan does (up to 1-2 usually; once more, in a full run). Without the
    # iterative scan a 5% scope gets a handful.
    assert set(found) <= set(exact) and len(found) >= 20
    # nearest first; two passages at (nearly) the same distance may come in either order, since the
    # exact scan of small scopes reads half-precision vectors
    distance = [1 - stored[i] @ vector / np.linalg.norm(vector) for i in found]
    assert all(b >= a - 2e-3 for a, b in zip(distance, distance[1:], strict=False))


def test_a_small_scope_is_scanned_exactly_even_where_the_hnsw_index_looks_cheaper(alice, settings):
    """The exact branch must not be served by the HNSW index on the same table (an index scan
    without the iterative settings can return fewer rows than asked); here the planner is pushed
    towards index scans as on a large table."""
    from django.db import connection

    from library import retrieval

    rng = np.random.default_rng(11)
    small = _synthetic_book(alice, "small", 30, rng, settings.EMBEDDING_DIM)
    _synthetic_book(alice, "large", 600, rng, settings.EMBEDDING_DIM)
    rebuild_hnsw()
    vector = rng.standard_normal(settings.EMBEDDING_DIM)
    params = retrieval._nearest_params(vector, [small.pk], 40)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off")  # a full sort of the scope is what the index avoids
        for sql in (retrieval.NEAREST_SQL, f"WITH {retrieval.nearest_cte(30)} SELECT id FROM nearest"):
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(sql, params)
            assert len(cursor.fetchall()) == 30, plan
        cursor.execute("RESET enable_sort")
    assert "chunkvector_embedding_hnsw" not in plan


def paragraph(opening: str, sentence: str, words: int = 280) -> str:
    """A paragraph of about `words` words (one passage each: the chunker's target is 300)."""
    text = opening
    while len(text.split()) < words:
        text += " " + sentence
    return text


STATS_MD = f"""# Statistics Notes

## Chapter 3 Estimation

### 3.1 Samples

{paragraph("A sample is a few people drawn from a population.", "We draw people at random from a list.")}

### 3.2 Confidence intervals

{
    paragraph(
        "A confidence interval is a range of values that probably holds the population mean.",
        "The range comes from the sample mean and its standard error.",
    )
}

{
    paragraph(
        "To compute one in R, call the ciMean function.",
        "The confidence interval from ciMean is a confidence interval for the mean.",
    )
}

{paragraph("The plot shows each year's mean.", "Each confidence interval is drawn as a bar around the mean.")}
"""


def test_the_passage_that_opens_a_matching_section_ranks_first(alice, monkeypatch):
    """All three passages sit under "3.2 Confidence intervals"; the later two repeat the words more,
    the first explains what a confidence interval is."""
    book = ingest(alice, "stats.md", STATS_MD)
    opening = book.chunks.get(text__startswith="A confidence interval is")
    hits = search_chunks("confidence interval", [book.pk], k=3)
    assert hits[0].chunk_id == opening.pk
    monkeypatch.setattr(ranking, "OPENING_BONUS", 0.0)
    assert search_chunks("confidence interval", [book.pk], k=3)[0].chunk_id != opening.pk


def test_an_opening_passage_gets_more_of_the_heading_bonus_only():
    terms = ranking.QueryTerms(
        ["confid", "interv"],
        {"confid": 1.0, "interv": 1.0},
        {"confid": 5, "interv": 5},
        chunks=100,
        words=30_000,
    )
    rows = [(1, "confid", 2, [1], 300), (1, "interv", 2, [2], 300)]
    inside = ranking.bm25(terms, rows)[1]
    opening = ranking.bm25(terms, [(*row, True) for row in rows])[1]
    assert opening > inside
    no_heading = [(2, "confid", 2, [], 300, True), (2, "interv", 2, [], 300, True)]
    assert ranking.bm25(terms, no_heading)[2] == ranking.bm25(terms, [r[:5] for r in no_heading])[2]
