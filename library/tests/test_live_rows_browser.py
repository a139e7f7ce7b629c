"""In a real browser (the system Chromium, through Playwright): a library row updates itself to the
finished book without a reload, polls about every 2 s while the tab is visible, not while it is
hidden, at once when it is shown again, and not at all once the book is ready.

Skipped, with the reason, where Chromium or Playwright is missing (`apt-get install chromium`)."""

import io
import time

import pytest

from docprof.tests import browser
from library.services import add_book
from library.tests.books import GARDENING_TXT, VALUATION_MD
from workers import engine

browser_page = browser.browser_page  # the fixture
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]


def row_requests(page, book_id: int) -> list[float]:
    seen: list[float] = []
    page.on("request", lambda r: seen.append(time.monotonic()) if f"/books/{book_id}/row/" in r.url else None)
    return seen


def set_hidden(page, hidden: bool) -> None:
    page.evaluate(
        """hidden => {
            Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_a_row_finishes_without_reload_and_polls_only_while_visible(browser_page, live_server, alice):
    page = browser_page
    waiting = add_book(
        owner=alice, fileobj=io.BytesIO(GARDENING_TXT.encode()), filename="garden.txt", enqueue=False
    )
    book = add_book(
        owner=alice, fileobj=io.BytesIO(VALUATION_MD.encode()), filename="valuation.md", enqueue=False
    )
    seen = row_requests(page, book.book.pk)
    page.goto(f"{live_server.url}/library/")
    page.evaluate("window.__notReloaded = true")
    row = page.locator(f"#book-{book.book.pk}")
    assert "Waiting for a worker" in row.inner_text()

    page.wait_for_timeout(5000)
    visible = len(seen)
    assert 2 <= visible <= 4, seen  # about every 2 s

    set_hidden(page, True)
    page.wait_for_timeout(300)
    before = len(seen)
    page.wait_for_timeout(5000)
    assert len(seen) == before, "a hidden tab must not poll every 2 s"
    set_hidden(page, False)
    page.wait_for_timeout(500)
    assert len(seen) == before + 1, "showing the tab polls at once"

    engine.run_inline(book.job.pk)
    page.wait_for_function(
        f"document.querySelector('#book-{book.book.pk} a').textContent.includes('A Short Book on Valuation')",
        timeout=10000,
    )
    book.book.refresh_from_db()
    assert "Ready" in row.inner_text()
    assert row.locator("td[data-label=Chapters]").inner_text().strip() == str(book.book.chapters.count())
    assert row.locator("td[data-label=Pages]").inner_text().strip().rstrip("*") == str(book.book.pages)
    assert page.evaluate("window.__notReloaded") is True
    assert row.get_attribute("data-poll") is None

    done = len(seen)
    page.wait_for_timeout(4500)
    assert len(seen) == done, "the finished row must stop polling"
    # The other book, still waiting, keeps polling on its own.
    assert page.locator(f"#book-{waiting.book.pk}").get_attribute("data-poll") is not None
