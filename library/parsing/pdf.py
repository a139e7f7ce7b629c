"""PDF: the text layer page by page with pypdfium2, chapters from the outline (bookmarks).

Pages are streamed (load, extract, close) so memory stays flat; only the extracted text is kept.
Without an outline, chapters come from "Chapter N ..." lines at the top of pages, else from fixed
groups of pages.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from library.parsing.base import (
    Block,
    IngestError,
    ParsedBook,
    ParsedChapter,
    clean_title,
    finish_book,
    normalize_ws,
)

logger = logging.getLogger(__name__)

PAGES_PER_FALLBACK_CHAPTER = 20
ENCRYPTED_MESSAGE = "This PDF is encrypted; remove the password and upload it again."
NO_TEXT_MESSAGE = "This PDF has no extractable text; OCR is not supported."

_DIGITS_RE = re.compile(r"\d+")
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_CHAPTER_LINE_RE = re.compile(
    r"^(?:chapter|part|appendix|book)\s+(?:\d{1,3}|[ivxlc]{1,6}|[a-z])\b.{0,120}$|^chapter\s+\w+$", re.I
)
_ALNUM_RE = re.compile(r"[\W_]+")
_SENTENCE_END = tuple('.!?:;"”’)')


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """Open a PDF or raise IngestError (encrypted, corrupt)."""
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg or "security" in msg:
            raise IngestError(ENCRYPTED_MESSAGE)
        raise IngestError("This PDF is damaged or not a PDF; it could not be opened.")


@dataclass
class _Entry:
    level: int
    title: str
    page: int  # 0-based page index


def _read_outline(pdf: pdfium.PdfDocument, page_count: int) -> list[_Entry]:
    entries: list[_Entry] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for bm in pdf.get_toc(max_depth=16):
                dest = bm.get_dest()
                if dest is None:
                    continue
                index = dest.get_index()
                if index is None or not 0 <= index < page_count:
                    continue
                title = clean_title(bm.get_title() or "", "")
                if title:
                    entries.append(_Entry(bm.level, title, index))
    except pdfium.PdfiumError:
        logger.warning("unreadable PDF outline; falling back to headings")
        return []
    return entries


def _page_lines(pdf: pdfium.PdfDocument, index: int) -> list[str]:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    text = text.replace("\ufffe", "").replace("\x02", "").replace("\xad", "")
    return [normalize_ws(line) for line in text.splitlines()]


def _key(line: str) -> str:
    return _DIGITS_RE.sub("#", line.lower())


def _strip_running_heads(pages: list[list[str]]) -> None:
    """Drop lines repeated at the top or bottom of several pages (running heads, footers) and bare
    page numbers."""
    counts: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        nonempty = [ln for ln in lines if ln]
        for ln in nonempty[:2]:
            counts["top", _key(ln)] += 1
        for ln in nonempty[-2:]:
            counts["bottom", _key(ln)] += 1
    threshold = 3 if len(pages) >= 6 else 10**9
    for lines in pages:
        idx = [i for i, ln in enumerate(lines) if ln]
        if len(idx) < 3:
            continue
        for pos, where in [(i, "top") for i in idx[:2]] + [(i, "bottom") for i in idx[-2:]]:
            line = lines[pos]
            if _PAGE_NUMBER_RE.match(line) or (len(line) <= 120 and counts[where, _key(line)] >= threshold):
                lines[pos] = ""


def _norm(s: str) -> str:
    return _ALNUM_RE.sub("", s.lower())


def _find_title_line(lines: list[str], title: str, start: int) -> int | None:
    target = _norm(title)
    if not target:
        return None
    for i in range(start, len(lines)):
        n = _norm(lines[i])
        if len(n) >= 3 and (n.startswith(target[:40]) or (len(n) >= 8 and target.startswith(n))):
            return i
        # a numbered heading split from its number ("1.1" / "Demand")
        if n and target.endswith(n) and len(n) >= 8:
            return i
    return None


class _ParagraphJoiner:
    """Joins the lines of a page into paragraphs: a break at blank lines, at lines clearly shorter
    than the page's text width, and before lines that look like headings."""

    def __init__(self):
        self.parts: list[str] = []
        self.blocks: list[str] = []

    def add_line(self, line: str, width: int) -> None:
        if not line:
            self.flush()
            return
        if self.parts:
            prev = self.parts[-1]
            if prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and line[:1].islower():
                self.parts[-1] = prev[:-1] + line.split(" ", 1)[0]
                rest = line.split(" ", 1)[1] if " " in line else ""
                if rest:
                    self.parts.append(rest)
                self._maybe_break(line, width)
                return
        self.parts.append(line)
        self._maybe_break(line, width)

    def _maybe_break(self, line: str, width: int) -> None:
        if len(line) < 0.7 * width and (line.endswith(_SENTENCE_END) or len(line) < 0.5 * width):
            self.flush()

    def flush(self) -> None:
        if self.parts:
            text = normalize_ws(" ".join(self.parts))
            if text:
                self.blocks.append(text)
            self.parts = []

    def take(self) -> list[str]:
        self.flush()
        out, self.blocks = self.blocks, []
        return out


