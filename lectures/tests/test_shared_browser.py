"""Shared-lesson pages in a real browser (phone-sized): the course page's Publish and cost, Browse
courses, and the section page's curation card (votes, a better version offered and taken)."""

import os

import pytest

from docprof.tests import browser
from lectures import curation, services
from lectures.models import Lecture
from lectures.tests.books import BAKING_MD
from lectures.tests.support import make_course
from library.tests.conftest import ingest
from workers import engine

browser_page = browser.browser_page  # the fixture
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]
SHOTS = os.environ.get("DOCPROF_SCREENSHOTS")  # a directory: save what the test saw


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_publish_browse_vote_and_better_version(browser_page, live_server, alice):
    book = ingest(alice, "bread.md", BAKING_MD, shared=True)
    course, section = make_course(alice, book)
    engine.run_inline(services.open_section(section, alice).lecture.job_id)
    services.open_section(section, alice)
    page = browser_page
    page.goto(f"{live_server.url}/courses/{course.pk}/")
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=Listed in")
    assert "What this course has cost" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "course")
    page.goto(f"{live_server.url}/courses/browse/")
    assert course.title in page.inner_text("main")
    shot(page, "browse")

    page.goto(f"{live_server.url}/sections/{section.pk}/")
    page.click("button[title='This lecture helped']")
    page.wait_for_selector("text=your vote counts")
    assert Lecture.objects.get().upvotes == 1
    new = curation.regenerate(section, alice)
    engine.run_inline(new.job_id)
    Lecture.objects.filter(pk=new.pk).update(approval_status="mentor_verified")
    page.goto(f"{live_server.url}/sections/{section.pk}/")
    page.wait_for_selector("text=A better version of this lecture exists")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "section-better")
    page.click("button:has-text('Read version 2')")
    page.wait_for_selector("text=You are reading version 2 now")
    assert "Version 2 of 2" in page.inner_text("#curation")
    shot(page, "section-v2")
