"""The licence a book carries (the GNU Free Documentation License appended to a GNU manual, a
"Copying" chapter, a copyright notice): text about the book, not of it. Its many everyday words
("document", "copy", "work", "called") match questions it does not answer, so answers leave it out
unless the question is about copying or licensing."""

from __future__ import annotations

import re

# "Appendix A", "7", "C.2", "A." before a title.
_NUMBERING_RE = re.compile(
    r"^(?:appendix\s+)?(?:[A-Z]|[IVXL]+|\d+)(?:\.\d+)*[.:)]?\s+|^appendix\s*[.:-]?\s*", re.I
)
_LICENCE_TITLE_RE = re.compile(
    r"^(?:copying(?:\s+(?:this\s+(?:manual|document|book)|conditions|permissions))?|"
    r"copyright(?:\s+(?:notice|and\s+licen[cs]e|information))?|legal\s+notices?|"
    r"terms\s+and\s+conditions|distribution\s+terms)$"
    r"|\blicen[cs](?:e|es|ing)\b",
    re.I,
)
_LICENCE_QUESTION_RE = re.compile(
    r"\b(?:licen[cs]\w*|copyright\w*|copyleft|copy|copying|copies|redistribut\w*|distribut\w*|"
    r"permission\w*|permitted|warrant\w*|patent\w*|trademark\w*|gpl|gfdl|lgpl|fdl|public\s+domain|"
    r"creative\s+commons|attribution|royalt\w*|legal\w*|allowed\s+to)\b",
    re.I,
)


def is_licence_title(title: str) -> bool:
    """A chapter or section heading that titles a licence or copying notice."""
    bare = _NUMBERING_RE.sub("", " ".join(str(title or "").split()), count=1).strip(" .:")
    return bool(bare) and bool(_LICENCE_TITLE_RE.search(bare))


def is_licence_passage(chapter: str, heading_path: list | None = None) -> bool:
    return is_licence_title(chapter) or any(is_licence_title(h) for h in (heading_path or []))


def asks_about_licence(question: str) -> bool:
    return bool(_LICENCE_QUESTION_RE.search(question or ""))