def _width(lines: list[str]) -> int:
    lengths = sorted(len(ln) for ln in lines if len(ln) > 10)
    if not lengths:
        return 60
    return max(20, lengths[int(len(lengths) * 0.8)])


def parse_pdf(path: Path) -> ParsedBook:
    path = Path(path)
    with path.open("rb") as fh:
        if b"%PDF-" not in fh.read(1024):
            raise IngestError("This file is not a PDF.")
    pdf = open_pdf(path)
    try:
        page_count = len(pdf)
        if page_count == 0:
            raise IngestError("This PDF has no pages.")
        try:
            meta = pdf.get_metadata_dict()
        except pdfium.PdfiumError:
            meta = {}
        outline = _read_outline(pdf, page_count)
        pages = []
        for i in range(page_count):
            try:
                pages.append(_page_lines(pdf, i))
            except pdfium.PdfiumError:
                pages.append([])
    finally:
        pdf.close()

    if not any(any(ln for ln in lines) for lines in pages):
        raise IngestError(NO_TEXT_MESSAGE)
    first_line = next((ln for lines in pages for ln in lines if ln), "")
    _strip_running_heads(pages)

    # Cut points: (page, line) -> outline entry that starts there.
    cuts: dict[int, list[tuple[int, _Entry]]] = {}
    mode = "outline"
    if outline:
        top = min(e.level for e in outline)
        for e in outline:
            e.level -= top
        last_line: dict[int, int] = {}
        for e in outline:
            start = last_line.get(e.page, 0)
            found = _find_title_line(pages[e.page], e.title, start)
            line = found if found is not None and found > 2 else start
            last_line[e.page] = line
            cuts.setdefault(e.page, []).append((line, e))
    else:
        mode = "headings"
        for pno, lines in enumerate(pages):
            head = [(i, ln) for i, ln in enumerate(lines) if ln][:3]
            for i, ln in head:
                if _CHAPTER_LINE_RE.match(ln):
                    title = ln
                    nxt = [x for j, x in head if j > i][:1]
                    if (
                        nxt
                        and len(ln.split()) <= 2
                        and len(nxt[0]) < 80
                        and not nxt[0].endswith(_SENTENCE_END)
                    ):
                        title = f"{ln} {nxt[0]}"
                    cuts[pno] = [(0, _Entry(0, title, pno))]
                    break
        if len(cuts) < 2:
            cuts = {}
            mode = "pages"

    chapters: list[ParsedChapter] = []
    path_titles: list[str] = []
    current: ParsedChapter | None = None

    def open_chapter(title: str) -> ParsedChapter:
        ch = ParsedChapter(title=title, heading_path=[title], blocks=[])
        chapters.append(ch)
        return ch

    joiner = _ParagraphJoiner()
    for pno, lines in enumerate(pages):
        page_no = pno + 1
        if mode == "pages" and pno % PAGES_PER_FALLBACK_CHAPTER == 0:
            last = min(page_count, pno + PAGES_PER_FALLBACK_CHAPTER)
            current = open_chapter(f"Pages {page_no}–{last}")
            path_titles = [current.title]
        width = _width(lines)
        page_cuts = sorted(cuts.get(pno, []), key=lambda c: c[0])
        ci = 0
        for li, line in enumerate(lines + [""]):
            while ci < len(page_cuts) and page_cuts[ci][0] <= li:
                _emit(joiner, current, path_titles, page_no)
                entry = page_cuts[ci][1]
                if entry.level == 0:
                    current = open_chapter(entry.title)
                    path_titles = [entry.title]
                else:
                    path_titles = path_titles[: entry.level] + [entry.title]
                ci += 1
            if current is None:
                current = open_chapter("Front matter")
                path_titles = ["Front matter"]
            joiner.add_line(line, width)
        _emit(joiner, current, path_titles, page_no)

    title = meta.get("Title") or first_line[:200] or path.stem
    authors = meta.get("Author") or ""
    return finish_book(
        title=title,
        authors=authors,
        fmt="pdf",
        chapters=chapters,
        words_per_page=None,
        physical_pages=True,
        pages=page_count,
    )


def _emit(joiner: _ParagraphJoiner, chapter: ParsedChapter | None, path: list[str], page: int) -> None:
    blocks = joiner.take()
    if chapter is None:
        return
    for text in blocks:
        chapter.blocks.append(Block(text=text, page=page, heading_path=list(path)))
