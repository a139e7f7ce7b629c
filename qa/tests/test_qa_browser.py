"""The question box in a real browser (system Chromium, phone-sized): the position it shows and
sends follows the reading, "Pause and ask" freezes it, and a question sent through the streaming
API ends as the stored exchange with its verified source chips."""

import re
import time

import pytest

from docprof.ai.fake import FakeLLM
from docprof.tests import browser
from lectures import services
from lectures.tests.books import BAKING_MD
from lectures.tests.support import make_course
from library.tests.conftest import ingest
from qa import engine as qa_engine
from qa.models import QAMessage
from qa.position import script_blocks
from workers import engine

browser_page = browser.browser_page  # the fixture
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), browser.needs_chromium]
READING_LINE = 0.4  # as static/js/qa.js


class SlowFakeLLM(FakeLLM):
    """Writes its text answer word by word, a little apart, as a streaming model does."""

    def _stream(self, *args, **kwargs):
        for item in super()._stream(*args, **kwargs):
            time.sleep(0.05)
            yield item


def model_reply(system, messages, schema):
    if schema is not None:
        return {"answers": True, "passages": [1]}  # the judge
    if "QUOTES:" in messages[-1]["content"]:
        return "Gluten is the elastic network of flour proteins [1], and it holds the gas [1].\nQUOTES: []"
    return "gluten protein network"  # the vocabulary rewrite


def test_position_pause_and_a_streamed_answer(browser_page, live_server, alice, settings, monkeypatch):
    settings.DOCPROF_LECTURE_CONCURRENCY = 1
    errors = []
    browser_page.on("pageerror", lambda exc: errors.append(str(exc)))
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

    # With a model, the answer is shown while it is written, then replaced by the final exchange.
    monkeypatch.setattr(qa_engine, "get_llm", lambda: SlowFakeLLM(default=model_reply))
    page.evaluate(
        """() => {
        window.seen = [];
        new MutationObserver(() => {
            const a = document.querySelector('.qa-writing .qa-answer');
            if (a && a.textContent && !a.querySelector('.muted')) window.seen.push(a.textContent);
        }).observe(document.getElementById('qa-history'),
                   {subtree: true, childList: true, characterData: true});
    }"""
    )
    page.fill(".qa-form textarea", "Why does gluten matter?")
    page.click(".qa-form button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('.qa-exchange:not(.qa-writing)').length === 2")
    seen = page.evaluate("window.seen")
    assert len(set(seen)) >= 3 and seen[0] != seen[-1] and "QUOTES" not in " ".join(seen)  # grew as written
    last = QAMessage.objects.order_by("id").last()
    assert last.answerer == "model-v1" and last.sources[0]["verified"]
    assert "Gluten is the elastic network" in page.locator(".qa-exchange").nth(1).inner_text()
    assert errors == []
