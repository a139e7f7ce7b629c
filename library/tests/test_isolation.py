"""An owner and an outsider on every endpoint of the library: the outsider gets 404."""

import pytest
from django.urls import reverse

from library.models import Book
from library.tests.books import VALUATION_MD
from library.tests.conftest import ingest
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_book(alice):
    return ingest(alice, "valuation.md", VALUATION_MD)


@pytest.fixture
def bob_api(api_client, bob):
    api_client.force_authenticate(bob)
    return api_client


def test_outsider_gets_404_on_every_book_endpoint(bob_api, private_book):
    job = GenerationJob.objects.get(target_id=private_book.pk)
    assert bob_api.get(reverse("api-book", args=[private_book.pk])).status_code == 404
    assert bob_api.get(reverse("api-book-chapters", args=[private_book.pk])).status_code == 404
    assert bob_api.delete(reverse("api-book", args=[private_book.pk])).status_code == 404
    assert bob_api.get(reverse("api-job", args=[job.pk])).status_code == 404
    assert bob_api.get(reverse("api-books")).json() == []
    assert Book.objects.filter(pk=private_book.pk).exists()


def test_outsider_search_never_sees_private_books(bob_api, private_book):
    results = bob_api.get(reverse("api-search"), {"q": "terminal value discount rate"}).json()["results"]
    assert results == []


def test_outsider_pages_are_404(client, bob, private_book):
    client.force_login(bob)
    assert client.get(reverse("library:book", args=[private_book.pk])).status_code == 404
    assert client.get(reverse("library:book_status", args=[private_book.pk])).status_code == 404
    assert client.post(reverse("library:delete", args=[private_book.pk])).status_code == 404
    page = client.get(reverse("library:search"), {"q": "terminal value"})
    assert "A Short Book on Valuation" not in page.content.decode()


def test_shared_book_is_readable_and_searchable_but_not_deletable_by_others(alice, bob_api):
    shared = ingest(alice, "valuation.md", VALUATION_MD, shared=True)
    assert bob_api.get(reverse("api-book", args=[shared.pk])).status_code == 200
    hits = bob_api.get(reverse("api-search"), {"q": "terminal value"}).json()["results"]
    assert hits and hits[0]["book_id"] == shared.pk
    assert bob_api.delete(reverse("api-book", args=[shared.pk])).status_code == 403
    assert Book.objects.filter(pk=shared.pk).exists()


def test_owner_can_delete(alice_api, private_book):
    assert alice_api.delete(reverse("api-book", args=[private_book.pk])).status_code == 204
    assert not Book.objects.filter(pk=private_book.pk).exists()


def test_ready_books_and_authors_as_prepared_reads(alice, bob):
    from library.models import Book
    from library.selectors import book_authors, ready_book_ids, ready_books

    def book(owner, title, **fields):
        return Book.objects.create(owner=owner, title=title, sha256=title, **fields)

    mine = book(alice, "Mine", authors="A. Author", status="ready")
    book(bob, "Bob's", status="ready")
    shared = book(bob, "Shared", status="ready", visibility="shared")
    book(alice, "Not yet", status="processing")
    assert ready_books(alice) == [(mine.pk, "Mine"), (shared.pk, "Shared")]  # by title
    assert ready_book_ids(alice) == [mine.pk, shared.pk]
    assert book_authors({mine.pk, shared.pk}) == {mine.pk: "A. Author", shared.pk: ""}
    assert book_authors([]) == {}
