"""Footnotes at the foot of a PDF page, told apart from the text by the page layout.

A footnote is set smaller than the body text, below it, and opens with the number (or symbol) that
marks its place in the text above, where the same number is set as a superscript, glued to a word
("procedure.28"). The text layer has no superscripts, so the number reads as part of the word, and
the notes sit between the last line of one page and the first line of the next, often in the middle
of a sentence.

:func:`separate_footnotes` finds the notes by those traits: the run of lines at the foot of the
page set in one size smaller than the body, holding a line that opens with a number also found glued
into the page's text above (a run on the next page, in the same size and before any numbered note,
goes on with the last note). It marks their lines, drops the numbers on both sides, and the parser
puts the notes after the sentence they interrupted.
"""

from __future__ import annotations

import re
from collections import Counter

from library.parsing.pdf_layout import Line, Page

SMALLER = 0.92  # a note's size is at most this share of the body size
SAME_SIZE = 0.04  # a note going on from the page before is within this share of the body size of it
# a number or symbol, then a word ("28Embedded", "3 The"; not "2x1 + y" in a formula)
_LABEL_RE = re.compile(r"^(\d{1,3}|[*†‡§¶])\s?(?=[^\W\d_]{2}|[“\"‘(][^\W\d_])")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_LABEL_ONLY_RE = re.compile(r"^(\d{1,3}|[*†‡§¶])$")  # a label set on a line of its own


_CLOSERS = ',;:!?)”’"'


def _markers(label: str, text: str) -> list[tuple[int, int]]:
    """Where ``label`` is set in ``text`` as a footnote marker: glued to a word ("pieces28"), after
    punctuation ("pieces.28", "is 1:28", "said,”28"; not a decimal point after a digit: "1.28"),
    or alone after a sentence ("f. 28 For": the space after it goes too)."""
    spans = []
    at = text.find(label)
    while at >= 0:
        end = at + len(label)
        before = text[max(0, at - 3) : at].rjust(3)
        after = text[end : end + 2]
        if not (before[2].isdigit() or after[:1].isdigit() or (after[:1] in ".," and after[1:].isdigit())):
            glued = (
                before[2].isalpha()
                or (before[2] in _CLOSERS and not before[1].isspace())
                or (before[2] == "." and (before[1].isalpha() or before[1] in _CLOSERS))
            )
            if glued:
                spans.append((at, end))
            elif (
                before[1:] in (". ", "! ", "? ")
                and before[0].isalpha()
                and after[:1] == " "
                and after[1:].isupper()
            ):
                spans.append((at, end + 1))
        at = text.find(label, end)
    return spans


def _strip_markers(label: str, text: str) -> str:
    spans = _markers(label, text)
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts.append(text[last:start])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _prose(text: str) -> bool:
    """Reads like the start of a sentence: a word first, three words in all."""
    return bool(re.match(r"\W?[^\W\d_]", text)) and len(_WORD_RE.findall(text)) >= 3


def _labels(run: list[Line], above: list[Line]) -> dict[int, tuple[str, str]]:
    """The lines of ``run`` that open a note: index -> (label, the line without it). A label must
    be marked in the text ``above``."""
    found: dict[int, tuple[str, str]] = {}
    text_above = ""
    for i, ln in enumerate(run):
        m = _LABEL_RE.match(ln.text)
        if m and _prose(ln.text[m.end() :]):
            label, rest = m.group(1), ln.text[m.end() :].lstrip()
        elif (m := _LABEL_ONLY_RE.match(ln.text)) and i + 1 < len(run) and _prose(run[i + 1].text):
            label, rest = m.group(1), ""
        else:
            continue
        text_above = text_above or "\n".join(ln.text for ln in above)
        if _markers(label, text_above) or any(ln.text == label for ln in above):
            found[i] = (label, rest)
    return found


def separate_footnotes(pages: list[Page], body: float) -> list[list[tuple[int, list[Line]]]]:
    """The footnotes that open on each page, as (page index, lines): each note, then the part of it
    that goes on on the next page (with that page's index), if any. Their lines are marked
    ``Line.footnote``, their opening numbers and the matching markers in the text above removed."""
    notes: list[list[tuple[int, list[Line]]]] = []
    home: list[tuple[int, list[Line]]] = []  # the notes of the page where the last note opened
    last: list[Line] = []  # the lines of the last note on the page before (empty: none)
    for index, page in enumerate(pages):
        notes.append([])
        lines = [ln for ln in page.lines if ln.text and not ln.furniture]
        start = len(lines)
        while start > 0 and 0 < lines[start - 1].size < SMALLER * body:
            start -= 1
        # a marker set on a line of its own just before the note it marks ("27" / "27Lexical...")
        while start < len(lines) - 1 and _LABEL_ONLY_RE.match(lines[start].text):
            if not lines[start + 1].text.startswith(lines[start].text):
                break
            start += 1
        above, run = lines[:start], lines[start:]
        labels = _labels(run, above) if above else {}
        first = min(labels, default=len(run))
        # lines before the first note go on with the last note of the page before, in its size
        go_on = 0
        if last and above:
            size = Counter(round(ln.size, 1) for ln in last).most_common(1)[0][0]
            while go_on < first and abs(run[go_on].size - size) <= SAME_SIZE * body:
                go_on += 1
        last = []
        if go_on:
            last = run[:go_on]
            home.append((index, last))
        for i in range(first, len(run)):
            if i in labels:
                run[i].text = labels[i][1]
                last = []
                notes[-1].append((index, last))
                home = notes[-1]
            last.append(run[i])
        for ln in run[:go_on] + run[first:]:
            ln.footnote = True
        for label, _ in labels.values():
            for ln in above:
                if label in ln.text:
                    ln.text = "" if ln.text == label else _strip_markers(label, ln.text)
    return notes
