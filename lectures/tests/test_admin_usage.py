"""The curation desk in the admin (actions call services, mentors only, diff, no add) and spend and
savings (GET /api/admin/usage, the admin page, the course's cost for its owner)."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from docprof.ai.models import LLMCall
from lectures.models import Lecture, MentorReview
from lectures.tests.support import ScriptedLectureLLM, make_course
from lectures.tests.test_curation import regenerate
from lectures.tests.test_shared_courses import client_for, open_lecture
from lectures.usage import course_cost

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/lectures/lecture/"


def staff(name, mentor: bool):
    user = get_user_model().objects.create(username=name, is_staff=True)
    perms = Permission.objects.filter(content_type__app_label="lectures", codename__startswith="view_")
    user.user_permissions.add(*perms)
    if mentor:
        user.user_permissions.add(Permission.objects.get(codename="review_lecture"))
    client = Client()
    client.force_login(user)
    return user, client


def test_mentor_actions_call_services_and_record_reviews(alice, book):
    _, section = make_course(alice, book)
    lecture_id = open_lecture(client_for(alice), section)["lecture"]["id"]
    mentor, client = staff("mentor", mentor=True)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and b"Mark mentor verified" in page.content
    assert b"addlink" not in page.content  # no "add" for pipeline rows
    post = {
        "action": "mark_needs_improvement",
        "_selected_action": [lecture_id],
        "comments": "Add an example",
    }
    client.post(CHANGELIST, post)
    review = MentorReview.objects.get()
    assert (review.reviewer, review.verdict, review.comments) == (
        mentor,
        "needs_improvement",
        "Add an example",
    )
    client.post(
        CHANGELIST, {"action": "mark_mentor_verified", "_selected_action": [lecture_id], "comments": ""}
    )
    assert Lecture.objects.get(pk=lecture_id).approval_status == "mentor_verified"
    assert MentorReview.objects.count() == 2
    client.post(CHANGELIST, {"action": "regenerate", "_selected_action": [lecture_id], "comments": ""})
    assert Lecture.objects.filter(cache_key=Lecture.objects.get(pk=lecture_id).cache_key).count() == 2
    change = client.get(f"{CHANGELIST}{lecture_id}/change/")
    assert change.status_code == 200 and b'name="script"' not in change.content  # read-only text


def test_non_mentor_staff_cannot_review(alice, book):
    _, section = make_course(alice, book)
    lecture_id = open_lecture(client_for(alice), section)["lecture"]["id"]
    _user, client = staff("clerk", mentor=False)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and b"Mark mentor verified" not in page.content
    client.post(
        CHANGELIST, {"action": "mark_mentor_verified", "_selected_action": [lecture_id], "comments": ""}
    )
    assert MentorReview.objects.count() == 0
    assert Lecture.objects.get(pk=lecture_id).approval_status == "pending"


def test_diff_between_two_versions(alice, book):
    _, section = make_course(alice, book)
    open_lecture(client_for(alice), section)
    new_id = regenerate(client_for(alice), section)["lecture_id"]
    Lecture.objects.filter(pk=new_id).update(script="An entirely different opening line.\n\nMore text.")
    _user, client = staff("mentor", mentor=True)
    page = client.get(f"{CHANGELIST}{new_id}/diff/")
    assert page.status_code == 200
    assert b"version 1" in page.content and b"An&nbsp;entirely&nbsp;different" in page.content


def test_usage_counts_generations_hits_and_money(alice, bob, monkeypatch):
    from lectures.tests.books import BAKING_MD
    from library.tests.conftest import ingest

    llm = ScriptedLectureLLM()
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    shared = ingest(alice, "bread.md", BAKING_MD, shared=True)
    course, section = make_course(alice, shared)
    client_for(alice).post(f"/api/courses/{course.pk}/publish")
    open_lecture(client_for(alice), section)
    LLMCall.objects.update(cost_usd=Decimal("0.01"), input_tokens=100, output_tokens=50)
    calls = LLMCall.objects.count()
    client_for(bob).post(f"/api/courses/{course.pk}/enrol")
    assert open_lecture(client_for(bob), section)["was_cached"] is True

    assert client_for(bob).get("/api/admin/usage").status_code == 403
    admin = get_user_model().objects.create(username="boss", is_staff=True)
    report = client_for(admin).get("/api/admin/usage").json()
    today = report["per_day"][0]
    assert today["lectures_served"] == 2 and today["generations"] == 1 and today["cache_hit_rate"] == 0.5
    assert today["model_calls"] == calls and today["tokens"] == calls * 150
    assert today["spent_usd"] == pytest.approx(calls * 0.01)
    assert today["avoided_usd"] == pytest.approx(calls * 0.01)  # bob's delivery would have cost as much
    (row,) = report["per_course"]
    assert (row["course_id"], row["generations"], row["lectures_served"]) == (course.pk, 1, 2)
    assert row["avoided_usd"] == pytest.approx(calls * 0.01)
    assert client_for(admin).get("/api/admin/usage?days=x").status_code == 400
    assert course_cost(course)["spent_usd"] == pytest.approx(calls * 0.01)

    admin_client = Client()
    admin_client.force_login(
        get_user_model().objects.create(username="root", is_staff=True, is_superuser=True)
    )
    page = admin_client.get("/admin/lectures/lecture/usage/")
    assert (
        page.status_code == 200
        and b"Spend and savings" in page.content
        and course.title.encode() in page.content
    )
