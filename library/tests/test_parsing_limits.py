"""Untrusted archives and oversized books (issue 12), and where a book's title comes from."""

import zipfile

import pytest

from library.models import Book, Chunk
from library.parsing import IngestError, parse_book, sniff
from library.tests.conftest import ingest, upload
from library.tests.fixtures import chapter_text, make_epub, make_text

MiB = 2**20


def _epub_with_padding(path, members: int, size: int):
    """A valid little EPUB plus ``members`` extra members of ``size`` zero bytes each."""
    make_epub(path, [("One", chapter_text("bombs"))])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(members):
            zf.writestr(f"OEBPS/pad{i}.xhtml", b"\0" * size)
    return path


def test_epub_of_members_of_exactly_one_mib_is_refused(tmp_path):
    # The bypass from issue 12: 100 members of exactly 1 MiB each, about 100 KB compressed.
    path = _epub_with_padding(tmp_path / "bomb.epub", 100, MiB)
    assert path.stat().st_size < 250_000
    for check in (lambda: sniff(path, "epub"), lambda: parse_book(path, "epub")):
        with pytest.raises(IngestError) as err:
            check()
        assert "zip bomb" in err.value.message
        assert "times its compressed size" in err.value.message


def test_epub_of_many_small_bombs_is_refused_by_the_total_ratio(tmp_path):
    # Every member below the per-member threshold, together 18.75 MiB unpacked from a few KB.
    path = _epub_with_padding(tmp_path / "many.epub", 300, 64 * 2**10 - 1)
    with pytest.raises(IngestError) as err:
        sniff(path, "epub")
    assert "it unpacks to" in err.value.message and "the limit is 30" in err.value.message


def test_epub_total_unpacked_size_is_bounded(tmp_path):
    path = _epub_with_padding(tmp_path / "big.epub", 3, MiB)
    with pytest.raises(IngestError) as err:
        sniff(path, "epub", max_unpacked_bytes=2 * MiB)
    assert "more than the 2 MB limit" in err.value.message


def test_an_ordinary_epub_passes_the_guards(tmp_path):
    path = make_epub(
        tmp_path / "ok.epub", [("One", chapter_text("markets", 40)), ("Two", chapter_text("prices"))]
    )
    sniff(path, "epub")
    assert [c.title for c in parse_book(path, "epub").chapters] == ["One", "Two"]


def test_epub_word_limit_stops_reading_early(tmp_path):
    chapters = [(f"Part {i}", chapter_text(f"topic{i}", 25)) for i in range(6)]  # 725 words each
    path = make_epub(tmp_path / "long.epub", chapters)
    assert parse_book(path, "epub", max_words=10_000).word_count > 4_000
    with pytest.raises(IngestError) as err:
        parse_book(path, "epub", max_words=1_500, filename="long.epub")
    message = err.value.message
    assert message.startswith("long.epub has more than 1,500 words (")
    assert "the limit is 1,500 words per book (DOCPROF_MAX_BOOK_WORDS)" in message
    read = int(message.split("(")[1].split(" read")[0].replace(",", ""))
    assert 1_500 < read < 2_500  # stopped after the document that crossed the limit
    assert err.value.status_code == 413


@pytest.mark.parametrize("fmt,name", [("text", "t.txt"), ("markdown", "t.md")])
def test_word_limit_for_every_format(tmp_path, fmt, name, settings):
    path = make_text(tmp_path / name, "Some Title\n\n" + chapter_text("words", 10))
    settings.DOCPROF_MAX_BOOK_WORDS = 100  # the default limit comes from the setting
    with pytest.raises(IngestError) as err:
        parse_book(path, fmt, filename=name)
    assert f"{name} has more than 100 words" in err.value.message
    assert parse_book(path, fmt, max_words=10_000).word_count > 100


@pytest.mark.django_db
def test_word_limit_fails_the_ingestion_with_the_message(alice, settings):
    settings.DOCPROF_MAX_BOOK_WORDS = 50
    book = ingest(alice, "wordy.txt", "Wordy\n\n" + chapter_text("words", 5))
    assert book.status == Book.Status.ERROR
    assert book.error.startswith("wordy.txt has more than 50 words")
    assert not Chunk.objects.filter(book=book).exists()


LONG_FIRST_LINE = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the season of Light."
)


def test_text_title_falls_back_to_the_uploaded_name_not_the_storage_name(tmp_path):
    path = make_text(
        tmp_path / "6538577a3086444f946897ce570e02c9.txt", LONG_FIRST_LINE + "\n\n" + chapter_text("x")
    )
    assert parse_book(path, "text", filename="A Tale of Two Cities.txt").title == "A Tale of Two Cities"
    assert parse_book(path, "text").title == "6538577a3086444f946897ce570e02c9"  # no other name known
    short = make_text(tmp_path / "0123abcd.txt", "A Tale of Two Cities\n\n" + chapter_text("x"))
    assert parse_book(short, "text", filename="tale.txt").title == "A Tale of Two Cities"


@pytest.mark.parametrize(
    "name,content",
    [
        ("notes.md", "Just a paragraph with no heading at all, long enough to be a book of sorts."),
        ("page.html", "<html><body><p>No title and no heading in this document at all.</p></body></html>"),
        ("doc.adoc", "A paragraph of AsciiDoc without a document title or any section heading."),
    ],
)
def test_every_format_without_a_title_uses_the_uploaded_name(tmp_path, name, content):
    fmt = {"md": "markdown", "html": "html", "adoc": "asciidoc"}[name.rsplit(".", 1)[1]]
    path = make_text(tmp_path / f"0f1e2d3c4b5a69788796a5b4c3d2e1f0.{name.rsplit('.', 1)[1]}", content)
    assert parse_book(path, fmt, filename=name).title == name.rsplit(".", 1)[0]


@pytest.mark.django_db
def test_ingested_text_book_with_a_long_first_line_is_titled_by_its_file_name(alice):
    book = ingest(alice, "A Tale of Two Cities.txt", LONG_FIRST_LINE + "\n\n" + chapter_text("revolution"))
    assert book.status == Book.Status.READY
    assert book.title == "A Tale of Two Cities"
    assert upload(alice, "again.txt", LONG_FIRST_LINE + "\n\nOther text.").book.title == "again"
