"""A passage's neighbourhood counts in hybrid search: a question worded unlike the book finds the
passage whose neighbours hold the words it lacks (library.ranking.context_bonus)."""

import pytest

from library import ranking
from library.fulltext import neighbourhood_lexemes
from library.retrieval import analyse_query, search_chunks
from library.tests.conftest import ingest
from library.tests.test_search_quality import paragraph

pytestmark = pytest.mark.django_db

FILLER = "Farmers plant seeds in spring and harvest wheat in autumn."

BOOK_MD = f"""# Estimation Notes

## Chapter 1 Intervals

{paragraph("An interval estimate gives a range for the sample average.", "It is built from the data.")}

{paragraph("With this method we can be fairly sure about it.", "Repeat the study many times.")}

## Chapter 2 Farming

{paragraph("Farming is old.", FILLER)}

{paragraph("Fields need water.", FILLER)}

{paragraph("Harvests vary.", FILLER)}

## Chapter 3 Summaries

{
    paragraph(
        "A table lists the range of each sample average, and the range is in bold.",
        "The columns are narrow.",
    )
}

{paragraph("Tables are printed at the end.", "The columns are narrow.")}
"""

QUESTION = "how sure can I be about a range around my sample average?"


@pytest.fixture
def book(alice):
    return ingest(alice, "estimation.md", BOOK_MD)


def test_the_neighbourhood_holds_the_query_words_of_the_passages_near_it(book):
    chunks = list(book.chunks.order_by("ordinal"))
    assert len(chunks) == 7
    first, last = chunks[0], chunks[-1]
    held = neighbourhood_lexemes([first.pk, last.pk], ["sure", "rang", "harvest", "tabl"], reach=2)
    assert held[first.pk] == {"sure", "rang", "harvest"}  # itself, the next passage, the first farming one
    assert held[last.pk] == {"rang", "tabl", "harvest"}
    assert neighbourhood_lexemes([first.pk], ["sure", "rang"], reach=0)[first.pk] == {"rang"}
    assert neighbourhood_lexemes([], ["sure"], reach=2) == {}


def test_a_passage_whose_neighbours_hold_the_missing_words_ranks_first(book, monkeypatch):
    """The table passage says "range" twice and wins on the passages alone; the interval passage is
    the one whose next passage says "sure". (A weight of 1 because in a seven-passage book every
    word is rare: "sure" is a third of the question's idf weight, not more.)"""
    interval = book.chunks.get(text__startswith="An interval estimate")
    table = book.chunks.get(text__startswith="A table lists")
    monkeypatch.setattr(ranking, "CONTEXT_WEIGHT", 0.0)
    assert search_chunks(QUESTION, [book.pk], k=3)[0].chunk_id == table.pk
    monkeypatch.setattr(ranking, "CONTEXT_WEIGHT", 1.0)
    hits = search_chunks(QUESTION, [book.pk], k=3)
    assert [h.chunk_id for h in hits[:2]] == [interval.pk, table.pk]


def test_the_judge_still_sees_only_the_questions_own_words(book):
    """The context reorders passages; it adds no words to the query."""
    terms = analyse_query(QUESTION, [book.pk])
    search_chunks(QUESTION, [book.pk], k=3, terms=terms)
    assert set(terms.weights) == set(terms.lexemes)


def test_the_bonus_is_the_share_of_the_querys_idf_weight_the_neighbourhood_holds():
    terms = ranking.QueryTerms(
        ["rare", "common", "absent"],
        {"rare": 1.0, "common": 1.0, "absent": 1.0},
        {"rare": 1, "common": 50},
        chunks=100,
        words=30_000,
    )
    bonus = ranking.context_bonus(terms, {1: {"rare", "common"}, 2: {"common"}, 3: {"absent"}}, weight=0.5)
    assert bonus[1] == pytest.approx(0.5)  # every word found in scope ("absent" is not)
    assert 0 < bonus[2] < 0.1 < bonus[1] - bonus[2]  # the common word weighs little
    assert bonus[3] == 0.0
    nothing = ranking.QueryTerms(["absent"], {"absent": 1.0}, {}, chunks=100, words=30_000)
    assert ranking.context_bonus(nothing, {1: {"absent"}}) == {}
