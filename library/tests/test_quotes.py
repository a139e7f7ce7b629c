import pytest

from library.quotes import normalise, verify_quote

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
