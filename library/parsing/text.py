"""Plain text: encoding detection, paragraphs at blank lines, chapters from heading-like lines.

Headings recognised: "Chapter 1 ...", "CHAPTER ONE", "Part II", "Book 3", "Appendix A", Markdown
``#`` headings and underlined headings (``====`` / ``----``). Without any, the book is split into
parts of about ``WORDS_PER_PART`` words.
"""

from __future__ import annotations

import re
from pathlib import Path

from library.parsing.base import (
    ORDINAL_PATTERN,
    Block,
    OutlineBuilder,
    choose_chapter_level,
    finish_book,
    normalize_ws,
    read_text_file,
    split_words_into_parts,
)

WORDS_PER_PART = 5000

_NUM = ORDINAL_PATTERN
_PART_RE = re.compile(rf"^(?:part|book|volume)\s+{_NUM}\b[.:]?(?:\s*[-–—:.]?\s*\S.*)?$", re.I)
_CHAPTER_RE = re.compile(rf"^(?:chapter|appendix)\s+{_NUM}\b[.:]?(?:\s*[-–—:.]?\s*\S.*)?$", re.I)
_NAMED_RE = re.compile(
    r"^(?:prologue|epilogue|preface|foreword|introduction|afterword|conclusion)[.:]?$", re.I
)
_ATX_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_UNDERLINE_RE = re.compile(r"^(=+|-+)\s*$")
MAX_HEADING_CHARS = 100


def _paragraphs(lines: list[str]):
    """Yield ("heading", level, text, kind) and ("block", text) events."""
    para: list[str] = []
    n = len(lines)
    prev_blank = True

    def flush():
        if para:
            text = normalize_ws(" ".join(para))
            para.clear()
            if text:
                return ("block", text)
        return None

    i = 0
    while i < n:
        raw = lines[i]
        line = raw.strip()
        if not line:
            ev = flush()
            if ev:
                yield ev
            prev_blank = True
            i += 1
            continue
        next_line = lines[i + 1].strip() if i + 1 < n else ""
        heading = None
        if prev_blank and len(line) <= MAX_HEADING_CHARS:
            m = _ATX_RE.match(line)
            if m:
                heading = (len(m.group(1)), m.group(2), "atx")
            elif (
                next_line
                and _UNDERLINE_RE.match(next_line)
                and len(next_line) >= max(3, len(line) // 2)
                and not _UNDERLINE_RE.match(line)
            ):
                heading = (1 if next_line[0] == "=" else 2, line, "underline")
                i += 1
            elif _PART_RE.match(line) and not line.endswith((",", ";")):
                heading = (1, line, "part")
            elif (_CHAPTER_RE.match(line) or _NAMED_RE.match(line)) and not line.endswith((",", ";")):
                heading = (2, line, "chapter")
        if heading:
            ev = flush()
            if ev:
                yield ev
            level, title, kind = heading
            # "CHAPTER ONE" followed by a one-line title paragraph: join them.
            j = i + 1
            if kind in ("part", "chapter") and len(title.split()) <= 3:
                while j < n and not lines[j].strip():
                    j += 1
                if (
                    j < n
                    and (j + 1 >= n or not lines[j + 1].strip())
                    and len(lines[j].strip()) <= 70
                    and not lines[j].strip().endswith((".", ",", ";", ":"))
                    and not _PART_RE.match(lines[j].strip())
                    and not _CHAPTER_RE.match(lines[j].strip())
                ):
                    title = f"{title} {lines[j].strip()}"
                    i = j
            yield ("heading", level, normalize_ws(title), kind)
            prev_blank = True
            i += 1
            continue
        para.append(line)
        prev_blank = False
        i += 1
    ev = flush()
    if ev:
        yield ev


def build_text_chapters(text: str, *, words_per_part: int = WORDS_PER_PART):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    events = list(_paragraphs(lines))
    headings = [e for e in events if e[0] == "heading"]
    if not headings:
        blocks = [Block(text=e[1], page=None, heading_path=[]) for e in events if e[0] == "block"]
        return split_words_into_parts(blocks, words_per_part)
    kinds = {e[3] for e in headings}
    if "chapter" in kinds and sum(1 for e in headings if e[3] == "chapter") >= 2:
        chapter_level = 2
    else:
        chapter_level = choose_chapter_level([e[1] for e in headings])
    builder = OutlineBuilder(chapter_level)
    for ev in events:
        if ev[0] == "heading":
            builder.heading(ev[1], ev[2])
        else:
            builder.block(ev[1])
    return builder.chapters


def parse_text(path: Path, *, words_per_page: int = 300, max_bytes: int = 500 * 2**20):
    path = Path(path)
    text = read_text_file(path, max_bytes=max_bytes)
    chapters = build_text_chapters(text)
    first_line = next((normalize_ws(ln) for ln in text.splitlines() if ln.strip()), "")
    is_heading = _CHAPTER_RE.match(first_line) or _PART_RE.match(first_line) or _ATX_RE.match(first_line)
    title = first_line if 0 < len(first_line) <= 120 and not is_heading else ""
    return finish_book(title=title, authors="", fmt="text", chapters=chapters, words_per_page=words_per_page)
