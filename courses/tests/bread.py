"""The learner journey's library (docprof/tests/test_journey_browser.py): the lecture tests' bread
book as a PDF titled "Bread Dough and Fermentation" (chapters 1-2, named by its bookmarks; the pages
hold the text without headings) and an EPUB titled "The Baking of Bread" (chapter 3)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from lectures.tests.books import BAKING_MD
from library.tests.fixtures import make_epub, make_pdf


def _chapters(markdown: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(chapter title, [(section heading, text), ...]), ...] from the book's ## / ### headings."""
    chapters = []
    for block in re.split(r"^## ", markdown, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        sections = []
        for part in re.split(r"^### ", body, flags=re.M)[1:]:
            heading, _, text = part.partition("\n")
            sections.append((heading.strip(), text.strip()))
        chapters.append((title.strip(), sections))
    return chapters


def build_books(directory: Path) -> tuple[Path, Path]:
    chapters = _chapters(BAKING_MD)
    pages, outline = [], []
    for title, sections in chapters[:2]:
        outline.append((title, len(pages) + 1))
        for _heading, text in sections:  # the outline names the chapters; pages hold the text
            lines = []
            for paragraph in text.split("\n\n"):
                lines += [*textwrap.wrap(" ".join(paragraph.split()), 88), ""]
            pages.append("\n".join(lines))
    pdf = make_pdf(
        directory / "bread-dough.pdf", pages, outline=outline, title="Bread Dough and Fermentation"
    )
    title, sections = chapters[2]  # one chapter: the planner skips chapters under 200 words
    text = "\n\n".join(text for _, text in sections)
    epub = make_epub(
        directory / "baking.epub", [(title, text)], title="The Baking of Bread", author="A. Baker"
    )
    return pdf, epub
