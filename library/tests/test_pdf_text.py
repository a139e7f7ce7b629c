"""PDF passage text: words broken at line and page ends, characters that carry no text."""

import pypdfium2 as pdfium

from library.parsing.pdf import parse_pdf
from library.parsing.pdf_hyphens import Hyphenation
from library.parsing.pdf_layout import PageReader, clean_line
from library.tests.fixtures import _write_pdf, make_pdf, make_styled_pdf


def _text(book) -> str:
    return " ".join(b.text for c in book.chapters for b in c.blocks)


def test_line_end_hyphen_kept_when_the_book_writes_the_word_with_it(tmp_path):
    path = make_styled_pdf(
        tmp_path / "h.pdf",
        [
            [
                "The interpreter first tests whether the guess is good-",
                "enough? and then the loop com-",
                "putes a better guess from the old one by averaging.",
                "Later chapters call good-enough? from other procedures too.",
            ]
        ],
    )
    text = _text(parse_pdf(path))
    assert "is good-enough? and then" in text
    assert "the loop computes a better guess" in text
    assert "\ufffe" not in text


def test_word_broken_at_the_foot_of_a_page_is_whole_on_that_page(tmp_path):
    body = "Programs are written for people to read and only incidentally for machines to run."
    path = make_styled_pdf(
        tmp_path / "p.pdf",
        [
            [
                body,
                body.replace("Programs", "Texts"),
                "This matters most in the construc-",
                ("12", 10, False, "bottom"),
            ],
            ["tion of large systems by many people over many years.", body, ("13", 10, False, "bottom")],
        ],
    )
    book = parse_pdf(path)
    blocks = [b for c in book.chapters for b in c.blocks]
    text = _text(book)
    assert "in the construction of large systems" in text
    assert "12" not in text and "13" not in text
    assert next(b.page for b in blocks if "construction" in b.text) == 1


def test_control_characters_of_math_fonts_are_dropped(tmp_path):
    stream = b"BT /F1 10 Tf 72 700 Td (The sum \x14 of two vectors \x15 is a vector. \x04) Tj ET"
    path = _write_pdf(tmp_path / "c.pdf", [stream])
    pdf = pdfium.PdfDocument(str(path))
    try:
        line = PageReader(pdf).read(0).lines[0]
    finally:
        pdf.close()
    assert line.text == "The sum of two vectors is a vector."


def test_private_use_glyphs_dropped_and_ligatures_spelled_out():
    assert clean_line("A = \uf8ee 1 2 \uf8f9 has a \ufb01xed \ufb02ow\r") == "A = 1 2 has a fixed flow"


def test_hyphenation_follows_the_book_vocabulary():
    h = Hyphenation(
        ["make-rat builds a rational number; make-rat again", "information theory", "the ratio\ufffenal"]
    )
    assert h.join("make", "rat") == "make-rat"
    assert h.join("infor", "mation") == "information"
    assert h.join("unseen", "word") == "unseenword"  # the usual case: the typesetter's hyphen
    assert h.join("rational", "theory") == "rational-theory"  # neither form, but two words of the book
    assert h.join("ratio", "nal") == "rational"  # the halves of a broken word are not words
    assert h.resolve("the infor\ufffemation and make\ufffe") == "the information and make-"


def test_bookmarked_heading_with_its_section_number_is_cut_and_left_out_of_the_text(tmp_path):
    intro = "Block structure helps us break up large programs into tractable pieces of code."
    path = make_pdf(
        tmp_path / "o.pdf",
        [
            "Chapter 1\nBuilding Abstractions\n" + f"{intro}\n" * 3,
            f"{intro}\n{intro}\n{intro}\n1.2 Procedures and the Processes\nThey Generate\n"
            "We have now considered the elements of programming and can move on to processes.",
        ],
        outline=[("Building Abstractions", 1), ("Procedures and the Processes They Generate", 2, 1)],
    )
    blocks = [b for c in parse_pdf(path).chapters for b in c.blocks]
    text = " ".join(b.text for b in blocks)
    assert "They Generate" not in text and "Building Abstractions" not in text
    assert "1.2" not in text
    before = [b for b in blocks if b.page == 2 and intro in b.text]
    after = next(b for b in blocks if b.text.startswith("We have now considered"))
    assert before and all(b.heading_path == ["Building Abstractions"] for b in before)
    assert after.heading_path == ["Building Abstractions", "Procedures and the Processes They Generate"]


