"""Verbatim quote checks shared by lectures and answers: a quote is verified when, after
normalising whitespace, quote marks, dashes and Unicode compatibility forms, it occurs exactly in
the passage it cites. Case and words are never normalised: a paraphrase does not verify."""

from __future__ import annotations

import re
import unicodedata

_MARKS = str.maketrans(
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
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
    }
)
_SPACE = re.compile(r"\s+")
_SPACED_DASH = re.compile(r"\s*-\s*-?\s*")
_EDGES = "\"' \u2026."
MIN_QUOTE_CHARS = 12


def normalise(text: str) -> str:
    """Compatibility forms folded, quote marks straight, dashes one hyphen, whitespace one space."""
    text = unicodedata.normalize("NFKC", text or "").translate(_MARKS)
    text = _SPACE.sub(" ", text).strip()
    return _SPACED_DASH.sub("-", text)


def _core(quote: str) -> str:
    core = normalise(quote)
    if core.endswith("..."):
        core = core[:-3]
    return core.strip(_EDGES)


def verify_quote(quote: str, chunk_text: str) -> bool:
    """True when `quote` (without surrounding quote marks or a trailing ellipsis) occurs verbatim
    in `chunk_text`, up to normalisation; quotes shorter than MIN_QUOTE_CHARS never verify."""
    core = _core(quote)
    return len(core) >= MIN_QUOTE_CHARS and core in normalise(chunk_text)
