import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import Book
from library.tests.books import VALUATION_MD
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def test_pages_require_login(client):
    response = client.get(reverse("library:index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_login_page_and_login(client, alice):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302


def test_library_page_upload_status_and_detail(alice_client, django_capture_on_commit_callbacks):
    page = alice_client.get(reverse("library:index"))
    assert page.status_code == 200 and b"dropzone" in page.content
    response = alice_client.post(
        reverse("library:upload"),
        {"file": [SimpleUploadedFile("valuation.md", VALUATION_MD.encode())]},
    )
    assert response.status_code == 302
    book = Book.objects.get()
    job = GenerationJob.objects.get(target_id=book.pk)
    # Before a worker picks it up, the status fragment keeps polling.
    fragment = alice_client.get(reverse("library:book_status", args=[book.pk])).content.decode()
    assert 'hx-trigger="poll"' in fragment
    from workers import engine

    engine.run_inline(job.pk)
    fragment = alice_client.get(reverse("library:book_status", args=[book.pk])).content.decode()
    assert "Ready" in fragment and "hx-trigger" not in fragment  # stops polling at the end
    detail = alice_client.get(reverse("library:book", args=[book.pk])).content.decode()
    assert "Chapter 1 Cash Flows" in detail and "Chapter 2 Discounting" in detail
    results = alice_client.get(
        reverse("library:search"), {"q": "working capital receivables"}
    ).content.decode()
    assert "A Short Book on Valuation" in results and "p. " in results
    # A result opens the book page at the passage's chapter.
    chapter = book.chapters.get(title="Chapter 1 Cash Flows")
    assert f'href="{reverse("library:book", args=[book.pk])}#chapter-{chapter.pk}"' in results
    assert f'id="chapter-{chapter.pk}"' in detail


def test_page_upload_of_a_bad_file_is_refused(alice_client):
    response = alice_client.post(
        reverse("library:upload"), {"file": [SimpleUploadedFile("x.exe", b"MZ....")]}
    )
    assert response.status_code == 415
    assert b"Unsupported" in response.content
    assert not Book.objects.exists()


def test_page_search_with_empty_query_is_400(alice_client):
    assert alice_client.get(reverse("library:search"), {"q": ""}).status_code == 400


def test_admin_pages_render(admin_client, valuation_book):
    for name in (
        "admin:library_book_changelist",
        "admin:library_chapter_changelist",
        "admin:library_chunk_changelist",
    ):
        assert admin_client.get(reverse(name)).status_code == 200
    assert admin_client.get(reverse("admin:library_book_change", args=[valuation_book.pk])).status_code == 200


def test_a_file_already_in_the_library_says_how_to_read_it_again(alice_client):
    upload = {"file": [SimpleUploadedFile("valuation.md", VALUATION_MD.encode())]}
    alice_client.post(reverse("library:upload"), upload)
    again = {"file": [SimpleUploadedFile("valuation.md", VALUATION_MD.encode())]}
    page = alice_client.post(reverse("library:upload"), again, follow=True).content.decode()
    assert "Already in your library" in page and "new version on the book" in page
    assert Book.objects.count() == 1
    # the accepted formats the page offers are the ones the reader knows
    assert ".info" in page and ".rst" in page
