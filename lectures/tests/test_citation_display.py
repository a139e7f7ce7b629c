"""Citations are matched in a normalised form (one hyphen for any dash, straight quote marks), but a
learner reads them, and the passage they open, as the book writes them."""

from lectures.views import _marked
from lectures.writing.assemble import citation_entry
from library.quotes import clean_quote

PASSAGE = (
    "To list branches, run  git branch -v; "
    "the --merged option \u2014 and \u201cno-merged\u201d \u2014 filter it."
)


def passages():
    return {
        7: {
            "text": PASSAGE,
            "book_id": 1,
            "book_title": "Pro Git",
            "chapter": "Git Branching",
            "page_start": 72,
            "page_end": 72,
        }
    }


def test_a_citation_entry_shows_the_quote_as_written_and_is_verified():
    stored = clean_quote("run git branch -v; the --merged option")
    assert "branch-v" in stored  # what matching compares
    entry = citation_entry(3, 7, stored, passages())
    assert entry["quote"] == "run git branch -v; the --merged option" and entry["verified"] is True


def test_the_opened_passage_is_the_books_text_with_the_quote_marked():
    html = _marked(PASSAGE, clean_quote("the --merged option \u2014 and \u201cno-merged"))
    assert "<mark>the --merged option \u2014 and \u201cno-merged</mark>\u201d" in html
    assert "git branch -v" in html
    assert _marked(PASSAGE, "not there at all") == f'<p class="passage">{PASSAGE}</p>'
