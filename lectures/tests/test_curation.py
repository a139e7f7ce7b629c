"""Versions, votes, thresholds, mentor reviews and the served-version rule."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command

from lectures import curation, selectors
from lectures.models import Lecture, LectureVote, MentorReview, SectionDelivery
from lectures.tests.support import make_course
from lectures.tests.test_shared_courses import client_for, open_lecture
from workers import engine

pytestmark = pytest.mark.django_db


def mentor():
    user = get_user_model().objects.create(username="mentor")
    user.user_permissions.add(Permission.objects.get(codename="review_lecture"))
    return get_user_model().objects.get(pk=user.pk)  # permissions are cached per instance


def regenerate(client, section) -> dict:
    response = client.post(f"/api/sections/{section.pk}/lecture/regenerate")
    assert response.status_code == 202, response.content
    engine.run_inline(response.json()["job_id"])
    return response.json()


def test_regenerate_writes_a_new_version_of_the_same_key(alice, book):
    _, section = make_course(alice, book)
    first = open_lecture(client_for(alice), section)["lecture"]
    assert (first["version"], first["versions"], first["approval_status"]) == (1, 1, "pending")
    assert {"upvotes", "downvotes", "stale"} <= set(first)
    body = regenerate(client_for(alice), section)
    new = Lecture.objects.get(pk=body["lecture_id"])
    assert new.version == 2 and new.status == "ready"
    assert new.cache_key == Lecture.objects.get(pk=first["id"]).cache_key
    # alice keeps her snapshot; the page/API offer the better (newer, equal-ranked) version
    again = client_for(alice).get(f"/api/sections/{section.pk}/lecture").json()
    assert again["lecture"]["id"] == first["id"] and again["lecture"]["versions"] == 2
    delivery = SectionDelivery.objects.get(user=alice, section=section, is_current=True)
    assert selectors.better_version(delivery).pk == new.pk
    switched = client_for(alice).post(f"/api/sections/{section.pk}/lecture/switch")
    assert switched.status_code == 200 and switched.json()["lecture"]["id"] == new.pk
    assert client_for(alice).post(f"/api/sections/{section.pk}/lecture/switch").status_code == 409


def test_regenerate_is_rate_limited_with_retry_after(alice, book, settings):
    settings.DOCPROF_REGENERATE_RATE = "1/hour"
    _, section = make_course(alice, book)
    open_lecture(client_for(alice), section)
    regenerate(client_for(alice), section)
    refused = client_for(alice).post(f"/api/sections/{section.pk}/lecture/regenerate")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_regenerate_from_the_command_line(alice, book, capsys):
    _, section = make_course(alice, book)
    open_lecture(client_for(alice), section)
    call_command("lecture", section.pk, user="alice", regenerate=True, inline=True, json=True)
    out = capsys.readouterr().out
    assert '"version":2' in out
    assert Lecture.objects.filter(status="ready").count() == 2


def test_votes_one_per_user_changeable_only_with_a_delivery(alice, bob, book, settings):
    settings.DOCPROF_APPROVE_MIN_NET = 1
    settings.DOCPROF_APPROVE_MIN_RATIO = 0.6
    settings.DOCPROF_REJECT_NET_AT_OR_BELOW = -1
    _, section = make_course(alice, book)
    lecture_id = open_lecture(client_for(alice), section)["lecture"]["id"]
    url = f"/api/lectures/{lecture_id}/vote"
    assert client_for(bob).post(url, {"value": 1}, format="json").status_code == 404  # no delivery
    for bad in (0, 2, "1", True, None):
        assert client_for(alice).post(url, {"value": bad}, format="json").status_code == 400
    up = client_for(alice).post(url, {"value": 1}, format="json").json()
    assert (up["upvotes"], up["downvotes"], up["approval_status"]) == (1, 0, "approved")
    down = client_for(alice).post(url, {"value": -1}, format="json").json()  # changed, not added
    assert (down["upvotes"], down["downvotes"], down["approval_status"]) == (0, 1, "rejected")
    assert LectureVote.objects.filter(lecture_id=lecture_id).count() == 1


def test_thresholds_need_both_net_votes_and_ratio(alice, book, settings):
    settings.DOCPROF_APPROVE_MIN_NET = 2
    settings.DOCPROF_APPROVE_MIN_RATIO = 0.75
    _, section = make_course(alice, book)
    lecture = Lecture.objects.get(pk=open_lecture(client_for(alice), section)["lecture"]["id"])
    users = [get_user_model().objects.create(username=f"u{i}") for i in range(6)]
    for u in users:
        SectionDelivery.objects.create(section=section, user=u, lecture=lecture, is_current=False)
    for u in users[:4]:
        curation.vote(lecture, u, 1)
    curation.vote(lecture, users[4], -1)
    lecture.refresh_from_db()
    assert lecture.approval_status == "approved"  # net 3, ratio 0.8
    lecture.approval_status = "pending"
    Lecture.objects.filter(pk=lecture.pk).update(approval_status="pending")
    curation.vote(lecture, users[5], -1)  # net 2, ratio 0.67: not approved
    lecture.refresh_from_db()
    assert lecture.approval_status == "pending"


def test_mentor_reviews_are_recorded_and_non_mentors_refused(alice, bob, book):
    _, section = make_course(alice, book)
    lecture_id = open_lecture(client_for(alice), section)["lecture"]["id"]
    url = f"/api/lectures/{lecture_id}/review"
    assert client_for(alice).post(url, {"verdict": "mentor_verified"}, format="json").status_code == 403
    assert client_for(bob).post(url, {"verdict": "mentor_verified"}, format="json").status_code == 404
    m = mentor()
    assert client_for(m).post(url, {"verdict": "needs_improvement"}, format="json").status_code == 400
    assert client_for(m).post(url, {"verdict": "great"}, format="json").status_code == 400
    ok = client_for(m).post(url, {"verdict": "needs_improvement", "comments": "Too short"}, format="json")
    assert ok.status_code == 201
    review = MentorReview.objects.get()
    assert (review.reviewer, review.verdict, review.comments) == (m, "needs_improvement", "Too short")
    assert Lecture.objects.get(pk=lecture_id).approval_status == "needs_improvement"


def test_served_version_rule(alice, bob, book):
    _, section = make_course(alice, book)
    v1 = Lecture.objects.get(pk=open_lecture(client_for(alice), section)["lecture"]["id"])
    v2 = Lecture.objects.get(pk=regenerate(client_for(alice), section)["lecture_id"])
    v3 = Lecture.objects.get(pk=regenerate(client_for(alice), section)["lecture_id"])
    key = v1.cache_key
    assert selectors.servable_version(key) == v3  # all pending, no votes: newest
    Lecture.objects.filter(pk=v1.pk).update(upvotes=2)
    assert selectors.servable_version(key) == v1  # then score
    Lecture.objects.filter(pk=v2.pk).update(approval_status="approved")
    assert selectors.servable_version(key) == v2  # status first
    Lecture.objects.filter(pk=v3.pk).update(approval_status="mentor_verified")
    assert selectors.servable_version(key) == v3
    Lecture.objects.filter(pk=v3.pk).update(approval_status="needs_improvement")
    Lecture.objects.filter(pk=v2.pk).update(approval_status="rejected")
    assert selectors.servable_version(key) == v1  # never rejected / needs improvement
    # an existing delivery keeps its snapshot even when its version is rejected
    delivery = SectionDelivery.objects.get(user=alice, section=section, is_current=True)
    Lecture.objects.filter(pk=delivery.lecture_id).update(approval_status="rejected")
    assert (
        client_for(alice).get(f"/api/sections/{section.pk}/lecture").json()["lecture"]["id"]
        == delivery.lecture_id
    )
