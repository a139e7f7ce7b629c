"""The question box on the section page: the htmx endpoint and the rendered history."""

import json
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from qa.models import QAMessage, QASession

pytestmark = pytest.mark.django_db


def ask(client, section, question, **extra):
    return client.post(
        f"/qa/sections/{section.pk}/ask/", {"question": question, **extra}, HTTP_HX_REQUEST="true"
    )


def test_the_box_answers_with_source_chips_and_keeps_the_session(alice_client, section):
    r = ask(alice_client, section, "How is the terminal value estimated?")
    assert r.status_code == 200
    html = r.content.decode()
    session = QASession.objects.get()
    message = session.messages.get()
    assert f'href="#qa-{message.pk}-1">[1]</a>' in html and 'class="ok"' in html
    assert f'id="qa-session" name="session_id" value="{session.pk}" hx-swap-oob="true"' in html
    r = ask(alice_client, section, "why?", session_id=session.pk)
    assert "Understood as:" in r.content.decode() and session.messages.count() == 2


def test_questions_and_answers_are_rendered_safely(alice_client, section):
    html = ask(alice_client, section, "<script>alert(1)</script> what is WACC?").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_bad_input_and_other_users_sections(alice_client, section, bob_section):
    r = ask(alice_client, section, "   ")
    assert r.status_code == 400 and "Enter something" in r.content.decode()
    assert ask(alice_client, bob_section, "What soil?").status_code == 404


def test_the_box_is_rate_limited(alice_client, section, settings):
    settings.DOCPROF_QA_RATE = "1/minute"
    assert ask(alice_client, section, "What is WACC?").status_code == 200
    r = ask(alice_client, section, "What is WACC?")
    assert r.status_code == 429 and r["Retry-After"]


def test_the_box_shows_the_open_session_history(alice, alice_client, section):
    ask(alice_client, section, "What does WACC blend?")
    request = RequestFactory().get("/")
    request.user = alice
    html = render_to_string(
        "qa/_question_box.html", {"section": section, "request": request}, request=request
    )
    assert "What does WACC blend?" in html and 'hx-post="/qa/sections/' in html
    assert "weighted average cost of capital" in html


SEGMENTED = (
    "## Introduction\n\nWelcome. Today we study how analysts value a firm. "
    + "We keep the forecast simple and explicit. " * 30
    + "\n\n## Estimate terminal value\n\nWe estimate the terminal value with the Gordon growth model, which "
    "divides next year's cash flow by the discount rate minus the growth rate. "
    + "That closes the valuation. "
    * 10
)


def test_the_box_gives_the_page_the_lectures_timing_and_the_position_reaches_the_answerer(
    alice, alice_client, section
):
    delivery = section.deliveries.get()
    delivery.lecture_script = SEGMENTED
    delivery.save()
    request = RequestFactory().get("/")
    request.user = alice
    html = render_to_string(
        "qa/_question_box.html",
        {"section": section, "delivery": delivery, "request": request},
        request=request,
    )
    timing = json.loads(
        re.search(r'<script id="qa-timing" type="application/json">(.*?)</script>', html).group(1)
    )
    intro, terminal = timing["blocks"]
    assert timing["pace_wpm"] == 150 and timing["total_words"] == len(SEGMENTED.split())
    assert (
        intro == {"start": 0, "words": terminal["start"]}
        and terminal["start"] + terminal["words"] == timing["total_words"]
    )
    assert f'data-stream-url="/api/sections/{section.pk}/questions/stream"' in html
    assert 'name="position_seconds"' in html and "js/qa.js" in html

    # What the page sends for a reader still in the introduction, and for one past the segment.
    reading_intro = terminal["start"] * 60 / timing["pace_wpm"] - 5
    r = ask(
        alice_client, section, "How is the terminal value estimated?", position_seconds=round(reading_intro)
    )
    assert "This comes up later in this lecture" in r.content.decode()
    r = ask(
        alice_client,
        section,
        "How is the terminal value estimated?",
        position_seconds=round(reading_intro + 60),
    )
    assert r.status_code == 200 and "later in this lecture" not in r.content.decode()
    assert list(QAMessage.objects.order_by("id").values_list("position_seconds", flat=True)) == [
        round(reading_intro),
        round(reading_intro + 60),
    ]


def test_a_stored_exchange_is_a_fragment_for_its_owner_only(alice_client, bob, section, client):
    ask(alice_client, section, "What does WACC blend?")
    message = QAMessage.objects.get()
    r = alice_client.get(f"/qa/messages/{message.pk}/")
    assert r.status_code == 200 and f'id="qa-{message.pk}-1"' in r.content.decode()
    client.force_login(bob)
    assert client.get(f"/qa/messages/{message.pk}/").status_code == 404
