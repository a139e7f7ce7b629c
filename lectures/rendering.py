"""Lecture Markdown to safe HTML: markdown-it-py (no raw HTML), then nh3 (model output and book text
may contain HTML), then the [n] markers become citation chips that open the quoted passage."""

from __future__ import annotations

import re

import nh3
from django.utils.html import escape
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_CHIP = re.compile(r"\[(\d{1,3})\]")
ALLOWED_TAGS = {
    "p", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
}  # fmt: skip


def to_html(markdown: str, citations: list[dict], prefix: str = "cite") -> str:
    """Safe HTML of a lecture text; [n] with a known citation n becomes a chip button."""
    known = {int(c["n"]) for c in citations}
    html = nh3.clean(_md.render(markdown or ""), tags=ALLOWED_TAGS, attributes={}, link_rel=None)

    def chip(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return (
            f'<button type="button" class="chip" popovertarget="{prefix}-{n}" '
            f'aria-label="Citation {n}">{n}</button>'
        )

    return mark_safe(_CHIP.sub(chip, html))  # noqa: S308 (sanitised above; the chip markup is ours)


def pages(c: dict) -> str:
    start, end = c.get("page_start"), c.get("page_end")
    if not start:
        return ""
    return f"p. {start}" if not end or end == start else f"pp. {start}–{end}"


def citation_label(c: dict) -> str:
    parts = [escape(c["book_title"]), escape(c["chapter"])]
    if pages(c):
        parts.append(pages(c))
    return ", ".join(parts)
