"""The library's live rows: a row polls while its book is read, shows the stage in words, and once
the book is ready renders its final state (real title, pages, chapters) without a trigger."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import Book
from library.tests.books import GARDENING_TXT, VALUATION_MD
from library.tests.conftest import ingest
from workers import engine
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def upload(client, name: str, content: str) -> tuple[Book, GenerationJob]:
    client.post(reverse("library:upload"), {"file": [SimpleUploadedFile(name, content.encode())]})
    book = Book.objects.get(original_filename=name)
    return book, GenerationJob.objects.get(kind="ingest", target_id=book.pk)


def test_row_polls_while_reading_then_renders_the_finished_book(alice_client):
    book, job = upload(alice_client, "valuation.md", VALUATION_MD)
    index = alice_client.get(reverse("library:index")).content.decode()
    row_url = reverse("library:book_row", args=[book.pk])
    assert f'id="book-{book.pk}"' in index and row_url in index and "data-poll" in index

    row = alice_client.get(row_url, **HTMX).content.decode()
    assert row.lstrip().startswith("<tr") and 'hx-trigger="poll"' in row and "data-poll" in row
    assert "Waiting for a worker" in row

    GenerationJob.objects.filter(pk=job.pk).update(
        status="processing", phase="embed", message="Embedding 25 passages", progress_done=2, progress_total=4
    )
    row = alice_client.get(row_url, **HTMX).content.decode()
    assert "Embedding 25 passages" in row and "50%" in row and "data-poll" in row

    engine.run_inline(job.pk)
    book.refresh_from_db()
    assert book.status == "ready" and book.title == "A Short Book on Valuation"
    row = alice_client.get(row_url, **HTMX).content.decode()
    assert "hx-trigger" not in row and "data-poll" not in row  # the final row: polling stops
    assert "A Short Book on Valuation" in row and "Ready" in row
    cells = [c.split(">", 1)[1].split("</td>")[0].strip() for c in row.split("<td")[1:]]
    chapters = book.chapters.count()
    assert chapters >= 2 and cells[2].startswith(str(book.pages)) and cells[3] == str(chapters)


def test_a_failed_book_row_shows_the_error_and_stops(alice_client):
    book, job = upload(alice_client, "empty.md", "   \n")
    engine.run_inline(job.pk)
    row = alice_client.get(reverse("library:book_row", args=[book.pk]), **HTMX).content.decode()
    assert "Error:" in row and "data-poll" not in row


def test_rows_of_other_users_are_404(client, alice, bob):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    client.force_login(bob)
    assert client.get(reverse("library:book_row", args=[book.pk])).status_code == 404
    assert client.get(reverse("library:book_status", args=[book.pk])).status_code == 404


def test_book_page_polls_then_reloads_once_when_reading_ends(alice_client):
    book, job = upload(alice_client, "valuation.md", VALUATION_MD)
    page = alice_client.get(reverse("library:book", args=[book.pk])).content.decode()
    poll = reverse("library:book_status", args=[book.pk]) + "?reading=1"  # the page polls this while reading
    assert poll in page and "data-poll" in page
    status = alice_client.get(poll, **HTMX)
    assert "data-poll" in status.content.decode() and "HX-Refresh" not in status
    engine.run_inline(job.pk)
    status = alice_client.get(poll, **HTMX)
    assert status["HX-Refresh"] == "true"
    page = alice_client.get(reverse("library:book", args=[book.pk])).content.decode()
    assert "data-poll" not in page and "Chapter 1 Cash Flows" in page


def test_book_page_without_authors_has_no_leading_dot_and_single_pages_say_p(alice, alice_client):
    book = ingest(alice, "tomatoes.txt", GARDENING_TXT)
    assert not book.authors
    page = alice_client.get(reverse("library:book", args=[book.pk])).content.decode()
    meta = page.split('<p class="muted">', 1)[1].split("</p>", 1)[0]
    assert not meta.lstrip().startswith("·") and meta.lstrip().startswith("Plain text")
    assert "pp. 1–1" not in page and "–1 " not in page
    single = [c for c in book.chapters.all() if c.page_start == c.page_end]
    assert single, "the fixture book should have a one-page chapter"
    assert f"p. {single[0].page_start} ·" in page


def test_search_results_cite_a_single_page_as_p(alice, alice_client):
    ingest(alice, "valuation.md", VALUATION_MD)
    html = alice_client.get(reverse("library:search"), {"q": "working capital receivables"}).content.decode()
    assert "p. " in html and "pp. 1–1" not in html
