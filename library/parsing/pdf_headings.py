"""Chapters and sections of a PDF without bookmarks, found from the page layout.

The rules, all relative to the book itself (nothing is tuned to one book):

1. The body text size is the size most of the book's characters are set in.
2. A heading candidate is a short line set clearly larger than the body (or bold, when it carries a
   "Chapter 7" label): not a running head, not a table-of-contents entry or page, not a sentence,
   not a lone drop capital or ornament. Adjacent candidate lines form one heading ("Chapter 7" /
   "Sums of Random Variables", or a title wrapped over two lines).
3. Headings are grouped by style (size, bold). The chapter style is the one whose headings behave
   like chapters: at least two, one per page, distinct, near the top of their page, spread over the
   book, not "1.2"-numbered; "Chapter N" labels weigh most, then size. Larger styles of the same kind
   (parts) also start chapters; the next smaller styles give sections and subsections.
4. Without such a style, "Chapter N" lines at the top of pages are the chapters.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from library.parsing.base import ORDINAL_PATTERN
from library.parsing.pdf_layout import Line, Page, is_toc_entry, toc_pages

BIG = 1.15  # a heading is at least this much larger than the body text
SECTION_BIG = 1.08  # sections may be a little smaller than that
MAX_HEADING_WORDS = 18
MAX_MERGED_LINES = 3

CHAPTER_LABEL_RE = re.compile(rf"^(?:chapter|chap\.|lecture|lesson|unit)\s+{ORDINAL_PATTERN}\b[.:]?", re.I)
PART_LABEL_RE = re.compile(rf"^(?:part|book|volume)\s+{ORDINAL_PATTERN}\b[.:]?", re.I)
APPENDIX_LABEL_RE = re.compile(rf"^appendix\s+{ORDINAL_PATTERN}\b[.:]?", re.I)
ANY_LABEL_RE = re.compile(r"^(?:chapter|part|appendix|section|lecture|lesson|unit|book|volume)\s+\S+$", re.I)
SECTION_NUMBER_RE = re.compile(r"^\d{1,3}\.\d{1,3}(?:\.\d+)*\.?(?:\s|$)")
BARE_NUMBER_RE = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,7})\.?$")
CONTENTS_RE = re.compile(
    r"^(?:table of )?contents$|^(?:brief|detailed|short) contents$|^contents in brief$", re.I
)
_NORM_RE = re.compile(r"[\W\d_]+")


@dataclass
class Heading:
    page: int  # 0-based page index
    lines: list[int]  # indices into the page's lines
    text: str
    size: float
    bold: bool
    at_top: bool
    level: int = 0  # 0 chapter (or part), 1 section, 2 subsection


@dataclass
class _Style:
    size: float
    bold: bool
    headings: list[Heading] = field(default_factory=list)


def body_style(pages: list[Page]) -> tuple[float, int]:
    """The size (to 0.5 pt) and weight most of the book's characters are set in."""
    sizes: dict[float, int] = defaultdict(int)
    weights: dict[int, int] = defaultdict(int)
    for page in pages:
        for ln in page.lines:
            if ln.size > 0 and not ln.furniture:
                sizes[round(ln.size * 2) / 2] += len(ln.text)
    if not sizes:
        return 0.0, -1
    body = max(sizes, key=sizes.get)
    for page in pages:
        for ln in page.lines:
            if abs(ln.size - body) <= 0.5:
                weights[ln.weight] += len(ln.text)
    return body, max(weights, key=weights.get) if weights else -1


def _is_bold(line: Line, body_weight: int) -> bool:
    return line.bold_name or line.weight >= 600 or (body_weight > 0 and line.weight >= body_weight + 150)


def _candidate(line: Line, body: float, body_weight: int) -> bool:
    text = line.text
    if line.furniture or not text or len(text) > 150 or len(text.split()) > MAX_HEADING_WORDS:
        return False
    big = line.min_size >= body * SECTION_BIG
    if not big and not (
        _is_bold(line, body_weight) and line.min_size >= body * 0.95 and CHAPTER_LABEL_RE.match(text)
    ):
        return False
    if BARE_NUMBER_RE.match(text):
        return True
    letters = sum(ch.isalpha() for ch in text)
    if letters < 2 or letters < 0.4 * len(text.replace(" ", "")):
        return False  # drop capitals, ornaments, formulas
    if text[0].islower() or text.endswith((",", ";")) or is_toc_entry(text):
        return False
    return not (text.endswith(".") and len(text.split()) > 8)


