import io

import pytest

from library.services import add_book
from library.tests.books import GARDENING_TXT, VALUATION_MD
from workers import engine


def upload(owner, name: str, content: bytes | str, shared: bool = False):
    data = content.encode() if isinstance(content, str) else content
    return add_book(owner=owner, fileobj=io.BytesIO(data), filename=name, shared=shared, enqueue=False)


def ingest(owner, name: str, content, shared: bool = False):
    """Add a book and run its ingest job in this process, as the Celery task would."""
    added = upload(owner, name, content, shared)
    engine.run_inline(added.job.pk)
    added.book.refresh_from_db()
    return added.book


@pytest.fixture
def valuation_book(alice):
    return ingest(alice, "valuation.md", VALUATION_MD)


@pytest.fixture
def gardening_book(bob):
    return ingest(bob, "tomatoes.txt", GARDENING_TXT)
