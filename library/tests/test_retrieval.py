import pytest

from library.retrieval import QueryError, clean_query, fuse, search_chapters, search_chunks

pytestmark = pytest.mark.django_db


def test_fuse_rewards_agreement_between_rankings():
    fused = fuse([1, 2, 3], [3, 4, 1])
    assert [item for item, _ in fused][:2] == [3, 1]  # a tie goes to the last ranking's order
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 63)
    assert [item for item, _ in fuse([1, 2], [2, 1], weights=[2.0, 1.0])][0] == 1


@pytest.mark.parametrize("query", ["", "   ", None, "x" * 2001])
def test_clean_query_refuses_empty_and_enormous_queries(query):
    with pytest.raises(QueryError):
        clean_query(query)


def test_search_is_scoped_to_the_given_books(valuation_book, gardening_book):
    hits = search_chunks("watering tomatoes", [valuation_book.pk])
    assert all(h.book_id == valuation_book.pk for h in hits)
    hits = search_chunks("watering tomatoes", [gardening_book.pk], k=3)
    assert hits[0].book_id == gardening_book.pk and "water" in hits[0].text.lower()
    assert search_chunks("anything", []) == []


@pytest.mark.parametrize("mode", ["hybrid", "vector", "text"])
def test_each_mode_finds_the_relevant_passage(valuation_book, gardening_book, mode):
    ids = [valuation_book.pk, gardening_book.pk]
    hits = search_chunks("cost of equity beta risk premium", ids, k=3, mode=mode)
    assert hits and "cost of equity" in hits[0].text.lower()


def test_question_worded_unlike_the_book_still_finds_passages(valuation_book, gardening_book):
    # Not every word of the question is in the book: falls back to any-word full-text matching.
    hits = search_chunks(
        "what soil do my tomato plants prefer, and why does acidity matter?",
        [valuation_book.pk, gardening_book.pk],
        k=3,
    )
    assert hits and hits[0].book_id == gardening_book.pk


def test_chapter_search_ranks_chapters_by_summary(valuation_book, gardening_book):
    hits = search_chapters("discount rate and terminal value", [valuation_book.pk, gardening_book.pk], k=2)
    assert hits[0].chapter == "Chapter 2 Discounting"
