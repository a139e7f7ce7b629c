"""Split a parsed chapter into retrieval-sized chunks of about 150-400 words.

Chunks never cross a chapter: :func:`chunk_chapter` sees one chapter at a time. Consecutive blocks
are merged up to the target size; a block longer than the maximum is split at sentence boundaries
(and a single huge sentence by words). A short trailing piece joins the previous chunk when that
keeps it within the maximum. A chunk's text keeps its blocks on separate lines, so sentence splitting
can tell a glossary entry, a list item or a table row from the next (their text rarely ends in a full
stop).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from library.parsing.base import ParsedChapter, normalize_ws

_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])")


@dataclass
class ChunkDraft:
    text: str
    heading_path: list[str]
    page_start: int | None
    page_end: int | None
    word_count: int


@dataclass
class _Piece:
    words: list[str]
    heading_path: list[str]
    page: int | None
    block: int  # the index of the block it comes from


def split_sentences(text: str) -> list[str]:
    """Split at sentence ends (., !, ? followed by space and a capital or digit); keeps punctuation."""
    out = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        out.append(text[start : m.start()] + text[m.start() : m.end()].rstrip())
        start = m.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def _split_long(words: list[str], text: str, *, target_words: int, max_words: int) -> list[list[str]]:
    """Pieces of a block longer than ``max_words``: whole sentences packed up to the target, and
    sentences longer than the maximum cut into runs of ``max_words`` words."""
    pieces: list[list[str]] = []
    current: list[str] = []
    for sentence in split_sentences(text):
        s_words = sentence.split()
        if len(s_words) > max_words:
            if current:
                pieces.append(current)
                current = []
            for i in range(0, len(s_words), max_words):
                pieces.append(s_words[i : i + max_words])
            continue
        if current and len(current) + len(s_words) > target_words:
            pieces.append(current)
            current = []
        current = current + s_words
    if current:
        pieces.append(current)
    return pieces


def chunk_chapter(
    chapter: ParsedChapter, *, min_words: int = 150, target_words: int = 300, max_words: int = 400
) -> list[ChunkDraft]:
    if not 0 < min_words <= target_words <= max_words:
        raise ValueError("need 0 < min_words <= target_words <= max_words")

    pieces: list[_Piece] = []
    for index, block in enumerate(chapter.blocks):
        text = normalize_ws(block.text)
        words = text.split()
        if not words:
            continue
        path = list(block.heading_path) or [chapter.title]
        if len(words) <= max_words:
            pieces.append(_Piece(words, path, block.page, index))
        else:
            for part in _split_long(words, text, target_words=target_words, max_words=max_words):
                pieces.append(_Piece(part, path, block.page, index))

    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    size = 0
    for piece in pieces:
        n = len(piece.words)
        if current and not (size + n <= target_words or (size < min_words and size + n <= max_words)):
            groups.append(current)
            current, size = [], 0
        current.append(piece)
        size += n
    if current:
        if groups and size < min_words and sum(len(p.words) for p in groups[-1]) + size <= max_words:
            groups[-1].extend(current)
        else:
            groups.append(current)

    drafts = []
    for group in groups:
        words = [w for p in group for w in p.words]
        pages = [p.page for p in group if p.page is not None]
        drafts.append(
            ChunkDraft(
                text=_lines(group),
                heading_path=list(group[0].heading_path),
                page_start=min(pages) if pages else None,
                page_end=max(pages) if pages else None,
                word_count=len(words),
            )
        )
    return drafts


def _lines(group: list[_Piece]) -> str:
    """The group's text: pieces of one block joined by a space, blocks by a line break."""
    text = ""
    for i, piece in enumerate(group):
        if i:
            text += " " if piece.block == group[i - 1].block else "\n"
        text += " ".join(piece.words)
    return text
