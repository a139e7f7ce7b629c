import pytest

from lectures import sources
from lectures.tests.books import BAKING_MD
from library.tests.conftest import ingest


@pytest.fixture
def book(alice):
    return ingest(alice, "bread.md", BAKING_MD)


@pytest.fixture(autouse=True)
def lecture_settings(settings, embedded_redis):
    """One objective at a time unless a test asks for threads (they need transaction=True tests,
    since each thread has its own connection); no Redis leftovers from other tests."""
    settings.DOCPROF_LECTURE_CONCURRENCY = 1
    sources.forget_resolutions()
    for pattern in ("docprof:lecture-*", "docprof:throttle:*"):
        keys = list(embedded_redis.scan_iter(pattern))
        if keys:
            embedded_redis.delete(*keys)
