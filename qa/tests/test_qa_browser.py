"""The question box in a real browser (system Chromium, phone-sized): the position it shows and
sends follows the reading, "Pause and ask" freezes it, and a question sent through the streaming
API ends as the stored exchange with its verified source chips."""

import re

import pytest

from docprof.tests import browser
from lectures import services
from lectures.tests.books import BAKING_MD
from lectures.tests.support import make_course
from library.tests.conftest import ingest
from qa.models import QAMessage
from qa.position import script_blocks
from workers import engine

browser_page = browser.browser_page  # the fixture
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]
READING_LINE = 0.4  # as static/js/qa.js


def test_position_pause_and_a_streamed_answer(browser_page, live_server, alice, settings):
    settings.DOCPROF_LECTURE_CONCURRENCY = 1
    book = ingest(alice, "bread.md", BAKING_MD)
    _, section = make_course(alice, book, minutes=4, pace=120)
    engine.run_inline(services.open_section(section, alice).lecture.job_id)
    page = browser_page
    page.goto(f"{live_server.url}/sections/{section.pk}/")
    label = page.locator(".qa-position")
    assert label.inner_text() == "Asking at 0:00 into the lecture"

    # Read down to the start of the second segment: the position is where that segment starts.
    delivery = section.deliveries.get()
    blocks = script_blocks(delivery.lecture_script)
    assert len(blocks) == page.locator("#lecture .segment").count() >= 3
    page.evaluate(
        f"""() => {{
        const s = document.querySelectorAll('#lecture .segment')[1];
        window.scrollBy(0, s.getBoundingClientRect().top - window.innerHeight * {READING_LINE} + 1);
    }}"""
    )
    expected = blocks[1]["start"] * 60 / 120
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('[name=position_seconds]').value - {expected}) <= 2"
    )
    minutes, seconds = re.match(r"Asking at (\d+):(\d\d) into the lecture$", label.inner_text()).groups()
    assert abs(int(minutes) * 60 + int(seconds) - expected) <= 2

    # Pause there and ask: the box shows the paused point and the question carries it.
    page.click("button.qa-pause")
    assert label.inner_text().endswith("(paused)")
    page.fill(".qa-form textarea", "What is gluten?")
    with page.expect_response(lambda r: r.url.endswith("/questions/stream")):
        page.click(".qa-form button[type=submit]")
    page.locator(".qa-exchange:not(.qa-writing) .qa-sources li").first.wait_for()
    message = QAMessage.objects.get()
    assert abs(message.position_seconds - expected) <= 2 and message.sources[0]["verified"]
    assert page.locator("#qa-session").input_value() == str(message.session_id)
    assert page.locator(f'a.chip[href="#qa-{message.pk}-1"]').count() >= 1
    assert page.locator(".qa-form textarea").input_value() == ""
