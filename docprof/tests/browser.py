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
