"""Acronyms a book defines, as in "weighted average cost of capital (WACC)" or "CAPM (capital asset
pricing model)", found with the Schwartz-Hearst rule: every letter of the short form appears, in
order, in the long form, and the first letter starts a word of it."""

from __future__ import annotations

import re
from collections import Counter

from docprof.ai.text import STOPWORDS

# "(WACC)", "(GDP)", "(CPI-U)", "(ETFs)": 2-10 characters, at least two capitals.
SHORT_IN_PARENS = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9&\-]{1,9})\s*\)")
LONG_IN_PARENS = re.compile(r"\b([A-Z][A-Za-z0-9&\-]{1,9})\s*\(\s*([A-Za-z][^()]{3,80}?)\s*\)")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*")
ROMAN = re.compile(r"^[IVXLCDM]+$")
MAX_LONG_WORDS = 10


def is_short_form(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    if len(letters) < 2 or capitals < 2 or capitals * 2 < len(letters) or ROMAN.match(token):
        return False
    return token[0].isalpha()


def _core(short: str) -> str:
    """The letters that must be spelled by the long form ("ETFs" -> "etf")."""
    core = short[:-1] if short.endswith("s") and short[:-1].isupper() else short
    return "".join(c for c in core.lower() if c.isalnum())


def best_long_form(short: str, words_before: list[str]) -> str | None:
    """Schwartz-Hearst: the shortest run of preceding words that spells `short`; None if none does."""
    core = _core(short)
    if len(core) < 2:
        return None
    candidate = words_before[-min(len(words_before), len(core) + 5, MAX_LONG_WORDS) :]
    text = " ".join(candidate)
    s, lf = len(core) - 1, len(text) - 1
    while s >= 0:
        ch = core[s]
        while lf >= 0 and (text[lf].lower() != ch or (s == 0 and lf > 0 and text[lf - 1].isalnum())):
            lf -= 1
        if lf < 0:
            return None
        lf -= 1
        s -= 1
    start = text.rfind(" ", 0, lf + 1) + 1
    long_form = text[start:].strip(" ,;:-")
    long_words = long_form.split()
    if not long_words or long_form.lower() == short.lower():
        return None
    content = [w for w in long_words if w.lower() not in STOPWORDS]
    # A real expansion is words, not code or numbers, and spells more than one letter of the short form.
    if len(content) < 2 or len(long_words) > len(core) + 3:
        return None
    if long_words[0].lower() in STOPWORDS or long_words[0].lower() in (core, short.lower()):
        return None
    if any(w.isdigit() or (len(w) < 2 and w.lower() not in STOPWORDS) or "--" in w for w in long_words):
        return None
    return long_form


def mine(texts) -> Counter:
    """Counts of (short, long form) pairs defined in `texts`."""
    found: Counter = Counter()
    for text in texts:
        for m in SHORT_IN_PARENS.finditer(text):
            short = m.group(1)
            if not is_short_form(short):
                continue
            before = WORD.findall(text[max(0, m.start() - 200) : m.start()])
            long_form = best_long_form(short, before)
            if long_form:
                found[(short.rstrip("s") if _core(short) != short.lower() else short, long_form.lower())] += 1
        for m in LONG_IN_PARENS.finditer(text):
            short, inside = m.group(1), m.group(2)
            if not is_short_form(short):
                continue
            words = WORD.findall(inside)
            if not words or len(words) > MAX_LONG_WORDS:
                continue
            long_form = best_long_form(short, words)
            if long_form and long_form.split()[0].lower() == words[0].lower():
                found[(short, long_form.lower())] += 1
    return found


def best_expansions(found: Counter) -> dict[str, tuple[str, int]]:
    """One long form per short form: the most frequent (ties: the shorter)."""
    best: dict[str, tuple[str, int]] = {}
    for (short, long_form), count in found.items():
        current = best.get(short)
        if current is None or (count, -len(long_form)) > (current[1], -len(current[0])):
            best[short] = (long_form, count)
    return best
