"""The lecture API contract: get-or-generate, deliveries, the cache, quiz, completion, progress."""

import pytest
from rest_framework.test import APIClient

from docprof.ai.errors import InvalidRequest
from docprof.ai.models import LLMCall
from lectures.models import Lecture, QuizAttempt, SectionDelivery
from lectures.tests.books import BAKING_MD
from lectures.tests.support import ScriptedLectureLLM, make_course
from library.tests.conftest import ingest
from workers import engine
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db

LECTURE_KEYS = set(
    "id version status script segments citations quiz word_count minutes style pace_wpm".split()
)
CITATION_KEYS = {
    "n",
    "chunk_id",
    "book_id",
    "book_title",
    "chapter",
    "page_start",
    "page_end",
    "quote",
    "verified",
}


def get_lecture(client, section):
    return client.get(f"/api/sections/{section.pk}/lecture")


def open_and_write(client, section):
    """202 and a real job; run it as a worker would; then 200 with the delivery."""
    first = get_lecture(client, section)
    assert first.status_code == 202, first.content
    body = first.json()
    assert {"job_id", "status_url", "lecture_id"} <= set(body)
    job = GenerationJob.objects.get(pk=body["job_id"])
    assert job.kind == "lecture" and job.target_id == body["lecture_id"]
    engine.run_inline(job.pk)
    second = get_lecture(client, section)
    assert second.status_code == 200, second.content
    return second.json()


def test_first_request_generates_then_delivers_with_the_contract_shape(alice, alice_api, book):
    _, section = make_course(alice, book)
    data = open_and_write(alice_api, section)
    assert data["was_cached"] is False
    lecture = data["lecture"]
    assert set(lecture) >= LECTURE_KEYS
    assert lecture["status"] == "ready" and lecture["version"] == 1
    assert all(set(c) >= CITATION_KEYS and c["verified"] for c in lecture["citations"])
    assert all({"objective", "text"} <= set(s) for s in lecture["segments"])
    for q in lecture["quiz"]:
        assert {"id", "objective", "question"} <= set(q)
        assert "answer" not in q and "explanation" not in q
    delivery = SectionDelivery.objects.get(pk=data["delivery_id"])
    assert delivery.user == alice and delivery.section == section and delivery.is_current
    assert delivery.lecture_script == lecture["script"] and delivery.lecture_id == lecture["id"]
    # Asking again returns the same delivery, no new job.
    again = get_lecture(alice_api, section).json()
    assert again["delivery_id"] == data["delivery_id"]
    assert GenerationJob.objects.filter(kind="lecture").count() == 1


def test_same_content_for_another_learner_is_served_from_the_cache(alice, bob, api_client, monkeypatch):
    llm = ScriptedLectureLLM()
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    shared = ingest(alice, "bread.md", BAKING_MD, shared=True)
    _, section = make_course(alice, shared)
    api_client.force_authenticate(alice)
    open_and_write(api_client, section)
    calls = LLMCall.objects.count()
    assert calls == len(llm.calls) == 4

    _, bob_section = make_course(bob, shared)
    api_client.force_authenticate(bob)
    response = get_lecture(api_client, bob_section)
    assert response.status_code == 200
    assert response.json()["was_cached"] is True
    assert LLMCall.objects.count() == calls and len(llm.calls) == 4
    assert GenerationJob.objects.filter(kind="lecture").count() == 1
    assert SectionDelivery.objects.filter(user=bob, section=bob_section, was_cached=True).count() == 1


def test_another_users_objects_are_not_found(alice, bob, alice_api, book):
    course, section = make_course(alice, book)
    lecture_id = open_and_write(alice_api, section)["lecture"]["id"]
    api_client = APIClient()
    api_client.force_authenticate(bob)
    assert get_lecture(api_client, section).status_code == 404
    assert api_client.get(f"/api/lectures/{lecture_id}").status_code == 404
    assert (
        api_client.post(f"/api/lectures/{lecture_id}/quiz", {"answers": {}}, format="json").status_code == 404
    )
    assert api_client.post(f"/api/sections/{section.pk}/complete", {}, format="json").status_code == 404
    assert api_client.get(f"/api/courses/{course.pk}/progress").status_code == 404
    assert alice_api.get(f"/api/lectures/{lecture_id}").status_code == 200


def test_quiz_grades_and_rejects_invalid_answers(alice, alice_api, book):
    _, section = make_course(alice, book)
    lecture = Lecture.objects.get(pk=open_and_write(alice_api, section)["lecture"]["id"])
    url = f"/api/lectures/{lecture.pk}/quiz"
    ids = [q["id"] for q in lecture.quiz]
    assert (
        alice_api.post(url, {"answers": {ids[0]: "x"}}, format="json").status_code == 400
    )  # missing answers
    assert alice_api.post(url, {"answers": {"nope": "x"}}, format="json").status_code == 400
    assert alice_api.post(url, {"answers": "all of them"}, format="json").status_code == 400
    mc = next((q for q in lecture.quiz if q.get("choices")), None)
    if mc:
        bad = {q["id"]: (q["choices"][0] if q.get("choices") else "x") for q in lecture.quiz}
        bad[mc["id"]] = "not a choice"
        assert alice_api.post(url, {"answers": bad}, format="json").status_code == 400
    assert QuizAttempt.objects.count() == 0

    right = {q["id"]: q["answer"] for q in lecture.quiz}
    right[ids[0]] = (
        "wrong answer"
        if not lecture.quiz[0].get("choices")
        else next(c for c in lecture.quiz[0]["choices"] if c != lecture.quiz[0]["answer"])
    )
    result = alice_api.post(url, {"answers": right}, format="json").json()
    assert result["total"] == len(ids) and result["correct"] == len(ids) - 1
    first = result["results"][0]
    assert first["correct"] is False and first["answer"] == lecture.quiz[0]["answer"]
    assert first["explanation"] and first["citation"]["verified"]
    attempt = QuizAttempt.objects.get()
    assert attempt.user == alice and float(attempt.score) == pytest.approx(
        (len(ids) - 1) / len(ids), abs=1e-3
    )


