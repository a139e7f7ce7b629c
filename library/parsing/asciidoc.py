"""AsciiDoc, line by line: ``= Title``, ``== Chapter``, ``=== Section``; attribute entries, include
and conditional directives and comments are skipped; listing/literal blocks are kept as text;
example/sidebar/quote blocks are read as ordinary paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from library.parsing.base import (
    OutlineBuilder,
    choose_chapter_level,
    finish_book,
    normalize_ws,
    read_text_file,
)
from library.parsing.cleanup import clean_asciidoc

_HEADING_RE = re.compile(r"^(={1,6}|#{1,6})\s+(\S.*?)\s*(?:=*)\s*$")
_ATTRIBUTE_RE = re.compile(r"^:!?[\w][\w-]*!?:(?:\s+(.*))?$")
_DIRECTIVE_RE = re.compile(r"^(?:include|ifdef|ifndef|ifeval|endif|toc)::.*$")
_BLOCK_ATTR_RE = re.compile(r"^\[\[?[^\]]*\]\]?\s*$")
_BLOCK_MACRO_RE = re.compile(r"^(?:image|video|audio)::[^\[]*\[(.*)\]\s*$")
_LIST_RE = re.compile(r"^\s*(?:[*\-]{1,5}|\.{1,5}|\d+\.|[a-z]\.)\s+(\S.*)$")
_DELIM_RE = re.compile(r"^(-{4,}|\.{4,}|={4,}|\*{4,}|_{4,}|\+{4,}|/{4,}|\|={3,}|--)\s*$")
_VERBATIM = ("-", ".", "+")
_BLOCK_TITLE_RE = re.compile(r"^\.([^.\s].*)$")

_INLINE_SUBS = [
    (re.compile(r"<<[^,>]*,\s*([^>]*)>>"), r"\1"),
    (re.compile(r"<<([^>]*)>>"), r"\1"),
    (re.compile(r"\b(?:link|xref|mailto):([^\[\s]*)\[([^\]]*)\]"), lambda m: m.group(2) or m.group(1)),
    (re.compile(r"(https?://[^\s\[]+)\[([^\]]*)\]"), lambda m: m.group(2) or m.group(1)),
    (re.compile(r"\bfootnote:[\w-]*\[([^\]]*)\]"), r"(\1)"),
    (re.compile(r"\b(?:kbd|btn|menu|image|icon):[^\[\s]*\[([^\]]*)\]"), r"\1"),
    (re.compile(r"\[\.[\w-]+\]#([^#]*)#"), r"\1"),
    (re.compile(r"(?<![\w*])\*{1,2}(\S(?:.*?\S)?)\*{1,2}(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_{1,2}(\S(?:.*?\S)?)_{1,2}(?![\w_])"), r"\1"),
    (re.compile(r"`{1,2}\+?([^`]*?)\+?`{1,2}"), r"\1"),
    (re.compile(r"\s\+$"), ""),
]


# Attributes every AsciiDoc document has (character replacements).
BUILTIN_ATTRIBUTES = {
    "nbsp": "\u00a0", "zwsp": "", "empty": "", "sp": " ", "blank": "", "amp": "&", "lt": "<", "gt": ">",
    "plus": "+", "vbar": "|", "brvbar": "\u00a6", "caret": "^", "asterisk": "*", "tilde": "~",
    "backslash": "\\", "backtick": "`", "apos": "'", "quot": '"', "startsb": "[", "endsb": "]",
    "two-colons": "::", "two-semicolons": ";;", "cpp": "C++", "pp": "++", "deg": "\u00b0",
    "ldquo": "\u201c", "rdquo": "\u201d", "lsquo": "\u2018", "rsquo": "\u2019",
}  # fmt: skip
_ATTR_REF_RE = re.compile(r"(?<!\\)\{([A-Za-z0-9_][\w-]*)\}")


def _inline(text: str, attrs: dict[str, str] | None = None) -> str:
    """Inline markup to plain text; ``{name}`` references to attributes the document defines (or
    built-in ones) are replaced by their values, unknown ones left as written."""
    if "{" in text:
        known = attrs if attrs is not None else BUILTIN_ATTRIBUTES
        text = _ATTR_REF_RE.sub(lambda m: known.get(m.group(1), m.group(0)), text)
    for pattern, repl in _INLINE_SUBS:
        text = pattern.sub(repl, text)
    return clean_asciidoc(text)


def asciidoc_events(text: str, attrs: dict[str, str] | None = None):
    """Yield ("heading", level, text), ("block", text[, True for code]) and ("attr", name, value)
    events. ``attrs`` collects the attributes defined so far (shared with nested blocks)."""
    if attrs is None:
        attrs = dict(BUILTIN_ATTRIBUTES)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    para: list[str] = []
    in_header = False  # after the document title: author and revision lines
    seen_heading = False
    i, n = 0, len(lines)

    def flush():
        if para:
            out = normalize_ws(_inline(" ".join(para), attrs))
            para.clear()
            if out:
                return ("block", out)
        return None

    while i < n:
        line = lines[i].rstrip()
        stripped = line.strip()
        delim = _DELIM_RE.match(stripped)
        if delim:
            ev = flush()
            if ev:
                yield ev
            marker = delim.group(1)
            j = i + 1
            while j < n and lines[j].strip() != marker:
                j += 1
            body = lines[i + 1 : j]
            i = j + 1
            kind = marker[0]
            if kind == "/":
                continue  # comment block
            if kind in _VERBATIM and marker != "--":
                code = "\n".join(body).strip("\n")
                if code.strip():
                    yield ("block", code, True)
                continue
            if marker.startswith("|"):
                for row in body:
                    cells = [c.strip() for c in row.split("|") if c.strip()]
                    if cells:
                        yield ("block", normalize_ws(_inline(" | ".join(cells), attrs)))
                continue
            # example/sidebar/quote/open blocks: ordinary content, parsed recursively (no headings)
            for ev in asciidoc_events("\n".join(body), attrs):
                if ev[0] == "block":
                    yield ev
            continue
        i += 1
        if not stripped:
            ev = flush()
            if ev:
                yield ev
            in_header = False
            continue
        if stripped.startswith("//"):
            continue
        m = _ATTRIBUTE_RE.match(stripped)
        if m and not para:
            raw_name = stripped[1:].split(":", 1)[0]
            name, value = raw_name.strip("!"), (m.group(1) or "").strip()
            if raw_name != name:
                attrs.pop(name, None)  # :name!: unsets
            else:
                attrs[name] = _inline(value, attrs)
            yield ("attr", name, value)
            continue
        if _DIRECTIVE_RE.match(stripped) or _BLOCK_ATTR_RE.match(stripped):
            continue
        m = _HEADING_RE.match(stripped)
        if m and not para:
            level = len(m.group(1)) - 1
            yield ("heading", level, normalize_ws(_inline(m.group(2), attrs)))
            in_header = level == 0 and not seen_heading
            seen_heading = True
            continue
        if in_header and not para:
            # author line / revision line right after the document title
            yield ("attr", "author-line", stripped)
            continue
        m = _BLOCK_MACRO_RE.match(stripped)
        if m:
            ev = flush()
            if ev:
                yield ev
            alt = m.group(1).split(",")[0].strip().strip('"')
            if alt and "=" not in alt:
                yield ("block", alt)
            continue
        m = _BLOCK_TITLE_RE.match(stripped)
        if m and not para:
            yield ("block", normalize_ws(_inline(m.group(1), attrs)))
            continue
        if stripped == "+":
            continue  # list continuation
        m = _LIST_RE.match(line)
        if m:
            ev = flush()
            if ev:
                yield ev
            para.append(m.group(1))
            continue
        para.append(stripped)
    ev = flush()
    if ev:
        yield ev


def parse_asciidoc(path: Path, *, words_per_page: int = 300, max_bytes: int = 500 * 2**20):
    path = Path(path)
    events = list(asciidoc_events(read_text_file(path, max_bytes=max_bytes)))
    section_levels = [e[1] for e in events if e[0] == "heading" and e[1] > 0]
    chapter_level = choose_chapter_level(section_levels) if section_levels else 1
    builder = OutlineBuilder(chapter_level)
    title = ""
    authors = ""
    for ev in events:
        if ev[0] == "heading":
            if ev[1] == 0 and not title:
                title = ev[2]
            builder.heading(ev[1], ev[2])
        elif ev[0] == "block":
            builder.block(ev[1], code=len(ev) > 2)
        elif ev[0] == "attr":
            is_author = ev[1] in ("author", "authors") or (ev[1] == "author-line" and title)
            if is_author and not authors:
                authors = ev[2]
            elif ev[1] == "doctitle" and not title:
                title = ev[2]
    return finish_book(
        title=title,
        authors=authors.replace(";", ",").strip(),
        fmt="asciidoc",
        chapters=builder.chapters,
        words_per_page=words_per_page,
    )
