"""A PDF page as styled lines: text with font size, weight and position, read with pypdfium2.

pdfium's text page gives the page text with line breaks; each line's style is sampled at three of its
characters (start, middle, end) through the raw text-page API, so reading stays fast (a few dozen
calls per line, not per character). The font size is the effective one: the nominal size times the
scale of the character's matrix (text matrix and CTM), since some producers set a 1 pt font and
scale it.

Also here: the page furniture a reader skips (running heads and footers, bare page numbers) and
table-of-contents lines and pages, which must never be taken for headings.
"""

from __future__ import annotations

import ctypes
import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_BOLD_NAME_RE = re.compile(r"bold|black|heavy|demi|semibold|extrab|ultrab|cmbx|cmb\d|\bbx|[-,+]b$|-bd", re.I)
_DIGITS_RE = re.compile(r"\d+")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I
)
# "3.5.1 Streams Are Delayed Lists . . . 435", "Preface xi", "1 Introduction 1"
_TRAILING_NUMBER_RE = re.compile(r"(?:^|\s|\.)(?:\d{1,4}|[ivxlcdm]{2,7})$", re.I)
_ARABIC_TAIL_RE = re.compile(r"\d{1,4}$")
_LEADERS_RE = re.compile(r"(?:\.\s?){2,}$")
_LABEL_BEFORE_NUMBER = re.compile(
    r"\b(?:chapter|part|section|appendix|lecture|unit|book|volume|lesson|exercises?|problems?|step|"
    r"figure|table|version|edition|page|no\.?)$",
    re.I,
)
# "Chapter 7", "CHAPTER SEVEN", "Part II": a label alone on its line
LABEL_ONLY_RE = re.compile(
    r"^(?:chapter|part|appendix|section|lecture|lesson|unit|book|volume)\s+[\w-]+\.?$", re.I
)
_LABEL_START_RE = re.compile(r"(?:chapter|chap\.|lecture|lesson|unit|part|appendix)\b", re.I)
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
# Characters that carry no text: control characters (the glyphs of math fonts without a Unicode
# mapping: bracket pieces, end-of-proof marks), private-use code points (the same, in other fonts),
# soft hyphens. pdfium's own mark of a line-end hyphen (U+FFFE) is kept: see SOFT_HYPHEN.
_CLEAN_TABLE = str.maketrans(
    {
        **{c: None for c in range(0x20) if chr(c) not in "\t\n\r"},
        **dict.fromkeys(range(0xE000, 0xF900)),
        0x7F: None,
        0xAD: None,
        0xFFFD: None,
        **{0xFB00 + i: lig for i, lig in enumerate(("ff", "fi", "fl", "ffi", "ffl", "st", "st"))},
    }
)
# pdfium marks a hyphen at a line end with U+FFFE and joins the two lines ("com\ufffeputed"). The
# parser decides, from the book's own words, whether the hyphen stays (see pdf_hyphens).
_NO_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xad\ufffd\ue000-\uf8ff\ufb00-\ufb06]")
SOFT_HYPHEN = "\ufffe"


@dataclass(slots=True)
class Line:
    text: str
    size: float  # effective font size at the middle of the line, pt
    min_size: float  # the smallest of the sizes sampled at the start, middle and end
    weight: int  # font weight (-1 or 0 when the font does not say)
    bold_name: bool  # the font name says bold (CMBX, Helvetica-Bold, ...)
    top: float  # distance of the line's top from the page top, pt (-1: not measured)
    furniture: bool = False  # running head/footer or page number
    footnote: bool = False  # a line of a footnote (see pdf_footnotes)


@dataclass(slots=True)
class Page:
    lines: list[Line]
    height: float


_L, _R, _B, _T = (ctypes.c_double() for _ in range(4))
_MATRIX = pdfium_c.FS_MATRIX()
_NAME = ctypes.create_string_buffer(96)
_FLAGS = ctypes.c_int()


def _effective_size(textpage, index: int) -> float:
    size = pdfium_c.FPDFText_GetFontSize(textpage, index)
    if pdfium_c.FPDFText_GetMatrix(textpage, index, _MATRIX):
        scale = math.sqrt(abs(_MATRIX.a * _MATRIX.d - _MATRIX.b * _MATRIX.c))
        if scale > 0:
            size *= scale
    return size


@functools.lru_cache(maxsize=1024)
def _bold_name(name: bytes) -> bool:
    return bool(_BOLD_NAME_RE.search(name.decode("latin-1", "replace")))


