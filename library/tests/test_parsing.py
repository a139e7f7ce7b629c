"""Parsers: bad input is refused with a readable IngestError; good books keep their structure."""

import pytest

from library.parsing import IngestError, check_filename, detect_format, parse_book, sniff
from library.tests.fixtures import (
    chapter_text,
    make_asciidoc,
    make_epub,
    make_html,
    make_image_only_pdf,
    make_markdown,
    make_pdf,
    make_text,
    make_zip,
    sample_book,
)

SMALL_LIMIT = 5 * 2**20


def _empty(d):
    p = d / "empty.pdf"
    p.write_bytes(b"")
    return p, "pdf"


def _empty_text(d):
    p = d / "empty.txt"
    p.write_bytes(b"")
    return p, "text"


def _not_pdf(d):
    p = d / "fake.pdf"
    p.write_bytes(b"<html>this is not a pdf</html>")
    return p, "pdf"


def _corrupt_pdf(d):
    p = d / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage garbage")
    return p, "pdf"


def _encrypted_pdf(d):
    return make_pdf(d / "locked.pdf", ["Secret text"], encrypted=True), "pdf"


def _image_pdf(d):
    return make_image_only_pdf(d / "scan.pdf"), "pdf"


def _epub_not_zip(d):
    p = d / "book.epub"
    p.write_bytes(b"PK but not really a zip file at all")
    return p, "epub"


def _epub_no_container(d):
    return make_zip(d / "book.epub", {"mimetype": "application/epub+zip", "OEBPS/a.xhtml": "<html/>"}), "epub"


def _epub_bomb(d):
    return make_epub(d / "bomb.epub", [("One", "Some text.")], bomb=True), "epub"


def _binary_txt(d):
    p = d / "blob.txt"
    p.write_bytes(bytes(range(256)) * 40)
    return p, "text"


def _undecodable_md(d):
    p = d / "blob.md"
    p.write_bytes(b"\x81\x8d\x8f\x90\x9d" * 200 + b"\xff")
    return p, "markdown"


def _whitespace_md(d):
    return make_markdown(d / "blank.md", "\n\n   \n# \n"), "markdown"


def _empty_html(d):
    return make_html(
        d / "blank.html", "<html><head><script>var x = 1;</script></head><body></body></html>"
    ), "html"


BAD_INPUTS = [
    (_empty, "empty"),
    (_empty_text, "empty"),
    (_not_pdf, "not a PDF"),
    (_corrupt_pdf, "damaged"),
    (_encrypted_pdf, "encrypted"),
    (_image_pdf, "no extractable text"),
    (_epub_not_zip, "not a valid zip"),
    (_epub_no_container, "container.xml"),
    (_epub_bomb, "MB limit"),
    (_binary_txt, "binary"),
    (_undecodable_md, "encoding"),
    (_whitespace_md, "no readable text"),
    (_empty_html, "no readable text"),
]


@pytest.mark.parametrize(
    ("builder", "message"), BAD_INPUTS, ids=[b.__name__.strip("_") for b, _ in BAD_INPUTS]
)
def test_bad_input_is_refused_with_a_readable_message(tmp_path, builder, message):
    path, fmt = builder(tmp_path)
    with pytest.raises(IngestError) as exc:
        sniff(path, fmt, max_unpacked_bytes=SMALL_LIMIT)
        parse_book(path, fmt, max_unpacked_bytes=SMALL_LIMIT)
    assert message.lower() in exc.value.message.lower()
    assert exc.value.status_code == 400


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        (_encrypted_pdf, "encrypted"),
        (_image_pdf, "no extractable text"),
        (_epub_bomb, "zip bomb"),
        (_epub_no_container, "container.xml"),
    ],
)
def test_full_parse_refuses_bad_input_too(tmp_path, builder, message):
    path, fmt = builder(tmp_path)
    with pytest.raises(IngestError, match=message):
        parse_book(path, fmt)


def test_sniff_is_cheap_and_accepts_good_books(tmp_path):
    for fmt in ("pdf", "epub", "markdown", "html", "text", "asciidoc"):
        sniff(sample_book(tmp_path, fmt), fmt)


