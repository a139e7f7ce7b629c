"""PDF: the text layer page by page with pypdfium2, chapters from the outline (bookmarks).

Pages are streamed (load, extract, close) so memory stays flat; only the extracted lines and their
style are kept. Without an outline, chapters and sections come from the page layout
(:mod:`library.parsing.pdf_headings`), else from fixed groups of pages.
"""

from __future__ import annotations

import logging
import re
import warnings
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
from library.parsing.pdf_footnotes import separate_footnotes
from library.parsing.pdf_headings import detect_headings
from library.parsing.pdf_hyphens import Hyphenation
from library.parsing.pdf_layout import LABEL_ONLY_RE, Page, PageReader, mark_furniture

logger = logging.getLogger(__name__)

PAGES_PER_FALLBACK_CHAPTER = 20
ENCRYPTED_MESSAGE = "This PDF is encrypted; remove the password and upload it again."
NO_TEXT_MESSAGE = "This PDF has no extractable text; OCR is not supported."

_ALNUM_RE = re.compile(r"[\W_]+")
_SENTENCE_END = tuple('.!?:;"”’)')
_NUMBER_PREFIX_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,7})\.?\s+")
_NUMBER_ONLY_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,7})\.?$")


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


def _norm(s: str) -> str:
    return _ALNUM_RE.sub("", s.lower())


def _keys(line: str) -> tuple[str, ...]:
    """A line normalised for comparing with a bookmark title, with and without its section number
    ("1.2 Procedures and ..." for the bookmark "Procedures and ...")."""
    n = _norm(line)
    bare = _norm(_NUMBER_PREFIX_RE.sub("", line))
    return (n, bare) if bare != n else (n,)


def _find_title_line(lines: list[str], title: str, start: int) -> int | None:
    target = _norm(title)
    if not target:
        return None
    for i in range(start, len(lines)):
        for n in _keys(lines[i]):
            if len(n) >= 3 and (n.startswith(target[:40]) or (len(n) >= 8 and target.startswith(n))):
                return i
            # a numbered heading split from its number ("1.1" / "Demand")
            if n and target.endswith(n) and len(n) >= 8:
                return i
    return None


def _title_lines(lines: list[str], index: int, title: str) -> list[int]:
    """The lines a bookmark's heading found at ``index`` takes up (wrapped over several lines, under
    a label such as "Chapter 3" or "1.2"), to leave out of the text as the other formats do; none
    when the line holds more than the title (a heading run into its paragraph)."""
    target = _norm(title)
    got, taken = "", []
    for j in range(index, len(lines)):
        piece = next((n for n in _keys(lines[j]) if n and target.startswith(got + n)), None)
        if piece is None:
            break
        got += piece
        taken.append(j)
        if got == target:
            break
    if not taken or got != target:
        return []
    above = lines[index - 1] if index > 0 else ""
    if LABEL_ONLY_RE.match(above) or _NUMBER_ONLY_RE.match(above):
        taken.insert(0, index - 1)
    return taken


class _ParagraphJoiner:
    """Joins the lines of a page into paragraphs: a break at blank lines, at lines clearly shorter
    than the page's text width, and before lines that look like headings."""

    def __init__(self, hyphenation: Hyphenation | None = None):
        self.parts: list[str] = []
        self.blocks: list[str] = []
        self.hyphenation = hyphenation or Hyphenation()

    def add_line(self, line: str, width: int) -> None:
        if not line:
            self.flush()
            return
        if self.parts:
            prev = self.parts[-1]
            if _broken_word(prev, line):
                self.parts[-1] = self.hyphenation.join(prev[:-1], line.split(" ", 1)[0])
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


def _broken_word(line: str, next_line: str) -> bool:
    """``line`` ends in a word broken by a hyphen that ``next_line`` goes on with."""
    return line.endswith("-") and len(line) > 1 and line[-2].isalpha() and next_line[:1].islower()


def _join_across_pages(pages: list[list[str]], hyphenation: Hyphenation) -> None:
    """A word broken at the foot of a page is put back together on that page: the next page's
    first word moves up (the pages' paragraphs are separate blocks, each with its own page)."""
    for lines, following in zip(pages, pages[1:], strict=False):
        last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i]), None)
        first = next((i for i, line in enumerate(following) if line), None)
        if last is None or first is None or not _broken_word(lines[last], following[first]):
            continue
        word, _, rest = following[first].partition(" ")
        lines[last] = hyphenation.join(lines[last][:-1], word)
        following[first] = rest


def _runs_on(lines: list[str], following: list[str]) -> bool:
    """The last sentence of a page's ``lines`` goes on on the ``following`` page."""
    last = next((line for line in reversed(lines) if line), "")
    first = next((line for line in following if line), "")
    return bool(last) and not last.endswith(_SENTENCE_END) and first[:1].islower()


def _join_lines(lines: list[str], hyphenation: Hyphenation) -> str:
    """Lines as one paragraph, words broken at their ends joined."""
    parts: list[str] = []
    for line in lines:
        if parts and _broken_word(parts[-1], line):
            word, _, line = line.partition(" ")
            parts[-1] = hyphenation.join(parts[-1][:-1], word)
        if line:
            parts.append(line)
    return normalize_ws(" ".join(parts))


def _width(lines: list[str]) -> int:
    lengths = sorted(len(ln) for ln in lines if len(ln) > 10)
    if not lengths:
        return 60
    return max(20, lengths[int(len(lengths) * 0.8)])