class PageReader:
    """Reads the pages of one document. It keeps a running histogram of line sizes so that only
    lines set larger than the text seen so far get their full style (ends, font name, position):
    the few that can be headings."""

    def __init__(self, pdf: pdfium.PdfDocument):
        self.pdf = pdf
        self.sizes: Counter = Counter()
        self.body = 0.0

    def read(self, index: int) -> Page:
        """The page's text lines with their style (raises pdfium.PdfiumError on unreadable pages)."""
        page = self.pdf[index]
        try:
            height = page.get_height()
            textpage = page.get_textpage()
            try:
                lines = self._lines(textpage.raw, textpage.get_text_range(), height)
            finally:
                textpage.close()
        finally:
            page.close()
        if self.sizes:
            self.body = self.sizes.most_common(1)[0][0]
        return Page(lines, height)

    def _lines(self, tp, text: str, height: float) -> list[Line]:
        count = pdfium_c.FPDFText_CountChars(tp)
        # pdfium's text indices count UTF-16 units and skip a few control characters: map Python
        # indices to character indices unless the text is one character per index (most pages).
        extra = None
        if not text.isascii() and _ASTRAL_RE.search(text):
            extra, n = [], 0
            for ch in text:
                extra.append(n)
                n += ord(ch) > 0xFFFF
        identity = extra is None and len(text) == count
        to_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex

        def char(ti: int) -> int:
            ci = ti if identity else to_char(tp, ti + (extra[ti] if extra else 0))
            return ci if 0 <= ci < count else -1

        # Lines in the running body size or smaller get the cheap style (size, weight); the few
        # that can be headings get the rest. Until the body size is known, every line does.
        settled = sum(self.sizes.values()) >= 4000
        threshold = 1.05 * self.body if settled else 0.0
        lines: list[Line] = []
        for start, raw in _raw_lines(text):
            if "6" in raw and _NEGATED_RE.search(raw):
                raw = _negations(tp, raw, start, char)
            clean = clean_line(raw)
            if not clean:
                continue
            first = start + (len(raw) - len(raw.lstrip()))
            last = start + len(raw.rstrip()) - 1
            mid = char((first + last) // 2)
            if mid < 0:
                lines.append(Line(clean, 0.0, 0.0, -1, False, -1.0))
                continue
            size = _effective_size(tp, mid)
            weight = pdfium_c.FPDFText_GetFontWeight(tp, mid)
            self.sizes[round(size * 2) / 2] += len(clean)
            if size < threshold and not (size >= 0.9 * self.body and _LABEL_START_RE.match(clean)):
                lines.append(Line(clean, size, size, weight, False, -1.0))
                continue
            min_size = size
            for ci in (char(first), char(last)):
                if ci >= 0:
                    min_size = min(min_size, _effective_size(tp, ci))
            pdfium_c.FPDFText_GetFontInfo(tp, mid, _NAME, len(_NAME), ctypes.byref(_FLAGS))
            top = height - _T.value if pdfium_c.FPDFText_GetCharBox(tp, mid, _L, _R, _B, _T) else -1.0
            lines.append(Line(clean, size, min_size, weight, _bold_name(_NAME.value), top))
        return lines


# TeX's symbol fonts (CMSY, LMSY) draw a negated relation as a slash glyph over the relation, and
# the slash's code point is "6" when the font has no Unicode mapping: "x 6= 0" is "x ≠ 0".
_NEGATED_RE = re.compile("6(?=[=∈⊂⊆≡∼<>|])")
NEGATED = {"=": "≠", "∈": "∉", "⊂": "⊄", "⊆": "⊈", "≡": "≢", "∼": "≁", "<": "≮", ">": "≯", "|": "∤"}
_TEX_SYMBOL_FONT_RE = re.compile(rb"(?:^|\+)(?:cm|lm)sy\d*$", re.I)


def _negations(tp, raw: str, start: int, char) -> str:
    """`raw` with each TeX negation slash and its relation written as the negated relation."""
    pieces, end = [], 0
    for m in _NEGATED_RE.finditer(raw):
        ci = char(start + m.start())
        if ci < 0:
            continue
        pdfium_c.FPDFText_GetFontInfo(tp, ci, _NAME, len(_NAME), ctypes.byref(_FLAGS))
        if _TEX_SYMBOL_FONT_RE.search(_NAME.value):
            pieces += [raw[end : m.start()], NEGATED[raw[m.end()]]]
            end = m.end() + 1
    return "".join(pieces) + raw[end:] if pieces else raw


def clean_line(raw: str) -> str:
    """A line of pdfium text without the characters that carry no text, spaces collapsed."""
    if _NO_TEXT_RE.search(raw):
        raw = raw.translate(_CLEAN_TABLE)
    return " ".join(raw.split())


def _raw_lines(text: str):
    """(offset, text) of each line of a page's text. pdfium joins a line that ends in a hyphen with
    whatever text follows; when that is not the rest of a word (a page number, a footnote after a
    page's last line: "construc\ufffe38"), the line is cut after the hyphen."""
    pos = 0
    for raw in text.split("\n"):
        start, cut = pos, 0
        pos += len(raw) + 1
        at = raw.find(SOFT_HYPHEN)
        while at >= 0:
            nxt = raw[at + 1 : at + 2]
            if nxt and not nxt.islower() and not nxt.isspace():
                yield start + cut, raw[cut : at + 1]
                cut = at + 1
            at = raw.find(SOFT_HYPHEN, at + 1)
        yield start + cut, raw[cut:]


# --- furniture ------------------------------------------------------------------------------------


def _key(line: Line) -> tuple[str, int]:
    return _DIGITS_RE.sub("#", line.text.lower()), round(line.size)


def mark_furniture(pages: list[Page]) -> None:
    """Mark running heads and footers (the same text, digits aside, in the same size among the first
    or last two lines of at least three pages) and bare page numbers there. A label alone ("Chapter
    7") counts only when the very same text repeats: chapter openings share the label, not the
    number."""
    counts: Counter = Counter()
    for page in pages:
        lines = [ln for ln in page.lines if ln.text]
        for where, edge in (("top", lines[:2]), ("bottom", lines[-2:])):
            for ln in edge:
                counts[where, *_key(ln)] += 1
                counts[where, ln.text] += 1
    threshold = 3 if len(pages) >= 6 else 10**9
    for page in pages:
        lines = [ln for ln in page.lines if ln.text]
        if len(lines) < 3:
            for ln in lines:
                if _PAGE_NUMBER_RE.match(ln.text):
                    ln.furniture = True
            continue
        for where, edge in (("top", lines[:2]), ("bottom", lines[-2:])):
            for ln in edge:
                if _PAGE_NUMBER_RE.match(ln.text):
                    ln.furniture = True
                elif len(ln.text) <= 120:
                    key = (where, ln.text) if LABEL_ONLY_RE.match(ln.text) else (where, *_key(ln))
                    if counts[key] >= threshold:
                        ln.furniture = True


# --- tables of contents ---------------------------------------------------------------------------


def is_toc_entry(text: str) -> bool:
    """A line that reads like a table-of-contents entry: a title and a page number (after dot
    leaders, or after two or more words), not "Chapter 7" or "Part 2"."""
    if not text or not (text[-1].isdigit() or text[-1] in "ivxlcdmIVXLCDM"):
        return False
    m = _TRAILING_NUMBER_RE.search(text)
    if not m:
        return False
    head = text[: m.start() + 1].rstrip()
    if not any(ch.isalpha() for ch in head):
        return False
    if _LEADERS_RE.search(head):
        return True
    head = head.rstrip(" .:")
    return len(head.split()) >= 2 and not _LABEL_BEFORE_NUMBER.search(head)


def toc_pages(pages: list[Page], body: float = 0.0) -> set[int]:
    """Pages that are mostly table-of-contents (or list-of-figures) entries: at least five lines in
    the text size or larger that end in a page number, numbers that mostly go up (an index's or a
    program listing's do not)."""
    found = set()
    for index, page in enumerate(pages):
        lines = [ln for ln in page.lines if ln.text and not ln.furniture]
        if len(lines) < 5:
            continue
        entries = [ln.text for ln in lines if ln.size >= 0.85 * body and is_toc_entry(ln.text)]
        if len(entries) < 5 or len(entries) < 0.4 * len(lines):
            continue
        numbers = [int(m.group(0)) for t in entries if (m := _ARABIC_TAIL_RE.search(t))]
        rising = sum(1 for a, b in zip(numbers, numbers[1:], strict=False) if b >= a)
        if len(numbers) < 2 or rising >= 0.8 * (len(numbers) - 1):
            found.add(index)
    return found
