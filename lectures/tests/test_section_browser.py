"""The section page in a real browser (system Chromium, phone-sized): citation chips open the quoted
passage, the quiz is answered and graded in place, Mark complete; nothing overflows sideways."""

import pytest

from docprof.tests import browser
from lectures import services
from lectures.models import Lecture
from lectures.tests.support import make_course
from workers import engine

browser_page = browser.browser_page  # the fixture
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]


def test_section_page_chips_quiz_and_completion(browser_page, live_server, alice, book):
    _, section = make_course(alice, book)
    engine.run_inline(services.open_section(section, alice).lecture.job_id)
    lecture = Lecture.objects.get()
    page = browser_page
    page.goto(f"{live_server.url}/sections/{section.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392  # no sideways scrolling at 390 px

    page.locator("button.chip").first.click()
    pop = page.locator("#cite-1")
    pop.wait_for(state="visible")
    assert lecture.citations[0]["book_title"] in pop.inner_text()
    pop.locator("summary").click()
    pop.locator(".passage mark").wait_for()
    page.keyboard.press("Escape")

    browser.answer_quiz(page, lecture.quiz)

    page.click("text=Mark complete >> nth=0")
    page.wait_for_selector("text=Completed")
