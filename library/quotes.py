"""Verbatim quote checks shared by lectures and answers: is a quote really in a passage?

A quote verifies when, after normalising whitespace (any run becomes one space), quote marks (curly
and straight single/double quotes, primes and backticks become ' or "), dashes (one hyphen, spaces
around it dropped) and Unicode compatibility forms (ligatures, no-break spaces; soft hyphens
dropped), it is a substring of the normalised passage. Nothing else is forgiven: a changed word,
number, letter case or other punctuation fails; so does a paraphrase.
"""

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
        "\u00a0": " ",
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
# Quote marks a writer may wrap a quote in; they are not part of the quote.
_WRAPPERS = "\"' "
MIN_QUOTE_CHARS = 12  # verify_quote: shorter quotes prove nothing


def normalise(text: str) -> str:
    """Compatibility forms folded, quote marks straight, dashes one hyphen, whitespace one space."""
    text = unicodedata.normalize("NFKC", text or "").translate(_MARKS)
    return _SPACED_DASH.sub("-", _SPACE.sub(" ", text).strip())


def clean_quote(quote: str) -> str:
    """The quote without surrounding quote marks and spaces (normalised)."""
    return normalise(quote).strip(_WRAPPERS)


def tidy_quote(quote: str) -> str:
    """The quote as written, with runs of whitespace made one space and no surrounding quote marks."""
    return _SPACE.sub(" ", quote or "").strip().strip(_WRAPPERS + "\u201c\u201d\u2018\u2019")


def quote_in(quote: str, passage: str) -> bool:
    """True when the quote occurs verbatim (after normalisation) in the passage. Empty never verifies."""
    needle = clean_quote(quote)
    return bool(needle) and needle in normalise(passage)


def verify_quote(quote: str, chunk_text: str) -> bool:
    """`quote_in` for answers: also forgives a trailing ellipsis, and a quote shorter than
    MIN_QUOTE_CHARS never verifies."""
    core = clean_quote(quote)
    if core.endswith("..."):
        core = core[:-3].rstrip(_WRAPPERS + ".")
    core = core.strip(_WRAPPERS + "\u2026")
    return len(core) >= MIN_QUOTE_CHARS and core in normalise(chunk_text)


def find_passage(quote: str, passages) -> object | None:
    """The first of `passages` (objects with `.text`, or (key, text) pairs) that contains the quote."""
    for passage in passages:
        key, text = passage if isinstance(passage, tuple) else (passage, passage.text)
        if quote_in(quote, text):
            return key
    return None


def _with_combining_marks(text: str):
    """(index, character with the combining marks that follow it): the units NFKC composes."""
    start = 0
    for at in range(1, len(text) + 1):
        if at == len(text) or not unicodedata.combining(text[at]):
            yield start, text[start:at]
            start = at


def _normalised_with_positions(text: str) -> tuple[str, list[int]]:
    """`normalise(text)`, with the index in `text` of each character it keeps (built the same way,
    one character at a time, so a match in the normalised text can be found in the original)."""
    chars: list[tuple[str, int]] = []
    for at, unit in _with_combining_marks(text or ""):
        chars.extend((c, at) for c in unicodedata.normalize("NFKC", unit).translate(_MARKS))
    spaced: list[tuple[str, int]] = []
    for c, at in chars:
        if c.isspace():
            if spaced and spaced[-1][0] != " ":
                spaced.append((" ", at))
        else:
            spaced.append((c, at))
    while spaced and spaced[-1][0] == " ":
        spaced.pop()
    flat = "".join(c for c, _ in spaced)
    out: list[tuple[str, int]] = []
    last = 0
    for m in _SPACED_DASH.finditer(flat):
        out.extend(spaced[last : m.start()])
        out.append(("-", spaced[m.start() + m.group().index("-")][1]))
        last = m.end()
    out.extend(spaced[last:])
    return "".join(c for c, _ in out), [at for _, at in out]


def as_in_passage(quote: str, passage: str) -> str:
    """The quote as the passage writes it (its own dashes, quote marks and spacing, runs of
    whitespace made one space): citations are stored normalised for matching, and "git branch -v"
    or "--merged" must not be shown as "git branch-v" and "-merged". The quote itself when the
    passage does not hold it."""
    span = span_in_passage(quote, passage)
    return _SPACE.sub(" ", passage[span[0] : span[1]]).strip() if span else quote


def span_in_passage(quote: str, passage: str) -> tuple[int, int] | None:
    """Where the quote's first occurrence is in the passage as written: (start, end), or None."""
    exact = tidy_quote(quote)
    at = passage.find(exact) if exact else -1
    if at >= 0:  # the quote as the passage writes it already (the offline engines quote this way)
        return at, at + len(exact)
    # ... but for its line breaks (a sentence the offline engines quote that runs over two lines)
    spaced = re.search(r"\s+".join(map(re.escape, exact.split(" "))), passage) if exact else None
    if spaced:
        return spaced.span()
    needle = clean_quote(quote)
    text, positions = _normalised_with_positions(passage)
    at = text.find(needle) if needle else -1
    if at < 0:
        return None
    return positions[at], positions[at + len(needle) - 1] + 1