def test_completion_and_course_progress(alice, alice_api, book):
    course, section = make_course(alice, book)
    progress = alice_api.get(f"/api/courses/{course.pk}/progress").json()
    assert progress["sections_total"] == 1 and progress["sections_completed"] == 0
    assert progress["next_section"]["id"] == section.pk
    # Completing a section that was never opened is refused.
    assert alice_api.post(f"/api/sections/{section.pk}/complete", {}, format="json").status_code == 400
    open_and_write(alice_api, section)
    done = alice_api.post(
        f"/api/sections/{section.pk}/complete",
        {"duration_actual_minutes": 7, "notes": "clear"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["completed_at"]
    delivery = SectionDelivery.objects.get(user=alice, section=section)
    assert delivery.completed_at and delivery.duration_actual_minutes == 7 and delivery.user_notes == "clear"
    progress = alice_api.get(f"/api/courses/{course.pk}/progress").json()
    assert progress["sections_completed"] == 1 and progress["minutes_completed"] == section.estimated_minutes
    assert progress["next_section"] is None and progress["percent"] == 100


def test_generation_is_rate_limited_per_user(alice, alice_api, book, settings):
    settings.DOCPROF_LECTURE_RATE = "1/hour"
    course, section = make_course(alice, book)
    other = make_course(alice, book, objectives=["Describe oven spring", "Explain staling"])[1]
    assert get_lecture(alice_api, section).status_code == 202
    assert get_lecture(alice_api, section).status_code == 202  # joining the running one is not counted
    limited = get_lecture(alice_api, other)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert Lecture.objects.count() == 1


def test_failed_generation_stores_nothing_and_can_be_retried(alice, alice_api, book, monkeypatch):
    llm = ScriptedLectureLLM(fail_segments=True)
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    _, section = make_course(alice, book)
    body = get_lecture(alice_api, section).json()
    engine.run_inline(body["job_id"])
    job = GenerationJob.objects.get(pk=body["job_id"])
    assert job.status == "error" and job.error
    lecture = Lecture.objects.get(pk=body["lecture_id"])
    assert lecture.status == "failed" and lecture.error
    assert lecture.script == "" and lecture.citations == [] and lecture.quiz == []
    assert not SectionDelivery.objects.exists()
    shown = alice_api.get(f"/api/lectures/{lecture.pk}").json()
    assert shown["status"] == "failed" and shown["error"]
    # The API retries the same version (no second version) once the model works again.
    good = ScriptedLectureLLM()
    monkeypatch.setattr("lectures.writing.current_llm", lambda: good)
    monkeypatch.setattr(llm, "default", good.default)
    again = get_lecture(alice_api, section)
    assert again.status_code == 202 and again.json()["lecture_id"] == lecture.pk
    engine.run_inline(again.json()["job_id"])
    assert get_lecture(alice_api, section).status_code == 200
    assert Lecture.objects.count() == 1


def test_segments_are_visible_as_soon_as_they_are_checkpointed(alice, alice_api, book, monkeypatch):
    """The first objective's segment is checkpointed; the second objective's call fails. The API
    shows the written segment (numbered, cited, verified) although the lecture never finished."""
    good = ScriptedLectureLLM()

    def answer(system, messages, schema):
        if "Objective of this segment: Explain how gluten" in messages[-1]["content"]:
            return good.default(system, messages, schema)
        return InvalidRequest("this objective is refused")

    llm = ScriptedLectureLLM()
    llm.default = answer
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    _, section = make_course(alice, book)
    body = get_lecture(alice_api, section).json()
    engine.run_inline(body["job_id"])
    shown = alice_api.get(f"/api/lectures/{body['lecture_id']}").json()
    assert shown["status"] == "failed"
    assert [s["objective"] for s in shown["segments"]] == ["Explain how gluten forms from flour and water"]
    assert shown["citations"] and all(c["verified"] for c in shown["citations"])
    assert "[1]" in shown["segments"][0]["text"]
    assert Lecture.objects.get(pk=body["lecture_id"]).script == ""  # nothing half-stored on the version


def test_cached_read_path_returns_the_same_object_and_follows_curation(alice, alice_api, book):
    _, section = make_course(alice, book)
    first = open_and_write(alice_api, section)  # served by the full path (records the delivery)
    again = get_lecture(alice_api, section)  # served by the one-query path
    assert again.status_code == 200 and again["Content-Type"] == "application/json"
    assert again.json() == first
    Lecture.objects.filter(pk=first["lecture"]["id"]).update(upvotes=3, approval_status="approved")
    changed = get_lecture(alice_api, section).json()["lecture"]
    assert changed["upvotes"] == 3 and changed["approval_status"] == "approved"
