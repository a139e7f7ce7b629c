"""Which phrases the offline quiz accepts as a defined term (they become answers and distractors)."""

import pytest

from lectures.writing.quiz import DEFINITION_RE, _term_ok


@pytest.mark.parametrize(
    "sentence, term",
    [
        ("The discount rate is the return investors require for the risk they bear.", "discount rate"),
        ("Free cash flow refers to the cash a firm can pay out to all its investors.", "Free cash flow"),
        ("WACC means the weighted average cost of capital used to discount flows.", "WACC"),
    ],
)
def test_definitions_name_their_term(sentence, term):
    match = DEFINITION_RE.match(sentence)
    assert match and _term_ok(match["term"]) and match["term"].strip() == term


@pytest.mark.parametrize(
    "sentence",
    [
        "where RONIC is the return on new invested capital earned by the firm.",
        "Thus growth is valuable only when returns exceed the cost of capital.",
        "However the result is sensitive to the terminal growth assumption.",
        "This is the reason the model needs a stable growth rate forever.",
    ],
)
def test_clauses_that_name_no_term_are_not_definitions(sentence):
    match = DEFINITION_RE.match(sentence)
    assert not (match and _term_ok(match["term"]))