@pytest.mark.parametrize(
    ("filename", "fmt"),
    [
        ("Book.PDF", "pdf"),
        ("a.epub", "epub"),
        ("notes.md", "markdown"),
        ("notes.markdown", "markdown"),
        ("page.htm", "html"),
        ("page.html", "html"),
        ("ch.xhtml", "html"),
        ("plain.txt", "text"),
        ("plain.text", "text"),
        ("progit.adoc", "asciidoc"),
        ("progit.asciidoc", "asciidoc"),
    ],
)
def test_detect_format(filename, fmt):
    assert detect_format(filename) == fmt


@pytest.mark.parametrize("filename", ["book.docx", "book.exe", "README", "archive.tar.gz", ""])
def test_unsupported_extension_is_415(filename):
    with pytest.raises(IngestError) as exc:
        detect_format(filename)
    assert exc.value.status_code == 415


@pytest.mark.parametrize(
    "filename",
    [
        "../etc/passwd.pdf",
        "dir/book.pdf",
        "dir\\book.pdf",
        "..",
        "a..b.pdf",
        "bad\x00name.pdf",
        "tab\tname.pdf",
        "",
        "   ",
        "x" * 252 + ".pdf",
    ],
)
def test_bad_filenames_are_refused(filename):
    with pytest.raises(IngestError) as exc:
        check_filename(filename)
    assert exc.value.status_code == 400


def test_good_filename_is_kept():
    assert check_filename("  Principles of Economics (3e).pdf ") == "Principles of Economics (3e).pdf"


# --- text encodings -------------------------------------------------------------------------------

ENCODED = "Chapter 1 Café society\n\nThe naïve économiste wrote about crème brûlée and Zürich.\n" * 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
def test_text_encodings_are_decoded(tmp_path, encoding):
    path = make_text(tmp_path / "book.txt", ENCODED, encoding=encoding)
    book = parse_book(path, "text")
    text = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "naïve économiste" in text
    assert "crème brûlée" in text


def test_markdown_in_utf16_is_decoded(tmp_path):
    path = make_markdown(tmp_path / "book.md", "# Über\n\nGrüße aus Köln.\n", encoding="utf-16")
    book = parse_book(path, "markdown")
    assert book.title == "Über"
    assert book.chapters[0].blocks[0].text == "Grüße aus Köln."


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_outline_chapters_and_exact_pages(tmp_path):
    pages = [
        "Title page of the test book",
        "Preface\nWhy this book exists.",
        "Chapter 1 Demand\nBuyers want more at lower prices.",
        "Demand curves slope down.",
        "1.1 Elasticity\nHow much quantity responds.",
        "Chapter 2 Supply\nSellers offer more at higher prices.",
    ]
    outline = [
        ("Preface", 2),
        ("Chapter 1 Demand", 3),
        ("1.1 Elasticity", 5, 1),
        ("Chapter 2 Supply", 6),
    ]
    path = make_pdf(tmp_path / "econ.pdf", pages, outline=outline, title="Test Economics")
    book = parse_book(path, "pdf")
    assert book.format == "pdf"
    assert book.physical_pages is True
    assert book.pages == 6
    assert book.title == "Test Economics"
    assert book.authors == "Test Author"
    assert [c.title for c in book.chapters] == [
        "Front matter",
        "Preface",
        "Chapter 1 Demand",
        "Chapter 2 Supply",
    ]
    assert [(c.page_start, c.page_end) for c in book.chapters] == [(1, 1), (2, 2), (3, 5), (6, 6)]
    demand = book.chapters[2]
    by_page = {b.page: b.heading_path for b in demand.blocks}
    assert by_page[3] == ["Chapter 1 Demand"]
    assert by_page[5] == ["Chapter 1 Demand", "1.1 Elasticity"]
    assert any("Demand curves slope down." in b.text for b in demand.blocks if b.page == 4)


def test_pdf_without_outline_uses_chapter_lines(tmp_path):
    pages = [
        "A Small Book",
        "Chapter 1 Beginnings\nIt starts here.",
        "More of the beginning.",
        "Chapter 2 Endings\nIt ends here.",
    ]
    book = parse_book(make_pdf(tmp_path / "b.pdf", pages), "pdf")
    assert [c.title for c in book.chapters] == ["Front matter", "Chapter 1 Beginnings", "Chapter 2 Endings"]
    assert book.chapters[1].page_start == 2
    assert book.chapters[1].page_end == 3
    assert book.title == "A Small Book"


