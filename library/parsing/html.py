"""HTML (and the XHTML inside EPUBs): block-level text and headings, in document order.

:func:`html_events` walks a parsed tree and yields ``("heading", level, text)``, ``("block", text, is_code)``
and ``("anchor", id)`` events; :func:`parse_html` builds chapters from them (h1, or h2 when the
document has a single h1 that is the book title).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import lxml.etree as etree
import lxml.html

from library.parsing.base import (
    OutlineBuilder,
    choose_chapter_level,
    finish_book,
    normalize_ws,
    read_text_file,
)

DROP_TAGS = {
    "script",
    "style",
    "nav",
    "head",
    "template",
    "noscript",
    "svg",
    "button",
    "select",
    "form",
    "iframe",
    "object",
    "canvas",
    "audio",
    "video",
}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
LEAF_BLOCK_TAGS = {"p", "pre", "figcaption", "caption", "address", "dt", "tr", "summary"}
CONTAINER_TAGS = {
    "html",
    "body",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "blockquote",
    "ul",
    "ol",
    "dl",
    "dd",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "figure",
    "hgroup",
    "details",
    "center",
    "fieldset",
    "td",
    "th",
    "hr",
}
BREAK_TAGS = {"br", "hr"}
MAX_HEADING_LEVEL_FOR_PATH = 4

Event = tuple


def localname(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comment, processing instruction, entity
    if tag[:1] == "{":
        return tag.rsplit("}", 1)[1].lower()
    return tag.lower()


# The marks documentation generators put after a heading as its permalink (Sphinx and MkDocs "¶",
# GitHub and Hugo "#", "§", a link emoji): not part of the heading's words.
PERMALINK_MARKS = frozenset({"¶", "§", "#", "🔗", "\u2693"})


def permalink(el) -> bool:
    """An in-page link whose only text is a permalink mark (`<a class="headerlink" href="#x">¶</a>`)."""
    if (el.get("href") or "").startswith("#") and not len(el):
        return (el.text or "").strip() in PERMALINK_MARKS
    return False


def inline_text(el) -> str:
    """The text of an inline element; <br> becomes a space, MathML uses its alttext, a heading's
    permalink mark is dropped."""
    name = localname(el)
    if name in DROP_TAGS or not name or (name == "a" and permalink(el)):
        return ""
    if name == "math":
        alt = el.get("alttext")
        if alt:
            return f" {alt} "
    parts = [el.text or ""]
    for child in el:
        cname = localname(child)
        if cname in BREAK_TAGS:
            parts.append(" ")
        elif cname:
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _safe_inline_text(el) -> str:
    try:
        return inline_text(el)
    except RecursionError:
        return " ".join(el.itertext())


def html_events(root, anchors: set[str] | frozenset = frozenset()) -> Iterator[Event]:
    """Yield heading/block/anchor events for the tree under ``root``, in document order.

    ``anchors`` are element ids whose position matters (EPUB nav targets); an ``("anchor", id)``
    event is yielded where such an element starts.
    """
    body = None
    for el in root.iter():
        if localname(el) == "body":
            body = el
            break
    start = body if body is not None else root
    # An explicit stack (no recursion): deeply nested documents must not crash the parser.
    stack: list[tuple[object, int]] = [(start, 0)]
    buffer: list[str] = []

    def flush():
        if buffer:
            text = normalize_ws("".join(buffer))
            buffer.clear()
            if text:
                return ("block", text)
        return None

    # Each stack item: (element, state) where state 0 = enter, 1 = leave (emit its tail to parent buffer)
    while stack:
        el, state = stack.pop()
        if state == 1:
            ev = flush()
            if ev:
                yield ev
            if el is not start and el.tail:
                buffer.append(el.tail)
            continue
        name = localname(el)
        el_id = el.get("id") if name else None
        if anchors and el_id in anchors:
            ev = flush()
            if ev:
                yield ev
            yield ("anchor", el_id)
        if not name or name in DROP_TAGS:
            if el is not start and el.tail:
                buffer.append(el.tail)
            continue
        if name in HEADING_TAGS:
            ev = flush()
            if ev:
                yield ev
            text = normalize_ws(_safe_inline_text(el))
            if text:
                if HEADING_TAGS[name] <= MAX_HEADING_LEVEL_FOR_PATH:
                    yield ("heading", HEADING_TAGS[name], text)
                else:
                    yield ("block", text)
            if el.tail:
                buffer.append(el.tail)
            continue
        if name in LEAF_BLOCK_TAGS:
            ev = flush()
            if ev:
                yield ev
            if anchors:
                for sub in el.iterdescendants():
                    sub_id = sub.get("id") if localname(sub) else None
                    if sub_id in anchors:
                        yield ("anchor", sub_id)
            if name == "tr":
                cells = [normalize_ws(_safe_inline_text(c)) for c in el if localname(c) in ("td", "th")]
                text = " | ".join(c for c in cells if c)
            else:
                text = normalize_ws(_safe_inline_text(el))
            if text:
                yield ("block", text, name == "pre")
            if el.tail:
                buffer.append(el.tail)
            continue
        if name in CONTAINER_TAGS:
            ev = flush()
            if ev:
                yield ev
            if el.text:
                buffer.append(el.text)
            stack.append((el, 1))
            for child in reversed(list(el)):
                stack.append((child, 0))
            continue
        # Inline element directly inside a container: part of the loose text run.
        if name in BREAK_TAGS:
            buffer.append(" ")
        else:
            if anchors:
                for sub in el.iterdescendants():
                    sub_id = sub.get("id") if localname(sub) else None
                    if sub_id in anchors:
                        ev = flush()
                        if ev:
                            yield ev
                        yield ("anchor", sub_id)
            buffer.append(_safe_inline_text(el))
        if el.tail:
            buffer.append(el.tail)
    ev = flush()
    if ev:
        yield ev


_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_html_string(text: str):
    text = _XML_DECL_RE.sub("", text, count=1)
    if not text.strip():
        return lxml.html.fromstring("<html><body></body></html>")
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return lxml.html.fromstring("<html><body></body></html>")


def document_title(root) -> str:
    for el in root.iter():
        if localname(el) == "title":
            return normalize_ws(_safe_inline_text(el))
    return ""


def build_from_events(events, *, front_title: str = "Front matter"):
    events = list(events)
    levels = [e[1] for e in events if e[0] == "heading"]
    builder = OutlineBuilder(choose_chapter_level(levels), front_title=front_title)
    for ev in events:
        if ev[0] == "heading":
            builder.heading(ev[1], ev[2])
        elif ev[0] == "block":
            builder.block(ev[1], code=len(ev) > 2 and ev[2])
    return builder.chapters, events


def parse_html(path: Path, *, words_per_page: int = 300, max_bytes: int = 500 * 2**20):
    path = Path(path)
    root = parse_html_string(read_text_file(path, max_bytes=max_bytes))
    chapters, events = build_from_events(html_events(root))
    first_h1 = next((e[2] for e in events if e[0] == "heading" and e[1] == 1), "")
    title = document_title(root) or first_h1
    authors = ""
    for meta in root.iter("meta"):
        if (meta.get("name") or "").lower() in ("author", "dc.creator") and meta.get("content"):
            authors = meta.get("content")
            break
    return finish_book(
        title=title, authors=authors, fmt="html", chapters=chapters, words_per_page=words_per_page
    )
