"""Verbatim quote checking: is a quote really in a passage?

A quote verifies when, after normalising whitespace (any run becomes one space) and quote marks
(curly and straight single/double quotes, primes and backticks become ' or "), it is a substring of
the normalised passage. Nothing else is forgiven: a changed word, number or punctuation fails.
"""

from __future__ import annotations

import re

_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
# Quote marks a writer may wrap a quote in; they are not part of the quote.
_WRAPPERS = "\"' "


def normalise(text: str) -> str:
    return _SPACE.sub(" ", (text or "").translate(_QUOTE_MARKS)).strip()


def clean_quote(quote: str) -> str:
    """The quote without surrounding quote marks and spaces (normalised)."""
    return normalise(quote).strip(_WRAPPERS)


def quote_in(quote: str, passage: str) -> bool:
    """True when the quote occurs verbatim (after normalisation) in the passage. Empty never verifies."""
    needle = clean_quote(quote)
    return bool(needle) and needle in normalise(passage)


def find_passage(quote: str, passages) -> object | None:
    """The first of `passages` (objects with `.text`, or (key, text) pairs) that contains the quote."""
    for passage in passages:
        key, text = passage if isinstance(passage, tuple) else (passage, passage.text)
        if quote_in(quote, text):
            return key
    return None