def test_pdf_without_structure_is_grouped_by_pages(tmp_path):
    pages = [f"Plain page {i} with some words." for i in range(1, 26)]
    book = parse_book(make_pdf(tmp_path / "flat.pdf", pages), "pdf")
    assert [c.title for c in book.chapters] == ["Pages 1–20", "Pages 21–25"]
    assert book.title == "Plain page 1 with some words."


def test_pdf_running_heads_and_hyphens(tmp_path):
    pages = [
        f"My Running Head\nThe quick brown fox {i} jumps over the lazy dog near the river bank con-\n"
        f"tinued on page {i} of {'many ' * i}pages.\n{i}"
        for i in range(1, 8)
    ]
    book = parse_book(make_pdf(tmp_path / "heads.pdf", pages), "pdf")
    text = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "My Running Head" not in text
    assert "bank continued on page 3 of many many many pages." in text
    assert " 3 The quick" not in text  # bare page numbers dropped


# --- EPUB -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("nav", ["epub3", "ncx"])
def test_epub_chapters_from_nav(tmp_path, nav):
    chapters = [("Introduction", chapter_text("Intro", 2)), ("Markets", chapter_text("Markets", 20))]
    path = make_epub(tmp_path / "b.epub", chapters, nav=nav, title="Markets Book", author="Ada Author")
    book = parse_book(path, "epub", words_per_page=100)
    assert book.title == "Markets Book"
    assert book.authors == "Ada Author"
    assert book.physical_pages is False
    assert [c.title for c in book.chapters] == ["Introduction", "Markets"]
    assert book.chapters[0].page_start == 1
    # 2 paragraphs of ~30 words, then 20 more: computed pages advance every 100 words
    assert book.chapters[1].page_start == 1
    assert book.chapters[1].page_end > 5
    assert book.pages == book.word_count // 100 + 1


def test_epub_tolerates_invalid_xhtml(tmp_path):
    path = make_epub(tmp_path / "b.epub", [("One", "placeholder")])
    import zipfile

    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("chap1.xhtml"):
                data = b"<html><body><h1>One</h1><p>Unclosed <b>bold &nbsp; text<p>Second para</body>"
            dst.writestr(info, data)
    book = parse_book(broken, "epub")
    text = " ".join(b.text for b in book.chapters[0].blocks)
    assert "Unclosed bold" in text and "Second para" in text


# --- Markdown, HTML, AsciiDoc, text -----------------------------------------------------------------


def test_markdown_chapter_level_and_heading_paths(tmp_path):
    md = """---
title: "Front Matter Title"
author: Jane Doe
---
# Chapter 1 Demand

Intro to demand with a [link](http://x) and ![a chart](c.png).

## 1.1 The law

- first item
- second item

```python
print("code kept")
```

# Chapter 2 Supply

| a | b |
|---|---|
| 1 | 2 |
"""
    book = parse_book(make_markdown(tmp_path / "b.md", md), "markdown")
    assert book.title == "Front Matter Title"
    assert book.authors == "Jane Doe"
    assert [c.title for c in book.chapters] == ["Chapter 1 Demand", "Chapter 2 Supply"]
    blocks = book.chapters[0].blocks
    assert blocks[0].text == "Intro to demand with a link and a chart."
    assert blocks[1].heading_path == ["Chapter 1 Demand", "1.1 The law"]
    assert [b.text for b in blocks[1:3]] == ["first item", "second item"]
    assert 'print("code kept")' in blocks[3].text
    assert "1 | 2" in book.chapters[1].blocks[-1].text


def test_markdown_single_h1_is_the_title(tmp_path):
    md = "# The Book\n\nA foreword.\n\n## One\n\nText one.\n\n### Deeper\n\nDeep text.\n\n"
    md += "## Two\n\nText two.\n"
    book = parse_book(make_markdown(tmp_path / "b.md", md), "markdown")
    assert book.title == "The Book"
    assert [c.title for c in book.chapters] == ["The Book", "One", "Two"]
    assert book.chapters[1].blocks[1].heading_path == ["One", "Deeper"]


