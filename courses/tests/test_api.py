import pytest
from django.urls import reverse

from courses.models import Course
from courses.tests.conftest import run_chain
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def post_course(client, **body):
    payload = {"query": "Learn about discounting and terminal value", "hours": 1, **body}
    return client.post(reverse("api-courses"), payload, format="json")


def test_request_returns_202_at_once_and_the_course_exists(alice_api, library):
    response = post_course(alice_api, preferences={"depth": "overview", "pace_wpm": 140})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "processing" and body["status_url"].endswith(
        f"/api/courses/{body['course_id']}/status"
    )
    course = Course.objects.get(pk=body["course_id"])
    assert course.status == "generating" and course.preferences["depth"] == "overview"
    status = alice_api.get(reverse("api-course-status", args=[course.pk])).json()
    assert status["status"] == "processing" and [p["name"] for p in status["phases"]] == [
        "embed",
        "search",
        "parts",
        "expand",
        "review",
        "store",
    ]
    run_chain(body["job_id"])
    status = alice_api.get(body["status_url"]).json()
    assert status["status"] == "complete", status
    assert status["progress"]["percent"] == 100
    assert all(p["state"] == "done" for p in status["phases"]) and status["course_id"] == course.pk
    assert alice_api.get(reverse("api-job", args=[body["job_id"]])).json()["status"] == "complete"
    outline = alice_api.get(reverse("api-course", args=[course.pk])).json()
    assert outline["requested_hours"] == 1.0 and outline["parts"]
    section = outline["parts"][0]["sections"][0]
    assert {"id", "title", "minutes", "learning_objectives", "sources", "status"} <= set(section)
    assert {"book_id", "book_title", "chapter", "page_start", "page_end"} <= set(section["sources"][0])
    assert "coverage" in outline
    listing = alice_api.get(reverse("api-courses")).json()
    assert listing[0]["id"] == course.pk and listing[0]["progress"]["percent"] == 100


BAD = [
    ({"hours": 0}, "hours"),
    ({"hours": -2}, "hours"),
    ({"hours": 201}, "hours"),
    ({"hours": "two"}, "hours"),
    ({"hours": "NaN"}, "hours"),
    ({"hours": 0.1}, "hours"),
    ({"query": ""}, "query"),
    ({"query": "    "}, "query"),
    ({"query": "x" * 2001}, "query"),
    ({"preferences": {"depth": "bottomless"}}, "preferences"),
    ({"preferences": {"presentation_style": "interpretive dance"}}, "preferences"),
    ({"preferences": {"colour": "blue"}}, "preferences"),
    ({"preferences": {"pace_wpm": 5}}, "preferences"),
]


@pytest.mark.parametrize(
    ("body", "field"), BAD, ids=[f"{k}={str(v)[:20]}" for b, _ in BAD for k, v in b.items()]
)
def test_bad_requests_are_400_with_field_errors_and_create_nothing(alice_api, library, body, field):
    response = post_course(alice_api, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Course.objects.exists() and not GenerationJob.objects.filter(kind="course").exists()


def test_empty_library_is_refused(alice_api):
    response = post_course(alice_api)
    assert response.status_code == 400 and "no readable books" in str(response.json())
    assert not Course.objects.exists()


def test_course_requests_are_rate_limited(alice_api, library, settings, embedded_redis):
    settings.DOCPROF_COURSE_RATE_PER_HOUR = 2
    for key in embedded_redis.keys("docprof:course-rate:*"):
        embedded_redis.delete(key)
    assert post_course(alice_api).status_code == 202
    assert post_course(alice_api).status_code == 202
    response = post_course(alice_api)
    assert response.status_code == 429
    assert Course.objects.count() == 2


def test_another_users_course_and_job_are_404(api_client, alice_api, bob, library):
    body = post_course(alice_api).json()
    api_client.force_authenticate(bob)
    for name in ("api-course", "api-course-status"):
        assert api_client.get(reverse(name, args=[body["course_id"]])).status_code == 404
    assert api_client.delete(reverse("api-course", args=[body["course_id"]])).status_code == 404
    assert api_client.post(reverse("api-course-resume", args=[body["course_id"]])).status_code == 404
    assert api_client.post(reverse("api-course-cancel", args=[body["course_id"]])).status_code == 404
    assert api_client.get(reverse("api-job", args=[body["job_id"]])).status_code == 404
    assert api_client.get(reverse("api-courses")).json() == []
    assert Course.objects.filter(pk=body["course_id"]).exists()


def test_cancel_then_resume_completes(alice_api, library):
    body = post_course(alice_api).json()
    response = alice_api.post(reverse("api-course-cancel", args=[body["course_id"]]))
    assert response.status_code == 202 and response.json()["status"] == "cancelled"
    run_chain(body["job_id"])  # a chain that was already queued finds the job cancelled and stops
    assert Course.objects.get(pk=body["course_id"]).status == "cancelled"
    response = alice_api.post(reverse("api-course-resume", args=[body["course_id"]]))
    assert response.status_code == 202, response.content
    run_chain(body["job_id"])
    assert Course.objects.get(pk=body["course_id"]).status == "ready"
    assert alice_api.post(reverse("api-course-resume", args=[body["course_id"]])).status_code == 409


def test_delete_course(alice_api, library):
    body = post_course(alice_api).json()
    assert alice_api.delete(reverse("api-course", args=[body["course_id"]])).status_code == 204
    assert not Course.objects.exists()
