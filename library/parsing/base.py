"""The parsed-book data model shared by every format parser, and helpers they have in common.

Parsers are pure functions from a file on disk to a :class:`ParsedBook`. Anything wrong with the
input that a person can fix raises :class:`IngestError` with a message meant for that person.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from library.parsing.cleanup import clean_prose

MAX_TITLE_CHARS = 500
DEFAULT_MAX_BOOK_WORDS = 3_000_000

_WS_RE = re.compile(r"\s+")

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|first|second|third|fourth|fifth|sixth|seventh|"
    "eighth|ninth|tenth|last"
)
# What follows "Chapter", "Part", "Appendix" (case-insensitive): 7, VII, seven, twenty-one, A.
ORDINAL_PATTERN = rf"(?:\d{{1,3}}|[ivxlcdm]{{1,7}}|(?:{_NUMBER_WORDS})(?:[- ](?:{_NUMBER_WORDS}))?|[a-z])"


class IngestError(Exception):
    """A problem with the uploaded file that a person can act on."""

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


@dataclass
class Block:
    """A paragraph-ish unit of text."""

    text: str
    page: int | None = None
    heading_path: list[str] = field(default_factory=list)
    code: bool = False  # a code listing: kept exactly as written (no markup clean-up)


@dataclass
class ParsedChapter:
    title: str
    heading_path: list[str]
    blocks: list[Block] = field(default_factory=list)

    @property
    def page_start(self) -> int | None:
        pages = [b.page for b in self.blocks if b.page is not None]
        return min(pages) if pages else None

    @property
    def page_end(self) -> int | None:
        pages = [b.page for b in self.blocks if b.page is not None]
        return max(pages) if pages else None

    @property
    def word_count(self) -> int:
        return sum(count_words(b.text) for b in self.blocks)


@dataclass
class ParsedBook:
    title: str
    authors: str
    format: str
    pages: int | None
    physical_pages: bool
    chapters: list[ParsedChapter] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return sum(c.word_count for c in self.chapters)


def check_word_limit(words: int, limit: int | None, name: str = "This book") -> None:
    """Refuse a book with more than ``limit`` words (``None``: no limit)."""
    if limit is not None and words > limit:
        raise IngestError(
            f"{name} has more than {limit:,} words ({words:,} read); the limit is {limit:,} words per "
            "book (DOCPROF_MAX_BOOK_WORDS). Split it into volumes and upload them separately.",
            413,
        )


def normalize_ws(text: str) -> str:
    """Collapse every run of whitespace to one space and trim."""
    return _WS_RE.sub(" ", text).strip()


def count_words(text: str) -> int:
    return len(text.split())


def clean_title(title: str, fallback: str = "Untitled") -> str:
    """A title without markup and runs of whitespace, cut to ``MAX_TITLE_CHARS``."""
    title = normalize_ws(clean_prose(title or ""))
    return (title or fallback)[:MAX_TITLE_CHARS]


# --- text decoding --------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode uploaded text: UTF-8 (with or without BOM), UTF-16/32 with BOM, else detected.

    Refuses binary data (NUL bytes without a UTF-16/32 BOM) and text whose encoding cannot be
    detected with confidence.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _strip_controls(data.decode(encoding))
            except UnicodeDecodeError:
                raise IngestError(
                    f"The file starts with a {encoding.upper()} marker but is not valid {encoding.upper()}; "
                    "save the file as UTF-8 and upload it again."
                )
    if looks_binary(data[:1_000_000]):
        raise IngestError("The file looks like binary data, not text.")
    try:
        return _strip_controls(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass

    from charset_normalizer import from_bytes

    matches = from_bytes(data[:2_000_000])
    best = matches.best()
    if best is not None:
        # Ties between single-byte code pages are common on short texts; Windows-1252 (a superset
        # of Latin-1) is by far the most likely legacy encoding, so it wins a tie.
        for m in matches:
            if m.encoding == "cp1252" and m.chaos <= best.chaos and m.coherence >= best.coherence - 0.05:
                best = m
                break
    if best is None or best.encoding is None or best.chaos > 0.2:
        raise IngestError("Could not detect the text encoding; save the file as UTF-8 and upload it again.")
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise IngestError("Could not detect the text encoding; save the file as UTF-8 and upload it again.")
    return _strip_controls(text)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_binary(sample: bytes) -> bool:
    """NUL bytes in more than a trace: a text file may hold a few (a GNU info manual's index markers),
    data or UTF-16 without its marker holds them throughout."""
    return sample.count(0) > max(8, len(sample) // 1000)


def _strip_controls(text: str) -> str:
    return _CONTROL_RE.sub("", text)


def read_text_file(path: Path, *, max_bytes: int) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(f"The file is larger than the {max_bytes // 2**20} MB limit.", 413)
    return decode_text(path.read_bytes())


# --- building chapters from a stream of headings and paragraphs ----------------------------------


class OutlineBuilder:
    """Turn a sequence of heading/paragraph events into chapters.

    ``chapter_level`` is the heading level that starts a chapter; deeper headings extend the heading
    path; shallower headings (e.g. a book title) are not part of any path but start a new chapter when
    text follows them directly (so a preface under a part heading is not lost).
    """

    def __init__(self, chapter_level: int, front_title: str = "Front matter"):
        self.chapter_level = chapter_level
        self.chapters: list[ParsedChapter] = []
        self.stack: list[tuple[int, str]] = []
        self.current: ParsedChapter | None = None
        self.front_title = front_title
        self.pending_upper: str | None = None

    def heading(self, level: int, text: str) -> None:
        text = clean_title(text, "")
        if not text:
            return
        if level < self.chapter_level:
            # Above chapter level (book title, part): closes the current chapter; text directly
            # under it becomes a chapter named after it.
            self.current = None
            self.stack = []
            self.pending_upper = text
            return
        if level == self.chapter_level:
            self.pending_upper = None
            self.stack = [(level, text)]
            self.current = ParsedChapter(title=text, heading_path=[text], blocks=[])
            self.chapters.append(self.current)
            return
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))
        if self.current is None:
            self._open_implicit()

    def _open_implicit(self) -> None:
        title = self.pending_upper or self.front_title
        self.pending_upper = None
        self.current = ParsedChapter(title=title, heading_path=[title], blocks=[])
        self.chapters.append(self.current)
        if not self.stack or self.stack[0][0] != self.chapter_level:
            self.stack.insert(0, (self.chapter_level, title))

    def block(self, text: str, code: bool = False) -> None:
        text = normalize_ws(text)
        if not text:
            return
        if self.current is None:
            self._open_implicit()
        path = [t for _, t in self.stack]
        self.current.blocks.append(Block(text=text, page=None, heading_path=path, code=code))


def choose_chapter_level(levels: list[int]) -> int:
    """The heading level that marks chapters: the top level used, unless it is used only once
    (a book title) and deeper levels exist."""
    if not levels:
        return 1
    used = sorted(set(levels))
    top = used[0]
    if levels.count(top) == 1 and len(used) > 1:
        return used[1]
    return top


def finish_book(
    *,
    title: str,
    authors: str,
    fmt: str,
    chapters: list[ParsedChapter],
    words_per_page: int | None,
    physical_pages: bool = False,
    pages: int | None = None,
    markup: bool = True,
) -> ParsedBook:
    """Strip markup from prose and titles, drop empty chapters, trim titles, compute pages for
    non-PDF formats, refuse empty books. ``markup=False``: the text cannot hold markup (PDF)."""
    cleaned: dict[str, str] = {}

    def titles(heading: str) -> str:  # heading paths repeat on every block: clean each once
        if heading not in cleaned:
            cleaned[heading] = clean_title(heading)
        return cleaned[heading]

    kept = []
    for chapter in chapters:
        for block in chapter.blocks:
            if markup and not block.code:
                block.text = clean_prose(block.text)
        chapter.blocks = [b for b in chapter.blocks if b.text.strip()]
        if not chapter.blocks:
            continue
        chapter.title = clean_title(chapter.title)
        chapter.heading_path = [titles(h) for h in chapter.heading_path] or [chapter.title]
        for block in chapter.blocks:
            block.heading_path = [titles(h) for h in block.heading_path] or [chapter.title]
        kept.append(chapter)
    total = sum(c.word_count for c in kept)
    if not kept or total == 0:
        raise IngestError("This file contains no readable text.")
    if not physical_pages:
        wpp = max(1, words_per_page or 300)
        seen = 0
        for chapter in kept:
            for block in chapter.blocks:
                block.page = 1 + seen // wpp
                seen += count_words(block.text)
        pages = total // wpp + 1
    return ParsedBook(
        title=clean_title(title, ""),  # no title of its own: parse_book falls back to the file name
        authors=normalize_ws(authors or "")[:MAX_TITLE_CHARS],
        format=fmt,
        pages=pages,
        physical_pages=physical_pages,
        chapters=kept,
    )


def split_words_into_parts(
    blocks: list[Block], words_per_part: int, label: str = "Part"
) -> list[ParsedChapter]:
    """Group blocks into chapters of about ``words_per_part`` words, titled "Part 1", "Part 2", ..."""
    chapters: list[ParsedChapter] = []
    current: list[Block] = []
    words = 0
    for block in blocks:
        current.append(block)
        words += count_words(block.text)
        if words >= words_per_part:
            chapters.append(_part(len(chapters) + 1, current, label))
            current, words = [], 0
    if current:
        chapters.append(_part(len(chapters) + 1, current, label))
    return chapters


def _part(n: int, blocks: list[Block], label: str) -> ParsedChapter:
    title = f"{label} {n}"
    for b in blocks:
        b.heading_path = [title]
    return ParsedChapter(title=title, heading_path=[title], blocks=blocks)
