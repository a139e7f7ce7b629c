"""Splitting lecture text into units a trim can drop (a sentence, or a quote with its citation),
never cutting inside a quotation."""

from __future__ import annotations

import re

from lectures.writing.base import CITE_RE

_OPEN = "“"
_CLOSE = "”"
_END = re.compile(r"(?:[.!?][\"”’)]*|\[\d{1,3}\])$")


def sentence_units(paragraph: str) -> list[str]:
    """Units of a paragraph: a split falls after a sentence end or a citation marker, outside quotes,
    before an upper-case letter, a quote mark or a digit."""
    units, start, depth, straight = [], 0, 0, False
    text = paragraph.strip()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == _OPEN:
            depth += 1
        elif ch == _CLOSE:
            depth = max(0, depth - 1)
        elif ch == '"':
            straight = not straight
        if ch == " " and depth == 0 and not straight and _END.search(text[start:i]):
            nxt = text[i + 1 : i + 2]
            # A citation marker belongs to the sentence before it.
            if (
                nxt
                and (nxt.isupper() or nxt.isdigit() or nxt in '“"*_(')
                and not text[i + 1 :].startswith("[")
            ):
                units.append(text[start:i].strip())
                start = i + 1
        i += 1
    tail = text[start:].strip()
    if tail:
        units.append(tail)
    return units


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def markers(text: str) -> list[int]:
    return [int(m) for m in CITE_RE.findall(text or "")]


def drop_claims(text: str, numbers: set[int]) -> str:
    """Remove every unit (sentence) that cites one of `numbers`, and paragraphs left empty."""
    if not numbers:
        return text
    kept_paragraphs = []
    for paragraph in paragraphs(text):
        if paragraph.startswith("#"):
            kept_paragraphs.append(paragraph)
            continue
        kept = [u for u in sentence_units(paragraph) if not (set(markers(u)) & numbers)]
        if kept:
            kept_paragraphs.append(" ".join(kept))
    return "\n\n".join(kept_paragraphs)


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Replace [n] with [mapping[n]]; markers not in the mapping are left as they are."""
    return CITE_RE.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text or "")
