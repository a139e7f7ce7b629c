"""Pages in a real browser (system Chromium through Playwright): the API docs render with no network,
and the new-course preview follows input that is not typed (paste, autofill).

Skipped, with the reason, where Chromium or Playwright is missing (`apt-get install chromium`)."""

from urllib.parse import urlparse

import pytest

from docprof.tests import browser
from library.tests.books import VALUATION_MD
from library.tests.conftest import ingest

browser_page = browser.browser_page  # the fixture
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]


def test_api_docs_render_offline(browser_page, live_server):
    page = browser_page
    local = urlparse(live_server.url).netloc
    outside: list[str] = []

    def only_this_server(route):
        if urlparse(route.request.url).netloc == local:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_server)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() > 5
    assert "DocProf API" in page.inner_text(".swagger-ui .info")
    assert outside == []


def test_new_course_preview_follows_pasted_and_autofilled_input(browser_page, live_server, alice):
    book = ingest(alice, "valuation.md", VALUATION_MD)
    page = browser_page
    page.goto(f"{live_server.url}/courses/new/")
    preview = page.locator("#preview")
    # What a paste or a browser's autofill does: the value changes and an `input` event fires, no key.
    page.evaluate(
        """() => {
            const box = document.getElementById("id_query");
            box.value = "free cash flow and the discount rate";
            box.dispatchEvent(new Event("input", {bubbles: true}));
        }"""
    )
    page.wait_for_function("document.getElementById('preview').textContent.includes('Topic')", timeout=10000)
    assert book.title in preview.inner_text()


def test_new_course_form_shows_every_error(browser_page, live_server, alice):
    ingest(alice, "valuation.md", VALUATION_MD)
    page = browser_page
    page.goto(f"{live_server.url}/courses/new/")
    page.fill("#id_hours", "0")
    page.fill("#id_pace_wpm", "5")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".field-error")
    errors = page.locator(".field-error").all_inner_texts()
    assert len(errors) >= 3, errors  # query, hours and pace, at once


def test_long_lists_page_at_phone_width(browser_page, live_server, alice):
    from courses.models import Course

    for i in range(51):
        Course.objects.create(
            owner=alice, title=f"Course {i}", original_query=f"Learn {i}", requested_hours="1"
        )
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/courses/")
    pager = page.locator("nav.pager")
    assert "Page 1 of 2 (51 in all)" in pager.inner_text()
    assert page.locator("table.courses tbody tr").count() == 50
    assert pager.bounding_box()["width"] <= 390
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**/courses/?page=2")
    assert page.locator("table.courses tbody tr").count() == 1
    assert "Course 0" in page.locator("table.courses").inner_text()