def _starts_label(text: str) -> bool:
    """The line opens a heading of its own: "Chapter 5 ...", "Part III. ...", "Appendix A", "7"."""
    return bool(
        _is_label(text)
        or CHAPTER_LABEL_RE.match(text)
        or PART_LABEL_RE.match(text)
        or APPENDIX_LABEL_RE.match(text)
    )


def _is_label(text: str) -> bool:
    return bool(BARE_NUMBER_RE.match(text) or ANY_LABEL_RE.match(text) or CHAPTER_LABEL_RE.fullmatch(text))


def _page_headings(index: int, page: Page, body: float, body_weight: int) -> list[Heading]:
    content = [i for i, ln in enumerate(page.lines) if ln.text and not ln.furniture]
    out: list[Heading] = []
    k = 0
    while k < len(content):
        i = content[k]
        line = page.lines[i]
        if not _candidate(line, body, body_weight):
            k += 1
            continue
        group = [i]
        while k + 1 < len(content) and len(group) < MAX_MERGED_LINES:
            nxt = page.lines[content[k + 1]]
            last = page.lines[group[-1]]
            if not _candidate(nxt, body, body_weight) or _starts_label(nxt.text):
                break
            gap = nxt.top - last.top
            if not 0 < gap <= 2.6 * max(nxt.size, last.size):
                break
            same = abs(nxt.size - last.size) <= 0.08 * last.size and _is_bold(nxt, body_weight) == _is_bold(
                last, body_weight
            )
            label_then_title = (
                len(group) == 1 and _is_label(last.text) and not SECTION_NUMBER_RE.match(nxt.text)
            )
            if not (same or label_then_title):
                break
            group.append(content[k + 1])
            k += 1
        k += 1
        if len(group) == 1 and _is_label(line.text) and k < len(content):
            nxt = page.lines[content[k]]
            gap = nxt.top - line.top
            if (
                _is_bold(nxt, body_weight)
                and 0 < gap <= 3 * line.size
                and _title_like(nxt.text, 12)
                and not SECTION_NUMBER_RE.match(nxt.text)
            ):
                group.append(content[k])  # "CHAPTER 7" over a bold title in the body size
                k += 1
        lines = [page.lines[j] for j in group]
        if len(group) == 1 and BARE_NUMBER_RE.match(line.text):
            continue  # a number alone (a big page or figure number) is not a heading
        main = max(lines, key=lambda ln: ln.size)
        position = content.index(group[0])
        out.append(
            Heading(
                page=index,
                lines=group,
                text=" ".join(ln.text for ln in lines),
                size=round(main.size * 2) / 2,
                bold=_is_bold(main, body_weight),
                at_top=position <= 2 or 0 <= lines[0].top <= 0.45 * page.height,
            )
        )
    return out


def _norm(text: str) -> str:
    return _NORM_RE.sub("", text.lower())


def _share(headings: list[Heading], test) -> float:
    return sum(1 for h in headings if test(h.text)) / len(headings)


def _chapter_like(style: _Style, body: float, n_pages: int, strict: bool = True) -> tuple | None:
    """A ranking key when the style's headings behave like chapters, else None. Not ``strict``:
    the top level of a short document (an article, a manual) whose sections share pages."""
    hs = style.headings
    n = len(hs)
    if n < 2:
        return None
    labelled = _share(hs, lambda t: CHAPTER_LABEL_RE.match(t) or APPENDIX_LABEL_RE.match(t))
    parts = _share(hs, PART_LABEL_RE.match)
    if style.size < body * BIG and labelled < 0.6:
        return None
    pages = {h.page for h in hs}
    if len({_norm(h.text) for h in hs}) < 0.7 * n or _share(hs, SECTION_NUMBER_RE.match) >= 0.5:
        return None
    if not strict:
        return (labelled >= 0.3, parts < 0.5, style.size) if n <= max(4, 2 * n_pages) else None
    if len(pages) < 0.8 * n or sum(h.at_top for h in hs) < 0.6 * n or n > max(4, n_pages / 3):
        return None
    if n < 4 and (max(pages) - min(pages)) < 0.25 * n_pages:
        return None  # e.g. the title repeated on the cover and the title page
    return (labelled >= 0.3, parts < 0.5, style.size)


