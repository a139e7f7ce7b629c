"""Markdown with markdown-it-py: chapters at the book's chapter heading level, deeper headings in the
heading path; paragraphs, list items, tables and code blocks become blocks (code kept as text)."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt

from library.parsing.base import (
    OutlineBuilder,
    choose_chapter_level,
    finish_book,
    normalize_ws,
    read_text_file,
)

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_TAG_RE = re.compile(r"<[^>]*>")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER_RE.match(text)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[m.end() :]


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        t = child.type
        if t in ("text", "code_inline"):
            parts.append(child.content)
        elif t in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif t == "image":
            parts.append(child.content or "")
        elif t == "html_inline":
            continue
    return "".join(parts)


def _strip_html(html: str) -> str:
    return _TAG_RE.sub(" ", _COMMENT_RE.sub(" ", html))


def markdown_events(text: str):
    """Yield ("heading", level, text) and ("block", text[, True for code]) events in document order."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(text)
    i = 0
    row: list[str] | None = None
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        t = tok.type
        if t == "heading_open":
            level = int(tok.tag[1:])
            inline = tokens[i + 1] if i + 1 < n else None
            yield ("heading", level, normalize_ws(_inline_text(inline)) if inline else "")
            i += 3
            continue
        if t == "tr_open":
            row = []
        elif t == "tr_close":
            if row:
                yield ("block", " | ".join(c for c in row if c))
            row = None
        elif t == "inline":
            content = normalize_ws(_inline_text(tok))
            if row is not None:
                row.append(content)
            elif content:
                yield ("block", content)
        elif t in ("fence", "code_block"):
            if tok.content.strip():
                yield ("block", tok.content, True)
        elif t == "html_block":
            content = normalize_ws(_strip_html(tok.content))
            if content:
                yield ("block", content)
        i += 1


def _bold_title(text: str) -> str:
    """A first paragraph that is only bold text (``**Book Title**``) before any heading."""
    for line in text.lstrip().splitlines()[:1]:
        m = re.fullmatch(r"\s*(\*\*|__)(.{1,200}?)\1\s*", line)
        if m:
            return m.group(2)
    return ""


def parse_markdown(path: Path, *, words_per_page: int = 300, max_bytes: int = 500 * 2**20):
    path = Path(path)
    meta, text = _front_matter(read_text_file(path, max_bytes=max_bytes))
    events = list(markdown_events(text))
    levels = [e[1] for e in events if e[0] == "heading"]
    chapter_level = choose_chapter_level(levels)
    h1s = [e[2] for e in events if e[0] == "heading" and e[1] == 1]

    builder = OutlineBuilder(chapter_level)
    for ev in events:
        if ev[0] == "heading":
            builder.heading(ev[1], ev[2])
        else:
            builder.block(ev[1], code=len(ev) > 2)

    if meta.get("title"):
        title = meta["title"]
    elif len(h1s) == 1 and chapter_level > 1:
        title = h1s[0]
    else:
        title = _bold_title(text) or (h1s[0] if h1s else "")
    authors = meta.get("author") or meta.get("authors") or ""
    return finish_book(
        title=title, authors=authors, fmt="markdown", chapters=builder.chapters, words_per_page=words_per_page
    )