def test_html_chapters_and_dropped_chrome(tmp_path):
    html = """<html><head><title>Stats Book</title><style>p{}</style></head><body>
    <nav><a href="#">menu</a></nav>
    <h1>Chapter 1 Probability</h1><p>Chance is \\(p = 0.5\\).</p>
    <h2>1.1 Events</h2><ul><li>heads</li><li>tails</li></ul>
    <script>alert(1)</script>
    <h1>Chapter 2 Inference</h1><table><tr><td>x</td><td>y</td></tr></table><pre>code  block</pre>
    </body></html>"""
    book = parse_book(make_html(tmp_path / "b.html", html), "html")
    assert book.title == "Stats Book"
    assert [c.title for c in book.chapters] == ["Chapter 1 Probability", "Chapter 2 Inference"]
    texts = [b.text for c in book.chapters for b in c.blocks]
    assert texts == ["Chance is p = 0.5.", "heads", "tails", "x | y", "code block"]
    assert book.chapters[0].blocks[1].heading_path == ["Chapter 1 Probability", "1.1 Events"]


def test_html_heading_permalinks_are_not_words(tmp_path):
    """Sphinx and other generators end each heading with a link to itself ("¶"); a link with words
    stays."""
    html = """<html><head><title>Policy</title></head><body>
    <h1>Packaging<a class="headerlink" href="#packaging" title="Permalink">¶</a></h1><p>Some text here.</p>
    <h2>Wheels <a href="#wheels">#</a></h2><p>See <a href="#packaging">packaging</a> first.</p>
    </body></html>"""
    book = parse_book(make_html(tmp_path / "p.html", html), "html")
    assert [c.title for c in book.chapters] == ["Packaging", "Wheels"]
    assert [b.text for c in book.chapters for b in c.blocks] == ["Some text here.", "See packaging first."]


def test_asciidoc_structure(tmp_path):
    adoc = """= Pro Tool
Jane Doe; John Roe
:doctype: book
:toc:

include::intro.adoc[]

[preface]
== Preface

Why *this* book.

== Getting Started

=== Installing

[source,console]
----
$ == not a heading
----

.A caption
* one item
* two item

////
a comment block
////

== Basics

Plain words here.
"""
    book = parse_book(make_asciidoc(tmp_path / "b.adoc", adoc), "asciidoc")
    assert book.title == "Pro Tool"
    assert book.authors == "Jane Doe, John Roe"
    assert [c.title for c in book.chapters] == ["Preface", "Getting Started", "Basics"]
    started = book.chapters[1].blocks
    assert started[0].text == "$ == not a heading"
    assert started[0].heading_path == ["Getting Started", "Installing"]
    assert [b.text for b in started[1:]] == ["A caption", "one item", "two item"]
    assert book.chapters[0].blocks[0].text == "Why this book."


def test_text_chapters(tmp_path):
    text = (
        "My Novel\n\nCHAPTER ONE\n\nThe Start\n\nIt was a dark\nand stormy night.\n\n"
        "Chapter 2. The Middle\n\nThings happened.\n\nPART III\n\nLater.\n"
    )
    book = parse_book(make_text(tmp_path / "b.txt", text), "text")
    assert book.title == "My Novel"
    assert [c.title for c in book.chapters] == [
        "Front matter",
        "CHAPTER ONE The Start",
        "Chapter 2. The Middle",
        "PART III",
    ]
    assert book.chapters[1].blocks[0].text == "It was a dark and stormy night."


def test_text_without_headings_is_split_into_parts(tmp_path):
    text = "\n\n".join(chapter_text("Word", 1) for _ in range(300))
    book = parse_book(make_text(tmp_path / "b.txt", text), "text")
    assert len(book.chapters) >= 2
    assert book.chapters[0].title == "Part 1"
    assert book.pages == book.word_count // 300 + 1


@pytest.mark.parametrize("fmt", ["pdf", "epub", "markdown", "html", "text", "asciidoc"])
def test_every_format_parses_the_sample_book(tmp_path, fmt):
    book = parse_book(sample_book(tmp_path, fmt), fmt)
    assert book.format == fmt
    assert book.title == "Sample Economics"
    titles = [c.title for c in book.chapters]
    assert any("Demand" in t for t in titles) and any("Equilibrium" in t for t in titles)
    assert all(c.blocks and c.page_start >= 1 for c in book.chapters)


def test_long_chapter_titles_are_trimmed(tmp_path):
    md = "# " + "Long " * 200 + "\n\nText.\n\n# Short\n\nMore.\n"
    book = parse_book(make_markdown(tmp_path / "b.md", md), "markdown")
    assert len(book.chapters[0].title) <= 500
