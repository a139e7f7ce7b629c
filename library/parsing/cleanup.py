"""Format markup that must not reach chunks, summaries or titles.

The prose of every parser but the PDF one (a typeset page has no markup to leak) goes through
:func:`clean_prose` (in ``finish_book``): leftover HTML tags and character references, Markdown
syntax (emphasis markers, links, images, heading hashes, code backticks). AsciiDoc prose also goes
through :func:`clean_asciidoc` (index terms, anchors) in its parser. Code blocks are left exactly
as written: their brackets, stars and underscores are the content.

The rules are deliberately narrow: a tag is removed only when it names an HTML element
(``Vec<String>`` stays), an emphasis marker only when it wraps words like Markdown does (``a*b*c``,
``**kwargs`` and ``snake_case_name`` stay), a link only when its target looks like one.
"""

from __future__ import annotations

import html
import re

from library.parsing.inline_math import plain_inline_math

_HTML_ELEMENTS = (
    "a|abbr|b|bdi|bdo|big|blockquote|body|br|caption|center|cite|code|col|colgroup|dd|del|dfn|div|dl|dt|"
    "em|figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|img|ins|kbd|li|mark|nav|ol|p|pre|q|s|"
    "samp|section|small|span|strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|time|tr|tt|u|ul|"
    "var|wbr"
)
_TAG_RE = re.compile(
    rf"</?(?:{_HTML_ELEMENTS})(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>", re.I
)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

_IMAGE_RE = re.compile(r"!\[([^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)")
_LINK_RE = re.compile(r"(?<![\w\])!])\[([^\[\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"]*\")?\)")
_REF_LINK_RE = re.compile(r"(?<![\w\])!])\[([^\[\]\n]+)\]\[[^\[\]\n]*\]")
_HEADING_HASHES_RE = re.compile(r"^#{1,6}\s+(?=[A-Z])")
# Emphasis as Markdown writes it: the marker opens after a space or an opening bracket or quote,
# closes before a space or punctuation, and wraps a short run without TeX or code characters.
_OPEN = r"(?<![^\s(\[\"'“‘])"
_CLOSE = r"(?=$|[\s.,;:!?)\]\"'”’])"
_INNER = r"[^*_\n{}\\$<>|]"
_STRONG_RE = re.compile(rf"{_OPEN}\*\*(?=[^\s*])({_INNER}{{1,120}}?)(?<=[^\s*])\*\*{_CLOSE}")
_EM_RE = re.compile(rf"{_OPEN}\*(?=[^\s*])({_INNER}{{1,120}}?)(?<=[^\s*])\*{_CLOSE}")
_STRONG_UNDER_RE = re.compile(rf"{_OPEN}__(?=[^\s_])({_INNER}{{1,120}}?)(?<=[^\s_])__{_CLOSE}")
_EM_UNDER_RE = re.compile(rf"{_OPEN}_(?=[^\s_])({_INNER}{{1,120}}?)(?<=[^\s_])_{_CLOSE}")
_CODE_SPAN_RE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")

# AsciiDoc: concealed index terms (((a, b))) vanish, visible ones ((term)) keep their text; anchors
# [[id]] / [[id,label]] and [#id] vanish. Only for AsciiDoc prose (Lisp is full of double parens).
_INDEX_HIDDEN_RE = re.compile(r"\(\(\((?:[^()]|\([^()]*\))*\)\)\)")
_INDEX_VISIBLE_RE = re.compile(r"(?<!\()\(\(([^()]+)\)\)(?!\))")
_ANCHOR_RE = re.compile(r"\[\[[A-Za-z_][\w:.-]*(?:,[^\[\]]*)?\]\]|\[#[A-Za-z_][\w:.-]*\]")
_SPACES_RE = re.compile(r"[ \t]{2,}")


def clean_asciidoc(text: str) -> str:
    """AsciiDoc prose without index terms and anchors."""
    if "((" in text:
        text = _INDEX_VISIBLE_RE.sub(r"\1", _INDEX_HIDDEN_RE.sub("", text))
    if "[" in text:
        text = _ANCHOR_RE.sub("", text)
    return text


def clean_prose(text: str) -> str:
    """``text`` without format markup (prose only: never call it on code)."""
    if not text:
        return text
    if "<" in text:
        text = _TAG_RE.sub(" ", _COMMENT_RE.sub(" ", text))
    if "&" in text:
        text = _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)
    if "[" in text:
        if "](" in text:
            text = _LINK_RE.sub(r"\1", _IMAGE_RE.sub(r"\1", text))
        if "][" in text:
            text = _REF_LINK_RE.sub(r"\1", text)
    if text.startswith("#") and " | " not in text:  # not a table row: "# Workers (L) | 1 | 2"
        text = _HEADING_HASHES_RE.sub("", text)
    if "*" in text:
        text = _EM_RE.sub(r"\1", _STRONG_RE.sub(r"\1", text))
    if "_" in text:
        text = _EM_UNDER_RE.sub(r"\1", _STRONG_UNDER_RE.sub(r"\1", text))
    if "`" in text:
        text = _CODE_SPAN_RE.sub(r"\1", text)
    if "\\" in text:
        text = plain_inline_math(text)
    return _SPACES_RE.sub(" ", text).strip()
