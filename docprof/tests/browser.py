"""A logged-in page of the system Chromium (through Playwright) against pytest-django's live server.
Tests that use it are skipped, with the reason, where Chromium or Playwright is missing."""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = os.environ.get("DOCPROF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")


@pytest.fixture
def browser_page(live_server, client, alice, monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client.force_login(alice)
    session = client.cookies["sessionid"].value
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        page = context.new_page()
        yield page
        browser.close()
        # Inside Playwright's event loop this thread has its own database connection (Django keeps
        # connections per async context): close it, or it would keep the test database open.
        connections.close_all()


def answer_quiz(page, quiz: list[dict]) -> None:
    """On a section page: answer every question of the lecture's quiz right, submit, and wait for
    the score graded in place (all right)."""
    for q in quiz:
        if q.get("choices"):
            page.locator(f'input[name="{q["id"]}"][value="{q["answer"]}"]').check()
        else:
            page.fill(f'input[name="{q["id"]}"]', q["answer"])
    page.click(".quiz button[type=submit]")
    page.wait_for_selector(".quiz-results")
    total = len(quiz)
    assert f"{total} of {total}" in page.inner_text(".quiz-results")


def ask_question(page, question: str, answered: str) -> None:
    """On a section page: ask in the question box and wait for `answered` (a selector of the final,
    stored exchange; the streamed preview is `.qa-writing`)."""
    page.fill("#qa textarea", question)
    page.click("#qa button[type=submit]")
    page.wait_for_selector(answered)
