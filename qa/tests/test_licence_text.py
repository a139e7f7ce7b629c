"""A book's licence (the GNU Free Documentation License appended to a GNU manual) is text about the
book: its everyday words ("a document ... is called an aggregate") do not answer questions about
the subject, but it answers questions about copying the book."""

import pytest

from library.boilerplate import asks_about_licence, is_licence_title
from library.tests.conftest import ingest
from qa.answers import LIBRARY, NOT_FOUND
from qa.engine import answer_question

pytestmark = pytest.mark.django_db

LICENCE = (
    "A compilation of the Document or its derivatives with other separate and independent documents "
    "or works, in or on a volume of a storage or distribution medium, is called an aggregate if the "
    "copyright resulting from the compilation is not used to limit the legal rights of its users. "
    "You may copy and distribute the Document in any medium, either commercially or noncommercially, "
    "provided that this License, the copyright notices, and the license notice are reproduced. "
)
MANUAL = (
    "# Shell Tools\n\n## 1 Pipelines\n\n"
    + "A pipeline connects the output of one command to the input of the next with a vertical bar. " * 12
    + "\n\n## 2 Redirection\n\n"
    + "Redirection sends a command's output to a file with the greater-than sign, or reads its input "
    "from a file with the less-than sign. "
    * 12
    + "\n\n## Appendix A GNU Free Documentation License\n\n"
    + LICENCE * 6
)


def test_licence_titles_and_questions_are_recognised():
    for title in ("Appendix A GNU Free Documentation License", "7 Copying", "Copying This Manual", "Licence"):
        assert is_licence_title(title), title
    for title in ("Copying files", "File permissions", "Permissions", "10 Reporting Bugs"):
        assert not is_licence_title(title), title
    assert asks_about_licence("Can I copy and redistribute this manual?")
    assert not asks_about_licence("What is a here document?")


def test_a_question_the_licence_s_words_match_is_not_answered_from_the_licence(alice):
    book = ingest(alice, "shell.md", MANUAL)
    answer = answer_question("What is a here document called?", [book.pk], llm=None)
    assert answer.kind == NOT_FOUND
    assert not any("License" in (s.chapter or "") for s in answer.sources)


def test_a_question_about_copying_the_book_is_answered_from_its_licence(alice):
    book = ingest(alice, "shell.md", MANUAL)
    answer = answer_question("May I copy and distribute this document commercially?", [book.pk], llm=None)
    assert answer.kind == LIBRARY
    assert "License" in answer.sources[0].chapter