def detect_headings(pages: list[Page]) -> list[Heading]:
    """The book's chapter (level 0), section (1) and subsection (2) headings, in reading order;
    an empty list when the layout shows no chapters."""
    body, body_weight = body_style(pages)
    if body <= 0:
        return []
    skip_pages = toc_pages(pages, body)
    found: list[Heading] = []
    for index, page in enumerate(pages):
        headings = _page_headings(index, page, body, body_weight)
        if index in skip_pages:
            # A contents or list-of-figures page: only its own title (e.g. "Index" over index
            # pages that look alike) can head a chapter.
            headings = [h for h in headings if h.lines[0] == _first_content(page)][:1]
        found.extend(h for h in headings if not CONTENTS_RE.match(h.text))
    styles: dict[tuple[float, bool], _Style] = {}
    for h in found:
        styles.setdefault((h.size, h.bold), _Style(h.size, h.bold)).headings.append(h)
    ranked = [(key, s) for s in styles.values() if (key := _chapter_like(s, body, len(pages)))]
    if not ranked:
        ranked = [(key, s) for s in styles.values() if (key := _chapter_like(s, body, len(pages), False))]
        ranked = [max(ranked, key=lambda r: r[0])] if ranked else []
    if not ranked:
        return _labelled_chapters(found) or _plain_chapter_lines(pages)
    chapter = max(ranked, key=lambda r: r[0])[1]
    levels: dict[tuple[float, bool], int] = {}
    for _, style in ranked:
        if style.size >= chapter.size:
            levels[style.size, style.bold] = 0
    smaller = sorted(
        (
            s
            for s in styles.values()
            if s.size < chapter.size
            and s.size >= body * SECTION_BIG
            and len(s.headings) >= min(3, len(chapter.headings))
        ),
        key=lambda s: (s.size, s.bold),
        reverse=True,
    )
    for depth, style in enumerate(smaller[:2], start=1):
        levels[style.size, style.bold] = depth
    out = []
    for h in found:
        level = levels.get((h.size, h.bold))
        if level is not None:
            h.level = level
            out.append(h)
    return out


def _first_content(page: Page) -> int | None:
    return next((i for i, ln in enumerate(page.lines) if ln.text and not ln.furniture), None)


def _labelled_chapters(found: list[Heading]) -> list[Heading]:
    """No chapter style: "Chapter N" headings near the top of their page, if there are two."""
    chapters = [h for h in found if h.at_top and CHAPTER_LABEL_RE.match(h.text)]
    for h in chapters:
        h.level = 0
    return chapters if len({h.page for h in chapters}) >= 2 else []


def _plain_chapter_lines(pages: list[Page]) -> list[Heading]:
    """A document set in one style: a page whose first line is a short "Chapter N ..." line (not a
    sentence that happens to begin with those words) starts a chapter; its title line is joined when
    the label stands alone."""
    out = []
    for index, page in enumerate(pages):
        content = [i for i, ln in enumerate(page.lines) if ln.text and not ln.furniture]
        if not content:
            continue
        text = page.lines[content[0]].text
        if not CHAPTER_LABEL_RE.match(text) or not _title_like(text, 8):
            continue
        lines = [content[0]]
        if len(text.split()) <= 2 and len(content) > 1 and _title_like(page.lines[content[1]].text, 10):
            lines.append(content[1])
        title = " ".join(page.lines[i].text for i in lines)
        out.append(Heading(index, lines, title, page.lines[content[0]].size, False, True))
    return out if len(out) >= 2 else []


def _title_like(text: str, max_words: int) -> bool:
    return (
        len(text.split()) <= max_words and not text.endswith((".", ",", ";", ":")) and not text[0].islower()
    )
