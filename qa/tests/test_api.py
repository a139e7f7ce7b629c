"""The question API and `manage.py ask`: shapes, sessions and history, bad input, permissions."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qa.models import QAMessage, QASession

pytestmark = pytest.mark.django_db


def post(client, section_id, **body):
    return client.post(f"/api/sections/{section_id}/questions", body, format="json")


def test_a_question_opens_a_session_and_answers_with_sources(alice_api, section):
    r = post(alice_api, section.pk, question="How is the terminal value estimated?", position_seconds=30)
    assert r.status_code == 200, r.content
    data = r.json()
    assert set(data) >= {"session_id", "message_id", "kind", "answer", "sources"}
    assert data["kind"] == "library"
    source = data["sources"][0]
    assert set(source) == {
        "n", "chunk_id", "book_id", "book_title", "chapter", "page_start", "page_end", "quote", "verified"
    }  # fmt: skip
    assert source["verified"] is True
    session = QASession.objects.get(pk=data["session_id"])
    assert session.delivery is not None and session.lecture_position_seconds == 30 and session.is_open


def test_follow_ups_use_the_session_history_and_the_session_can_be_closed(alice_api, section):
    first = post(alice_api, section.pk, question="What is the Gordon growth model?").json()
    second = post(alice_api, section.pk, question="why?", session_id=first["session_id"]).json()
    assert second["session_id"] == first["session_id"]
    assert second["rewritten_question"] == "Why does the Gordon growth model matter?"
    history = alice_api.get(f"/api/qa/sessions/{first['session_id']}").json()
    assert [m["question"] for m in history["messages"]] == ["What is the Gordon growth model?", "why?"]
    closed = alice_api.post(f"/api/qa/sessions/{first['session_id']}/close").json()
    assert closed["ended_at"] is not None
    r = post(alice_api, section.pk, question="And then?", session_id=first["session_id"])
    assert r.status_code == 400 and "closed" in r.json()["detail"]


@pytest.mark.parametrize("question", ["", "   ", "x" * 2001])
def test_empty_or_overlong_questions_are_refused(alice_api, section, question):
    r = post(alice_api, section.pk, question=question)
    assert r.status_code == 400
    assert not QAMessage.objects.exists()


def test_bad_positions_are_refused(alice_api, section):
    assert post(alice_api, section.pk, question="What is WACC?", position_seconds=-5).status_code == 400


def test_a_form_may_send_numbers_as_text_and_json_may_not(alice_api, section):
    url = f"/api/sections/{section.pk}/questions"
    form = alice_api.post(url, {"question": "What is WACC?", "position_seconds": "12.5"}, format="multipart")
    assert form.status_code == 200, form.content
    assert QASession.objects.get(pk=form.json()["session_id"]).lecture_position_seconds == 12.5
    again = alice_api.post(url, {"question": "Why?", "session_id": str(form.json()["session_id"])})
    assert again.status_code == 200 and again.json()["session_id"] == form.json()["session_id"]
    assert post(alice_api, section.pk, question="What is WACC?", position_seconds="12.5").status_code == 400
    bad = alice_api.post(url, {"question": "What is WACC?", "position_seconds": "soon"}, format="multipart")
    assert bad.status_code == 400


def test_other_users_sections_and_sessions_are_not_found(alice_api, bob, section, bob_section):
    from rest_framework.test import APIClient

    assert post(alice_api, bob_section.pk, question="What soil do tomatoes like?").status_code == 404
    bob_api = APIClient()
    bob_api.force_authenticate(bob)
    bob_session = post(bob_api, bob_section.pk, question="What soil do tomatoes like?").json()["session_id"]
    r = post(alice_api, section.pk, question="What is WACC?", session_id=bob_session)
    assert r.status_code == 404
    assert alice_api.get(f"/api/qa/sessions/{bob_session}").status_code == 404
    assert alice_api.post(f"/api/qa/sessions/{bob_session}/close").status_code == 404


def test_a_session_of_another_section_is_refused(alice, alice_api, section):
    from qa.tests.conftest import make_section

    other = make_section(alice, "Another section")
    session_id = post(alice_api, other.pk, question="What is WACC?").json()["session_id"]
    r = post(alice_api, section.pk, question="What is WACC?", session_id=session_id)
    assert r.status_code == 400 and "another section" in r.json()["detail"]


def test_questions_are_rate_limited_per_user(alice_api, section, settings):
    settings.DOCPROF_QA_RATE = "2/minute"
    for _ in range(2):
        assert post(alice_api, section.pk, question="What is WACC?").status_code == 200
    r = post(alice_api, section.pk, question="What is WACC?")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0


def test_a_question_is_answered_while_the_rate_limits_store_is_down(alice_api, section, monkeypatch):
    import redis

    from docprof import throttling

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise redis.ConnectionError("Error 111 connecting to localhost:6379")

            return fail

    monkeypatch.setattr(throttling, "get_redis", lambda: Down())
    r = post(alice_api, section.pk, question="What is WACC?")
    assert r.status_code == 200 and r.json()["answer"]


def test_anonymous_requests_are_refused(api_client, section):
    assert post(api_client, section.pk, question="What is WACC?").status_code in (401, 403)


def test_ask_command_prints_one_json_line(section, capsys):
    call_command("ask", str(section.pk), "What does WACC blend?", "--user", "alice", "--json")
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    data = json.loads(out[0])
    assert data["kind"] == "library" and data["sources"][0]["verified"]
    call_command("ask", str(section.pk), "why?", "--user", "alice", "--session", str(data["session_id"]))
    text = capsys.readouterr().out
    assert "understood as:" in text and f"session {data['session_id']}" in text


def test_ask_command_refuses_other_users_sections(alice, bob_section):
    with pytest.raises(CommandError, match="has no section"):
        call_command("ask", str(bob_section.pk), "What soil?", "--user", "alice")