def parse_pdf(path: Path, *, use_outline: bool = True) -> ParsedBook:
    """Parse a PDF; ``use_outline=False`` ignores its bookmarks (to measure the layout rules)."""
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
        outline = _read_outline(pdf, page_count) if use_outline else []
        pages: list[Page] = []
        reader = PageReader(pdf)
        for i in range(page_count):
            try:
                pages.append(reader.read(i))
            except pdfium.PdfiumError:
                pages.append(Page([], 0.0))
    finally:
        pdf.close()

    if not any(ln.text for page in pages for ln in page.lines):
        raise IngestError(NO_TEXT_MESSAGE)
    hyphenation = Hyphenation(ln.text for page in pages for ln in page.lines)
    for page in pages:
        for ln in page.lines:
            ln.text = hyphenation.resolve(ln.text)
    first_line = next((ln.text for page in pages for ln in page.lines if ln.text), "")
    mark_furniture(pages)
    notes = [
        [(_join_lines([ln.text for ln in note], hyphenation), index + 1) for index, note in page_notes]
        for page_notes in separate_footnotes(pages, reader.body)
    ]
    texts = [[("" if ln.furniture or ln.footnote else ln.text) for ln in page.lines] for page in pages]

    # Cut points: page -> [(line, entry that starts there)]; heading lines left out of the text.
    cuts: dict[int, list[tuple[int, _Entry]]] = {}
    hidden: set[tuple[int, int]] = set()
    if outline:
        top = min(e.level for e in outline)
        for e in outline:
            e.level -= top
        last_line: dict[int, int] = {}
        for e in outline:
            start = last_line.get(e.page, 0)
            found = _find_title_line(texts[e.page], e.title, start)
            line = found if found is not None and found > 2 else start
            last_line[e.page] = line
            cuts.setdefault(e.page, []).append((line, e))
            if found is not None:
                hidden.update((e.page, i) for i in _title_lines(texts[e.page], found, e.title))
    else:
        for h in detect_headings(pages):
            cuts.setdefault(h.page, []).append((h.lines[0], _Entry(h.level, clean_title(h.text), h.page)))
            hidden.update((h.page, i) for i in h.lines)
        if not any(e.level == 0 for entries in cuts.values() for _, e in entries):
            cuts, hidden = {}, set()
    for page_index, line_index in hidden:
        texts[page_index][line_index] = ""
    _join_across_pages(texts, hyphenation)
    chapters = _build_chapters(texts, cuts, by_pages=not cuts, hyphenation=hyphenation, notes=notes)
    return finish_book(
        title=meta.get("Title") or first_line[:200],
        authors=meta.get("Author") or "",
        fmt="pdf",
        chapters=chapters,
        words_per_page=None,
        physical_pages=True,
        pages=page_count,
        markup=False,
    )


def _build_chapters(
    pages: list[list[str]],
    cuts: dict[int, list[tuple[int, _Entry]]],
    *,
    by_pages: bool,
    hyphenation: Hyphenation | None = None,
    notes: list[list[tuple[str, int]]] | None = None,
) -> list[ParsedChapter]:
    """Join each page's lines into paragraphs and cut chapters (level 0) and heading paths at the
    cut points; ``by_pages`` groups fixed runs of pages instead. A page's footnotes (``notes``:
    text and page, the part of a note on the next page with that page) follow its text, or, when
    the page ends inside a sentence, the next page's first paragraph (the one the break
    interrupted)."""
    chapters: list[ParsedChapter] = []
    path_titles: list[str] = []
    current: ParsedChapter | None = None
    pending: list[tuple[str, int]] = []

    def open_chapter(title: str) -> ParsedChapter:
        ch = ParsedChapter(title=title, heading_path=[title], blocks=[])
        chapters.append(ch)
        return ch

    joiner = _ParagraphJoiner(hyphenation)
    for pno, lines in enumerate(pages):
        page_no = pno + 1
        if by_pages and pno % PAGES_PER_FALLBACK_CHAPTER == 0:
            last = min(len(pages), pno + PAGES_PER_FALLBACK_CHAPTER)
            current = open_chapter(f"Pages {page_no}–{last}")
            path_titles = [current.title]
        width = _width(lines)
        page_cuts = sorted(cuts.get(pno, []), key=lambda c: c[0])
        ci = 0
        for li, line in enumerate(lines + [""]):
            while ci < len(page_cuts) and page_cuts[ci][0] <= li:
                _emit(joiner, current, path_titles, page_no, pending)
                entry = page_cuts[ci][1]
                if entry.level == 0:
                    current = open_chapter(entry.title)
                    path_titles = [entry.title]
                else:
                    if current is None:
                        current = open_chapter("Front matter")
                        path_titles = ["Front matter"]
                    path_titles = path_titles[: entry.level] + [entry.title]
                ci += 1
            if current is None:
                current = open_chapter("Front matter")
                path_titles = ["Front matter"]
            joiner.add_line(line, width)
        _emit(joiner, current, path_titles, page_no, pending)
        if notes and notes[pno]:
            pending.extend(notes[pno])
            if not _runs_on(lines, pages[pno + 1] if pno + 1 < len(pages) else []):
                _emit(joiner, current, path_titles, page_no, pending)
    _emit(joiner, current, path_titles, len(pages), pending)
    return chapters


def _emit(
    joiner: _ParagraphJoiner,
    chapter: ParsedChapter | None,
    path: list[str],
    page: int,
    pending: list[tuple[str, int]],
) -> None:
    """The joiner's paragraphs as blocks of ``page``; the footnotes ``pending`` from the page before
    (text, page) after the first of them that ends a sentence."""
    blocks = [(text, page) for text in joiner.take()]
    at = next((i + 1 for i, (text, _) in enumerate(blocks) if text.endswith(_SENTENCE_END)), len(blocks))
    blocks[at:at] = pending
    pending.clear()
    if chapter is None:
        return
    for text, on_page in blocks:
        chapter.blocks.append(Block(text=text, page=on_page, heading_path=list(path)))
