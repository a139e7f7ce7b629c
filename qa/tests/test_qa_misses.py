"""bench/qa_misses.py: how a retrieval miss is classified (pure functions, no database)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from qa_misses import (  # noqa: E402 (bench/ is not a package)
    RANKED_LOW,
    VOCABULARY_GAP,
    WORDS_APART,
    classify_miss,
    key_weight_share,
)


def test_the_share_of_key_term_weight_counts_only_the_lexemes_the_passage_holds():
    weights = {"matrix": 1.0, "undo": 3.0}
    assert key_weight_share(weights, {"matrix", "invers"}) == pytest.approx(0.25)
    assert key_weight_share(weights, {"matrix", "undo", "squar"}) == 1.0
    assert key_weight_share(weights, set()) == 0.0
    assert key_weight_share({}, {"matrix"}) == 0.0  # a question without key terms


def test_a_miss_is_a_ranking_problem_when_the_search_finds_the_page_further_down():
    assert classify_miss(7, 0.1) == RANKED_LOW  # found at 7: whatever the overlap


def test_a_miss_not_found_at_all_is_a_vocabulary_gap_unless_the_passage_holds_the_words():
    assert classify_miss(None, 0.2) == VOCABULARY_GAP  # "undoes" asked, "inverse" written
    assert classify_miss(None, 0.8) == WORDS_APART
    assert classify_miss(None, 0.5, gap=0.6) == VOCABULARY_GAP
