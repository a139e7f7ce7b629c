"""Published courses: publish/unpublish, private books refused, unsharing unpublishes, browse, enrol,
enrolled learners' own deliveries through the cache, and access rules."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from courses import sharing
from courses.models import Enrolment
from docprof.ai.models import LLMCall
from lectures.models import QuizAttempt, SectionDelivery
from lectures.tests.books import BAKING_MD
from lectures.tests.support import ScriptedLectureLLM, make_course
from library.tests.books import GARDENING_TXT
from library.tests.conftest import ingest
from workers import engine
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def shared_book(alice):
    return ingest(alice, "bread.md", BAKING_MD, shared=True)


@pytest.fixture
def published(alice, shared_book):
    course, section = make_course(alice, shared_book)
    response = client_for(alice).post(f"/api/courses/{course.pk}/publish")
    assert response.status_code == 200 and response.json()["published"] is True, response.content
    return course, section


def open_lecture(client, section):
    response = client.get(f"/api/sections/{section.pk}/lecture")
    if response.status_code == 202:
        engine.run_inline(response.json()["job_id"])
        response = client.get(f"/api/sections/{section.pk}/lecture")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_course_on_a_private_book_cannot_be_published(alice, book):
    course, _ = make_course(alice, book)
    response = client_for(alice).post(f"/api/courses/{course.pk}/publish")
    assert response.status_code == 400
    body = response.json()
    assert book.title in body["detail"] and body["books"] == [{"id": book.pk, "title": book.title}]
    course.refresh_from_db()
    assert course.published is False


def test_only_the_owner_publishes_and_browse_lists_published_courses(alice, bob, shared_book):
    course, _ = make_course(alice, shared_book)
    assert client_for(bob).post(f"/api/courses/{course.pk}/publish").status_code == 404
    assert client_for(bob).get("/api/courses?published=1").json() == []
    client_for(alice).post(f"/api/courses/{course.pk}/publish")
    listed = client_for(bob).get("/api/courses?published=1").json()
    assert [c["id"] for c in listed] == [course.pk] and listed[0]["enrolled"] is False
    assert "sections" not in listed[0]  # the outline is for learners
    assert client_for(bob).get(f"/api/courses/{course.pk}").status_code == 404
    assert client_for(bob).get("/api/courses?published=maybe").status_code == 400


def test_enrolled_learners_hit_the_cache_with_their_own_deliveries(alice, bob, published, monkeypatch):
    llm = ScriptedLectureLLM()
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    course, section = published
    first = open_lecture(client_for(alice), section)
    assert first["was_cached"] is False
    calls, jobs = LLMCall.objects.count(), GenerationJob.objects.filter(kind="lecture").count()
    assert calls > 0 and jobs == 1

    # bob cannot see the sections before enrolling
    assert client_for(bob).get(f"/api/sections/{section.pk}/lecture").status_code == 404
    enrolled = client_for(bob).post(f"/api/courses/{course.pk}/enrol")
    assert enrolled.status_code == 201 and enrolled.json()["created"] is True
    assert client_for(bob).post(f"/api/courses/{course.pk}/enrol").status_code == 200  # idempotent
    assert Enrolment.objects.filter(course=course, user=bob).count() == 1

    second = open_lecture(client_for(bob), section)
    assert second["was_cached"] is True and second["lecture"]["id"] == first["lecture"]["id"]
    assert LLMCall.objects.count() == calls and len(llm.calls) == calls  # no model call
    assert GenerationJob.objects.filter(kind="lecture").count() == 1
    assert SectionDelivery.objects.filter(user=bob, section=section, was_cached=True).count() == 1
    assert client_for(bob).get(f"/api/courses/{course.pk}").status_code == 200  # the outline

    # bob's completion and notes are his; alice's stay hers
    client_for(alice).post(f"/api/sections/{section.pk}/complete", {"notes": "alice's secret"}, format="json")
    done = client_for(bob).post(f"/api/sections/{section.pk}/complete", {"notes": "bob's"}, format="json")
    assert done.json()["notes"] == "bob's"
    alice_progress = client_for(alice).get(f"/api/courses/{course.pk}/progress").json()
    bob_progress = client_for(bob).get(f"/api/courses/{course.pk}/progress").json()
    assert alice_progress["sections_completed"] == bob_progress["sections_completed"] == 1
    assert "alice's secret" not in str(client_for(bob).get(f"/api/sections/{section.pk}/lecture").content)
    quiz = {q["id"]: (q.get("choices") or ["x"])[0] for q in second["lecture"]["quiz"]}
    graded = client_for(bob).post(
        f"/api/lectures/{second['lecture']['id']}/quiz", {"answers": quiz}, format="json"
    )
    assert graded.status_code == 200
    assert (
        QuizAttempt.objects.filter(user=bob).count() == 1
        and QuizAttempt.objects.filter(user=alice).count() == 0
    )


def test_a_lecture_the_owner_read_before_publishing_is_the_one_learners_get(alice, bob, shared_book):
    # alice's library holds a book the course does not draw on; her lecture, written before she
    # published, must not depend on it, or learners would resolve to another key and pay again.
    ingest(alice, "tomatoes.txt", GARDENING_TXT, shared=True)
    course, section = make_course(alice, shared_book)
    first = open_lecture(client_for(alice), section)
    assert client_for(alice).post(f"/api/courses/{course.pk}/publish").status_code == 200
    assert client_for(bob).post(f"/api/courses/{course.pk}/enrol").status_code == 201
    second = client_for(bob).get(f"/api/sections/{section.pk}/lecture")
    assert second.status_code == 200, second.content
    assert second.json()["was_cached"] is True and second.json()["lecture"]["id"] == first["lecture"]["id"]
    assert GenerationJob.objects.filter(kind="lecture").count() == 1


def test_a_learner_reads_the_course_page_as_someone_elses_course(alice, bob, published, client):
    course, _ = published
    client_for(bob).post(f"/api/courses/{course.pk}/enrol")
    client.force_login(bob)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "alice asked:" in page and "You asked" not in page
    assert "Your library" not in page and "your library" not in page  # it is alice's library
    client.force_login(alice)
    assert "You asked:" in client.get(f"/courses/{course.pk}/").content.decode()


def test_unpublishing_stops_new_enrolments_but_keeps_learners(alice, bob, published):
    course, section = published
    carol = get_user_model().objects.create(username="carol")
    client_for(bob).post(f"/api/courses/{course.pk}/enrol")
    open_lecture(client_for(bob), section)
    assert client_for(alice).post(f"/api/courses/{course.pk}/unpublish").json()["published"] is False
    assert client_for(carol).post(f"/api/courses/{course.pk}/enrol").status_code == 404
    assert client_for(carol).get("/api/courses?published=1").json() == []
    assert client_for(bob).get(f"/api/sections/{section.pk}/lecture").status_code == 200
    assert [c["id"] for c in client_for(bob).get("/api/courses").json()] == [course.pk]


def test_unsharing_a_book_unpublishes_the_courses_that_use_it(alice, published, shared_book):
    course, _ = published
    tomatoes = ingest(alice, "tomatoes.txt", GARDENING_TXT, shared=True)
    other, _ = make_course(alice, tomatoes, title="Other")
    sharing.publish(other)
    change = sharing.set_book_shared(shared_book, False)
    course.refresh_from_db()
    assert course.published is False and [c.pk for c in change.unpublished] == [course.pk]
    assert shared_book.title in change.warning and str(course) in change.warning
    assert client_for(alice).post(f"/api/courses/{course.pk}/publish").status_code == 400
    other.refresh_from_db()
    assert other.published is True  # a course on another book stays published


def test_owner_cannot_enrol_in_own_course(alice, published):
    course, _ = published
    assert client_for(alice).post(f"/api/courses/{course.pk}/enrol").status_code == 404


def test_course_pages_publish_browse_enrol(alice, bob, shared_book, client):
    course, section = make_course(alice, shared_book)
    book = ingest(alice, "tomatoes.txt", GARDENING_TXT)
    private, _ = make_course(alice, book, title="Private one")
    client.force_login(alice)
    page = client.get(f"/courses/{course.pk}/")
    assert b"Publish" in page.content and b"What this course has cost" in page.content
    refused = client.post(f"/courses/{private.pk}/publish/", follow=True)
    assert book.title.encode() in refused.content and b"private book" in refused.content
    client.post(f"/courses/{course.pk}/publish/")
    client.force_login(bob)
    assert client.get(f"/courses/{course.pk}/").status_code == 404
    assert client.get(f"/sections/{section.pk}/").status_code == 404
    browse = client.get("/courses/browse/")
    assert course.title.encode() in browse.content and b"Enrol" in browse.content
    assert private.title.encode() not in browse.content
    client.post(f"/courses/{course.pk}/enrol/")
    detail = client.get(f"/courses/{course.pk}/")
    assert detail.status_code == 200 and b"Delete course" not in detail.content
    assert b"What this course has cost" not in detail.content  # the owner's view only
    assert course.title.encode() in client.get("/courses/").content
    assert client.post(f"/courses/{course.pk}/publish/").status_code == 404


def test_a_learners_first_cached_get_is_two_statements(alice, bob, published, django_assert_max_num_queries):
    """The first GET of a lecture that exists (bench/lectures.py --parts shared): the section with
    the learner's delivery (none yet) and library, and one statement that picks the served version
    and records the delivery. Inside a test's transaction the delivery's statement gets a savepoint."""
    course, section = published
    url = f"/api/sections/{section.pk}/lecture"
    open_lecture(client_for(alice), section)
    client_for(alice).get(url)  # the version's JSON is built once per process
    client_for(bob).post(f"/api/courses/{course.pk}/enrol")
    bob_client = client_for(bob)
    with django_assert_max_num_queries(4) as captured:
        response = bob_client.get(url)
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 2, statements
    body = response.json()
    assert response.status_code == 200 and body["was_cached"] is True
    delivery = SectionDelivery.objects.get(pk=body["delivery_id"])
    lecture = delivery.lecture
    assert delivery.user == bob and delivery.is_current and delivery.was_cached
    assert delivery.lecture_script == lecture.script and body["lecture"]["id"] == lecture.pk
    assert delivery.style_snapshot == {
        "style": lecture.style,
        "depth": lecture.depth,
        "pace_wpm": lecture.pace_wpm,
    }
    with django_assert_max_num_queries(1):  # coming back: one query
        again = bob_client.get(url)
    assert again.json()["delivery_id"] == delivery.pk