_PROSE = [
    "A procedure is a pattern for the local evolution of a computational process in time.",
    "It specifies how each stage of the process is built upon the previous stage of it.",
    "We would like to make statements about the overall behavior of such processes too.",
]


def test_footnote_is_taken_out_of_the_sentence_its_page_break_interrupted(tmp_path):
    path = make_styled_pdf(
        tmp_path / "f.pdf",
        [
            [
                *_PROSE,
                "We will use block structure to break up large programs into pieces.28 The idea",
                "of block structure came from Algol 60, and when the interpreter evaluates the",
                ("28Embedded definitions must come first in a procedure body, as the", 8),
                ("management is not responsible for programs that mix them.", 8),
                ("40", 10, False, "bottom"),
            ],
            ["operands it applies the operator to their values.", *_PROSE, ("41", 10, False, "bottom")],
        ],
    )
    blocks = [b for c in parse_pdf(path).chapters for b in c.blocks]
    text = " ".join(b.text for b in blocks)
    assert "into pieces. The idea" in text
    assert "evaluates the operands it applies the operator to their values." in text
    note = next(b for b in blocks if "Embedded definitions" in b.text)
    assert note.text == (
        "Embedded definitions must come first in a procedure body, as the management is not "
        "responsible for programs that mix them."
    )
    assert note.page == 1
    assert text.index("to their values.") < text.index("Embedded definitions")
    assert "28" not in text and "40" not in text


def test_small_lines_at_the_foot_without_a_marker_above_stay_in_the_text(tmp_path):
    path = make_styled_pdf(
        tmp_path / "s.pdf",
        [
            [
                *_PROSE,
                "The table below counts the trials of the experiment:",
                ("12 trials succeeded in all", 8),
            ]
        ],
    )
    text = _text(parse_pdf(path))
    assert "experiment: 12 trials succeeded in all" in text


def test_footnote_going_on_over_the_page_stays_whole_and_out_of_the_next_page_text(tmp_path):
    path = make_styled_pdf(
        tmp_path / "c.pdf",
        [
            [
                *_PROSE,
                "Streams are delayed lists.3 They let us model state without assignment.",
                ("3The idea of delayed", 8),
            ],
            [*_PROSE, ("evaluation goes back to Landin.", 8)],
        ],
    )
    blocks = [b for c in parse_pdf(path).chapters for b in c.blocks]
    assert "lists. They let us" in " ".join(b.text for b in blocks)
    # the note, then its end on the next page (cited with that page), then that page's text
    at = next(i for i, b in enumerate(blocks) if b.text == "The idea of delayed")
    assert blocks[at].page == 1
    assert (blocks[at + 1].text, blocks[at + 1].page) == ("evaluation goes back to Landin.", 2)
    assert blocks[-1].text.endswith(_PROSE[-1]) and blocks[-1].page == 2


def test_footnote_marker_set_on_a_line_of_its_own(tmp_path):
    path = make_styled_pdf(
        tmp_path / "m.pdf",
        [
            [
                *_PROSE,
                "This discipline is called lexical scoping.",
                ("27", 7),
                ("27Lexical scoping dictates that free variables refer to", 8),
                ("bindings made by enclosing procedure definitions.", 8),
            ],
        ],
    )
    blocks = [b.text for c in parse_pdf(path).chapters for b in c.blocks]
    assert blocks[-1] == (
        "Lexical scoping dictates that free variables refer to bindings made by enclosing "
        "procedure definitions."
    )
    assert "27" not in " ".join(blocks)


def test_tex_negated_relations_read_as_the_negated_symbol(tmp_path):
    # TeX draws "≠" as its symbol font's slash glyph (code "6" without a Unicode map) over "=".
    line = (
        b"BT /F1 10 Tf 72 700 Td (Suppose that x ) Tj /F3 10 Tf (6) Tj "
        b"/F1 10 Tf (= 0, while 16= in a plain font stays.) Tj ET"
    )
    text = _text(parse_pdf(_write_pdf(tmp_path / "n.pdf", [line])))
    assert "Suppose that x \u2260 0" in text
    assert "16= in a plain font stays" in text
