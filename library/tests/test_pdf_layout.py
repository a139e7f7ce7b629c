"""PDFs without bookmarks: chapters, titles, page ranges and sections from the page layout."""

import pypdfium2 as pdfium
import pytest

from library.parsing import parse_book
from library.parsing.pdf import parse_pdf
from library.parsing.pdf_layout import PageReader, is_toc_entry
from library.tests.fixtures import _write_pdf, make_pdf, make_styled_pdf

_SENTENCES = [
    "Probability theory describes how likely events are and how their chances combine when",
    "several random experiments are carried out one after another or at the same time.",
    "We compute the distribution of a sum from the distributions of its independent terms.",
]
_WORDS = "apple birch cedar delta ember fjord grove heron iris juniper kestrel lotus maple nectar".split()


class _Body:
    """Three lines of body text, different on every use (repeated lines would be running heads)."""

    def __init__(self):
        self.n = 0

    def __iter__(self):
        self.n += 1
        word = _WORDS[self.n % len(_WORDS)] + _WORDS[self.n // len(_WORDS) % len(_WORDS)]
        return iter(f"{s} About {word}." for s in _SENTENCES)


BODY = _Body()


def _head(chapter: str, page: int) -> tuple:
    return (f"{chapter} {page}", 8)  # a running head: small, with the page number


def _probability_book() -> list[list]:
    """A textbook like the one in issue 11: "Chapter N" over its title, "N.M" sections, running
    heads, a contents page, a preface, a body line that begins with "Chapter 7", a drop capital,
    a title wrapped over two lines, "CHAPTER THREE", an index."""
    ch1, ch2 = "CHAPTER 1. DISCRETE DISTRIBUTIONS", "CHAPTER 2. CONTINUOUS DENSITIES"
    return [
        [("Introduction to Probability", 24, True), ("", 30), ("Charles Grinstead and Laurie Snell", 14)],
        [
            ("Contents", 24, True),
            "1 Discrete Distributions 1",
            "1.1 Simulation of Discrete Probabilities 1",
            "1.2 Discrete Probability Distributions 18",
            "2 Continuous Probability Densities 41",
            "2.1 Simulation of Continuous Probabilities 41",
            "3 Combinatorics 75",
            "Index 499",
        ],
        [("Preface", 24, True), ("", 20), *BODY, *BODY],
        [
            ("Chapter 1", 20, True),
            ("", 10),
            ("Discrete Distributions", 24, True),
            ("", 20),
            *BODY,
            ("1.1 Simulation of Discrete Probabilities", 14, True),
            *BODY,
            ("1", 10, False, "bottom"),
        ],
        [_head(ch1, 2), *BODY, ("1.2 Discrete Probability Distributions", 14, True), *BODY],
        [
            _head(ch1, 3),
            "Chapter 7 that pZ is the convolution of pX and pY, and we know that convolution",
            *BODY,
        ],
        [_head(ch1, 4), *BODY, *BODY],
        [
            ("Chapter 2", 20, True),
            ("", 10),
            ("Continuous Probability", 24, True),
            ("Densities", 24, True),
            ("", 20),
            ("W", 30),
            "e now turn to experiments whose outcomes are real numbers rather than a list.",
            *BODY,
            ("2.1 Simulation of Continuous Probabilities", 14, True),
            *BODY,
        ],
        [_head(ch2, 6), *BODY, *BODY],
        [_head(ch2, 7), *BODY],
        [_head(ch2, 8), *BODY],
        [("CHAPTER THREE", 20, True), ("", 10), ("Combinatorics", 24, True), ("", 20), *BODY],
        [
            ("Index", 24, True),
            "convolution, 285, 291",
            "density function, 59",
            "distribution function, 61",
            "expected value, 225",
            "variance, 257",
        ],
    ]


@pytest.fixture
def probability_pdf(tmp_path):
    return make_styled_pdf(tmp_path / "6538577a3086444f946897ce570e02c9.pdf", _probability_book())


def test_chapters_titles_and_page_ranges_from_the_layout(probability_pdf):
    book = parse_book(probability_pdf, "pdf")
    chapters = [(c.title, c.page_start, c.page_end) for c in book.chapters]
    assert chapters[-5:] == [
        ("Preface", 3, 3),
        ("Chapter 1 Discrete Distributions", 4, 7),
        ("Chapter 2 Continuous Probability Densities", 8, 11),
        ("CHAPTER THREE Combinatorics", 12, 12),
        ("Index", 13, 13),
    ]
    titles = [c.title for c in book.chapters]
    assert "Contents" not in titles  # a contents page heads no chapter
    assert not any(t.startswith("Chapter 7") for t in titles)  # body text that starts with "Chapter 7"
    assert book.title == "Introduction to Probability"


def test_sections_give_the_heading_path_and_furniture_is_dropped(probability_pdf):
    book = parse_book(probability_pdf, "pdf")
    chapter1 = next(c for c in book.chapters if c.title.startswith("Chapter 1"))
    paths = {tuple(b.heading_path) for b in chapter1.blocks}
    assert ("Chapter 1 Discrete Distributions", "1.1 Simulation of Discrete Probabilities") in paths
    assert ("Chapter 1 Discrete Distributions", "1.2 Discrete Probability Distributions") in paths
    text = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "CHAPTER 1. DISCRETE" not in text  # running heads
    assert "Chapter 7 that pZ is the convolution" in text  # kept as text, in its chapter
    assert "e now turn to experiments" in text  # the line after the drop capital stays text
    # headings are not repeated as text
    assert "Discrete Distributions" not in " ".join(b.text for b in chapter1.blocks)


def test_bookmarks_win_when_present_and_can_be_ignored(tmp_path):
    pages = [[("Alpha Chapter", 22, True), *BODY], [*BODY], [("Beta Chapter", 22, True), *BODY], [*BODY]]
    path = make_styled_pdf(tmp_path / "b.pdf", pages)
    assert [c.title for c in parse_pdf(path, use_outline=False).chapters] == ["Alpha Chapter", "Beta Chapter"]
    marked = make_pdf(tmp_path / "m.pdf", ["One", "Two", "Three"], outline=[("Only bookmark", 2)])
    assert [c.title for c in parse_pdf(marked).chapters] == ["Front matter", "Only bookmark"]


def test_large_running_heads_and_numbered_sections_are_not_chapters(tmp_path):
    pages = []
    for n, name in enumerate(["Vectors", "Matrices", "Determinants"], start=1):
        pages.append([("Linear Algebra Notes", 12, True), (f"{n} {name}", 20, True), *BODY])
        for k in range(1, 3):
            pages.append(
                [("Linear Algebra Notes", 12, True), *BODY, (f"{n}.{k} Part {k} of {name}", 14, True)]
            )
    book = parse_pdf(make_styled_pdf(tmp_path / "notes.pdf", pages))
    assert [(c.title, c.page_start, c.page_end) for c in book.chapters] == [
        ("1 Vectors", 1, 3),
        ("2 Matrices", 4, 6),
        ("3 Determinants", 7, 9),
    ]
    assert "Linear Algebra Notes" not in " ".join(b.text for c in book.chapters for b in c.blocks)


def test_a_short_article_gets_its_sections_as_chapters(tmp_path):
    pages = [
        [
            ("A Shared Database", 20, True),
            ("1. Introduction", 14, True),
            *BODY,
            ("2. Layout", 14, True),
            *BODY,
        ],
        [*BODY, ("3. Contributors", 14, True), *BODY],
    ]
    book = parse_pdf(make_styled_pdf(tmp_path / "spec.pdf", pages))
    assert [(c.title, c.page_start) for c in book.chapters][-3:] == [
        ("1. Introduction", 1),
        ("2. Layout", 1),
        ("3. Contributors", 2),
    ]


def test_chapter_label_over_a_bold_title_in_body_size(tmp_path):
    pages = []
    for n, name in enumerate(["The Setting", "The Journey", "The Return"], start=1):
        pages += [[(f"CHAPTER {n}", 16, True), (name, 10, True), *BODY], [*BODY]]
    book = parse_pdf(make_styled_pdf(tmp_path / "novel.pdf", pages))
    assert [c.title for c in book.chapters] == [
        "CHAPTER 1 The Setting",
        "CHAPTER 2 The Journey",
        "CHAPTER 3 The Return",
    ]


def test_a_sentence_starting_with_chapter_at_the_top_of_plain_pages_is_not_a_chapter(tmp_path):
    pages = [
        "A Plain Book",
        *[f"Chapter {n} that pZ is the convolution of pX and pY, and so on\nText." for n in (3, 7)],
    ]
    book = parse_pdf(make_pdf(tmp_path / "plain.pdf", pages))
    assert [c.title for c in book.chapters] == ["Pages 1–3"]


def test_effective_font_size_includes_the_text_matrix_and_ctm(tmp_path):
    stream = (
        b"BT /F1 1 Tf 24 0 0 24 72 700 Tm (Scaled by the text matrix) Tj ET "
        b"q 2 0 0 2 0 0 cm BT /F2 12 Tf 36 300 Td (Scaled by the CTM) Tj ET Q "
        b"BT /F1 10 Tf 72 400 Td (Plain body text) Tj ET"
    )
    pdf = pdfium.PdfDocument(str(_write_pdf(tmp_path / "m.pdf", [stream])))
    try:
        lines = {ln.text: ln for ln in PageReader(pdf).read(0).lines}
    finally:
        pdf.close()
    assert lines["Scaled by the text matrix"].size == pytest.approx(24, abs=0.1)
    assert lines["Scaled by the CTM"].size == pytest.approx(24, abs=0.1)
    assert lines["Scaled by the CTM"].bold_name
    assert lines["Plain body text"].size == pytest.approx(10, abs=0.1)
    assert (
        lines["Scaled by the text matrix"].top < lines["Scaled by the CTM"].top < lines["Plain body text"].top
    )


@pytest.mark.parametrize(
    "line,expected",
    [
        ("3.5.1 Streams Are Delayed Lists . . . . 435", True),
        ("1 Discrete Probability Distributions 1", True),
        ("Preface . . . xi", True),
        ("Preface xi", False),  # one word: could be anything
        ("Chapter 7", False),
        ("Part 2", False),
        ("Exercises 12", False),
        ("The Year of Living Dangerously", False),
        ("Solving for x and y", False),
    ],
)
def test_toc_entries(line, expected):
    assert is_toc_entry(line) is expected
