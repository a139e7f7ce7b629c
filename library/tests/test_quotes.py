import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from library.quotes import _normalised_with_positions, as_in_passage, clean_quote, normalise, verify_quote

PASSAGE = (
    "The \u201cterminal value\u201d captures   the cash flows\nbeyond the explicit forecast \u2014 often "
    "most of the firm\u2019s value. Analysts use the Gordon growth model."
)


@pytest.mark.parametrize(
    "quote",
    [
        '"terminal value" captures the cash flows beyond the explicit forecast',
        "\u201cThe \u201cterminal value\u201d captures the cash flows\u201d",
        "forecast - often most of the firm's value.",
        "forecast -- often most of the firm's value",
        "Analysts use the Gordon growth model...",
        "  beyond   the explicit\tforecast ",
    ],
)
def test_quotes_verify_up_to_whitespace_quote_marks_and_dashes(quote):
    assert verify_quote(quote, PASSAGE)


@pytest.mark.parametrize(
    "quote",
    [
        "the terminal value captures cash flows beyond the forecast",  # words dropped
        "Analysts use the Gordon Growth Model",  # case changed
        "Analysts use the dividend discount model",  # a paraphrase
        "the firm",  # too short to mean anything
        "",
    ],
)
def test_paraphrases_and_fragments_do_not_verify(quote):
    assert not verify_quote(quote, PASSAGE)


def test_normalise_folds_compatibility_forms_and_spaces():
    assert normalise("e\ufb03cient\u00a0market \u2013 hypo\u00adthesis") == "efficient market-hypothesis"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
@settings(max_examples=400, deadline=None)
def test_the_position_map_normalises_exactly_as_normalise_does(text):
    normalised, positions = _normalised_with_positions(text)
    assert normalised == normalise(text)
    assert len(positions) == len(normalised) and positions == sorted(positions)


def test_a_citation_is_shown_as_the_passage_writes_it_not_in_its_matching_form():
    passage = (
        "Run  git branch -v to list them; the --merged and \u201cno-merged\u201d options \u2014 both filter."
    )
    stored = clean_quote("git branch -v to list them; the --merged and")
    assert stored == "git branch-v to list them; the-merged and"  # the matching form
    assert as_in_passage(stored, passage) == "git branch -v to list them; the --merged and"
    assert (
        as_in_passage('"no-merged" options-both filter.', passage)
        == "no-merged\u201d options \u2014 both filter."
    )
    assert as_in_passage("not in the passage", passage) == "not in the passage"


def test_a_quote_that_runs_over_a_line_break_is_found_without_the_position_map(monkeypatch):
    # The offline answerers quote sentences with their line breaks made spaces: found directly (the
    # position map of the whole passage cost ~4 ms of CPU a quote), with the same span as through it.
    passage = "Intro.\nFree cash flow is the cash a firm\ngenerates after   capital spending.\nNext."
    quote = "Free cash flow is the cash a firm generates after capital spending."
    via_map = as_in_passage(quote + "\u200b", passage)  # a character only the map forgives
    monkeypatch.setattr(
        "library.quotes._normalised_with_positions", lambda text: pytest.fail("the position map was used")
    )
    assert as_in_passage(quote, passage) == via_map == quote
