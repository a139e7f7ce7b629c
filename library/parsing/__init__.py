"""Book parsers: turn an uploaded file into a :class:`ParsedBook` (chapters of text blocks with pages).

Public API::

    detect_format(filename) -> "pdf" | "epub" | "markdown" | "html" | "text" | "asciidoc"
    check_filename(filename) -> safe display name
    sniff(path, fmt)          cheap synchronous checks at upload time
    parse_book(path, fmt, *, words_per_page=300, max_unpacked_bytes=500 * 2**20, max_words=None,
               filename=None) -> ParsedBook

Every problem with the input raises :class:`IngestError` (``.message`` for people, ``.status_code``).
"""

from __future__ import annotations

import importlib
import unicodedata
from pathlib import Path

from library.parsing.base import (
    DEFAULT_MAX_BOOK_WORDS,
    Block,
    IngestError,
    ParsedBook,
    ParsedChapter,
    check_word_limit,
    clean_title,
    looks_binary,
)

__all__ = [
    "Block",
    "IngestError",
    "ParsedBook",
    "ParsedChapter",
    "check_filename",
    "detect_format",
    "parse_book",
    "sniff",
    "SUPPORTED_EXTENSIONS",
]

SUPPORTED_EXTENSIONS = {
    ".pdf": "pdf",
    ".epub": "epub",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".info": "text",  # a GNU Info manual (library.parsing.text reads its nodes and menus)
    ".rst": "text",  # reStructuredText: underlined headings, as plain text
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
}

DEFAULT_MAX_UNPACKED = 500 * 2**20


def detect_format(filename: str) -> str:
    """The book format from the file extension; IngestError 415 for anything unsupported."""
    suffix = Path(filename or "").suffix.lower()
    fmt = SUPPORTED_EXTENSIONS.get(suffix)
    if fmt is None:
        shown = suffix or "files without an extension"
        raise IngestError(
            f"Unsupported file type ({shown}). "
            "Upload a PDF, EPUB, Markdown, HTML, AsciiDoc or plain text file.",
            415,
        )
    return fmt


def check_filename(filename: str) -> str:
    """A safe display name; IngestError 400 for names with paths, '..', control characters, or empty."""
    name = unicodedata.normalize("NFC", filename or "").strip()
    if not name:
        raise IngestError("The file has no name.")
    if len(name) > 255:
        raise IngestError("The file name is longer than 255 characters.")
    if "/" in name or "\\" in name or ".." in name:
        raise IngestError("The file name must not contain path separators or '..'.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d" for ch in name):
        raise IngestError("The file name contains control characters.")
    if name in (".", ".."):
        raise IngestError("The file name is not valid.")
    return name


def sniff(path: Path, fmt: str, *, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED) -> None:
    """Cheap checks done synchronously at upload; raises IngestError for files that cannot be books."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise IngestError("The file is empty.")
    if fmt == "pdf":
        from library.parsing.pdf import open_pdf

        with path.open("rb") as fh:
            head = fh.read(1024)
        if b"%PDF-" not in head:
            raise IngestError("This file is not a PDF.")
        open_pdf(path).close()
    elif fmt == "epub":
        from library.parsing.epub_archive import open_epub

        open_epub(path, max_unpacked_bytes=max_unpacked_bytes).close()
    elif fmt in ("markdown", "html", "text", "asciidoc"):
        with path.open("rb") as fh:
            head = fh.read(8192)
        if looks_binary(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise IngestError("The file looks like binary data, not text.")
    else:
        raise IngestError(f"Unsupported format {fmt!r}.", 415)


def parse_book(
    path: Path,
    fmt: str,
    *,
    words_per_page: int = 300,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED,
    max_words: int | None = None,
    filename: str | None = None,
) -> ParsedBook:
    """Parse the whole book. Raises IngestError for every bad-input case.

    ``filename`` is the name the file was uploaded as: it names the book when the file itself has no
    title (never the storage name) and the messages. ``max_words`` defaults to the
    DOCPROF_MAX_BOOK_WORDS setting.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        raise IngestError("The file is empty.")
    if max_words is None:
        max_words = default_max_words()
    name = filename or "This book"
    if fmt == "pdf":
        from library.parsing.pdf import parse_pdf

        book = parse_pdf(path)
    elif fmt == "epub":
        from library.parsing.epub import parse_epub

        book = parse_epub(
            path,
            words_per_page=words_per_page,
            max_unpacked_bytes=max_unpacked_bytes,
            max_words=max_words,
            name=name,
        )
    elif fmt in TEXT_PARSERS:
        module_name, function_name = TEXT_PARSERS[fmt]
        parse = getattr(importlib.import_module(module_name), function_name)
        book = parse(path, words_per_page=words_per_page, max_bytes=max_unpacked_bytes)
    else:
        raise IngestError(f"Unsupported format {fmt!r}.", 415)
    check_word_limit(book.word_count, max_words, name)
    if not book.title:
        book.title = clean_title(Path(filename).stem if filename else path.stem, "Untitled")
    return drop_title_only_front_matter(book)


def default_max_words() -> int:
    """DOCPROF_MAX_BOOK_WORDS when Django is configured, else the built-in default."""
    from django.conf import settings

    if settings.configured:
        return int(getattr(settings, "DOCPROF_MAX_BOOK_WORDS", DEFAULT_MAX_BOOK_WORDS))
    return DEFAULT_MAX_BOOK_WORDS


TEXT_PARSERS = {
    "markdown": ("library.parsing.markdown", "parse_markdown"),
    "html": ("library.parsing.html", "parse_html"),
    "text": ("library.parsing.text", "parse_text"),
    "asciidoc": ("library.parsing.asciidoc", "parse_asciidoc"),
}
FRONT_MATTER_MIN_WORDS = 40


def drop_title_only_front_matter(book: ParsedBook) -> ParsedBook:
    """A first 'chapter' that only repeats the title and author line is not something to learn from."""
    if len(book.chapters) < 2:
        return book
    first_words = book.chapters[0].word_count
    total = sum(c.word_count for c in book.chapters)
    if first_words < FRONT_MATTER_MIN_WORDS and first_words < 0.05 * total:
        book.chapters = book.chapters[1:]
    return book
