import pytest
from django.urls import reverse

from courses.models import Course
from courses.tests.conftest import request_course, run_chain
from lectures.tests.books import BAKING_MD
from library.tests.conftest import ingest
from workers import jobs
from workers.models import GenerationJob
from workers.testing import run_steps

pytestmark = pytest.mark.django_db

QUERY = "Learn about discounting and terminal value"
FORM = {
    "query": QUERY,
    "hours": "1",
    "depth": "standard",
    "presentation_style": "lecture",
    "pace_wpm": "150",
    "notes": "",
}


def test_new_progress_detail_end_to_end(alice_client, library):
    page = alice_client.get(reverse("courses:new"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-trigger="input changed delay:500ms, load"' in html and reverse("courses:preview") in html

    response = alice_client.post(reverse("courses:new"), {**FORM, "depth": "deep", "pace_wpm": "140"})
    course = Course.objects.get()
    assert response.status_code == 302 and response.url == reverse("courses:progress", args=[course.pk])
    assert course.preferences["depth"] == "deep" and course.preferences["pace_wpm"] == 140

    progress = alice_client.get(response.url)
    assert progress.status_code == 200
    assert "Searching your library" in progress.content.decode()

    run_chain(course.job_id)
    fragment = alice_client.get(reverse("courses:progress_fragment", args=[course.pk]))
    html = fragment.content.decode()
    assert "hx-trigger" not in html and reverse("courses:detail", args=[course.pk]) in html
    assert html.count("✓") == 6
    # the poller is sent straight to the outline when the course is ready
    polled = alice_client.get(reverse("courses:progress_fragment", args=[course.pk]), HTTP_HX_REQUEST="true")
    assert polled.headers["HX-Redirect"] == reverse("courses:detail", args=[course.pk])

    detail = alice_client.get(reverse("courses:detail", args=[course.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    course.refresh_from_db()
    section = course.sections.filter(parent_section__isnull=False).first()
    assert section.title in html and f"{section.estimated_minutes} min" in html
    assert section.learning_objectives[0] in html
    source = section.sources[0]
    assert f"{source['book_title']} — {source['chapter']}" in html
    assert 'class="bar-chart"' in html and "Coverage" in html
    assert "1 hour</strong> requested" in html

    listing = alice_client.get(reverse("courses:list")).content.decode()
    assert (
        course.title in html and "100%" in listing and reverse("courses:detail", args=[course.pk]) in listing
    )


def test_progress_fragment_polls_while_running(alice_client, alice, library):
    course, job = request_course(alice, QUERY)
    html = alice_client.get(reverse("courses:progress_fragment", args=[course.pk])).content.decode()
    assert 'hx-trigger="poll"' in html
    assert reverse("courses:cancel", args=[course.pk]) in html
    course_runner_phases(job.pk, ["embed", "search"])
    html = alice_client.get(reverse("courses:progress_fragment", args=[course.pk])).content.decode()
    assert 'hx-trigger="poll"' in html and html.count("✓") == 2


def course_runner_phases(job_id, names):
    run_steps(job_id, names)


def test_error_shows_message_and_resume_continues(alice_client, alice, library):
    course, job = request_course(alice, QUERY)
    course_runner_phases(job.pk, ["embed", "search"])
    jobs.fail(job.pk, "The language model failed while planning the parts. Resume to try again.", "boom")
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ERROR)

    html = alice_client.get(reverse("courses:progress", args=[course.pk])).content.decode()
    assert "The language model failed while planning the parts" in html
    assert reverse("courses:resume", args=[course.pk]) in html and ">Resume<" in html
    assert 'hx-trigger="poll"' not in html

    response = alice_client.post(reverse("courses:resume", args=[course.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status in (GenerationJob.Status.QUEUED, GenerationJob.Status.PROCESSING)
    assert 'hx-trigger="poll"' in alice_client.get(response.url).content.decode()
    run_chain(job.pk)
    course.refresh_from_db()
    assert course.status == Course.Status.READY and course.sections.exists()


def test_cancel_while_running(alice_client, alice, library):
    course, job = request_course(alice, QUERY)
    response = alice_client.post(reverse("courses:cancel", args=[course.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    course.refresh_from_db()
    assert job.status == GenerationJob.Status.CANCELLED and course.status == Course.Status.CANCELLED
    html = alice_client.get(reverse("courses:progress", args=[course.pk])).content.decode()
    assert "cancelled" in html and 'hx-trigger="poll"' not in html


def test_delete(alice_client, alice, library):
    course, job = request_course(alice, QUERY)
    run_chain(job.pk)
    response = alice_client.post(reverse("courses:delete", args=[course.pk]))
    assert response.status_code == 302 and response.url == reverse("courses:list")
    assert not Course.objects.exists()


def test_actions_are_post_only(alice_client, alice, library):
    course, _ = request_course(alice, QUERY)
    for name in ("resume", "cancel", "delete"):
        assert alice_client.get(reverse(f"courses:{name}", args=[course.pk])).status_code == 405
    assert Course.objects.filter(pk=course.pk).exists()


def test_another_user_gets_404_everywhere(client, alice, bob, library):
    course, job = request_course(alice, QUERY)
    client.force_login(bob)
    for name in ("detail", "progress", "progress_fragment"):
        assert client.get(reverse(f"courses:{name}", args=[course.pk])).status_code == 404, name
    for name in ("resume", "cancel", "delete"):
        assert client.post(reverse(f"courses:{name}", args=[course.pk])).status_code == 404, name
    assert course.title not in client.get(reverse("courses:list")).content.decode()
    job.refresh_from_db()
    assert Course.objects.filter(pk=course.pk).exists() and not job.cancel_requested


def test_login_required(client, alice, library):
    course, _ = request_course(alice, QUERY)
    urls = [reverse("courses:list"), reverse("courses:new"), reverse("courses:preview")]
    urls += [reverse(f"courses:{n}", args=[course.pk]) for n in ("detail", "progress", "progress_fragment")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for name in ("resume", "cancel", "delete"):
        response = client.post(reverse(f"courses:{name}", args=[course.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"hours": "0"}, "hours", "at least"),
        ({"hours": "-3"}, "hours", "at least"),
        ({"hours": "abc"}, "hours", "number"),
        ({"hours": "NaN"}, "hours", "number"),
        ({"hours": "500"}, "hours", "at most"),
        ({"query": ""}, "query", "required"),
        ({"query": "   "}, "query", "required"),
        ({"depth": "bottomless"}, "depth", "valid choice"),
        ({"pace_wpm": "5"}, "pace_wpm", "60"),
    ],
)
def test_form_shows_field_errors_and_creates_nothing(alice_client, library, change, field, message):
    response = alice_client.post(reverse("courses:new"), {**FORM, **change})
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors and message in str(form.errors[field]).lower(), form.errors
    assert 'class="error field-error"' in response.content.decode()
    assert not Course.objects.exists() and not GenerationJob.objects.filter(kind="course").exists()


def test_empty_library_says_add_books(alice_client):
    html = alice_client.get(reverse("courses:new")).content.decode()
    assert "add books to your library" in html and reverse("library:index") in html
    response = alice_client.post(reverse("courses:new"), FORM)
    assert response.status_code == 400 and "no readable books" in response.content.decode()
    assert not Course.objects.exists()


def test_preview_lists_relevant_books(alice_client, library):
    response = alice_client.get(
        reverse("courses:preview"), {"query": "free cash flow and discount rate", "hours": "2"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert library[0].title in html
    assert "Planning estimate" not in html  # offline: no cost to show


def test_preview_plans_with_the_forms_depth_and_pace(alice_client, alice):
    # A small book: too little for a ten-minute section at the default depth and pace, enough at
    # depth "deep" and 60 words a minute -- the preview must say what the planner will do.
    book = ingest(alice, "bread.md", BAKING_MD)
    query = {"query": "Bread: gluten, hydration, fermentation and proofing", "hours": "0.5"}
    default = alice_client.get(reverse("courses:preview"), query).content.decode()
    slow = alice_client.get(
        reverse("courses:preview"), {**query, "depth": "deep", "pace_wpm": "60"}
    ).content.decode()
    # ... and says why: too little for a section at this pace, not "no material" (the book is on it).
    assert "too little on" in default and "minutes of material" in default and "no material" not in default
    assert book.title in slow and "no material on" not in slow and "too little" not in slow
    form = alice_client.get(reverse("courses:new")).content.decode()
    assert form.count("#id_depth, #id_pace_wpm, #id_widen") == 5  # every field refreshes the preview


def test_preview_says_when_nothing_matches(alice_client, library):
    html = alice_client.get(reverse("courses:preview"), {"query": "quantum chromodynamics"}).content.decode()
    assert "no material on" in html


def test_preview_shows_cost_with_a_paid_provider(alice_client, library, monkeypatch, settings):
    settings.DOCPROF_LLM = "bedrock"
    settings.DOCPROF_BEDROCK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
    monkeypatch.setattr("docprof.ai.factory.get_llm", lambda: object())
    html = alice_client.get(
        reverse("courses:preview"), {"query": "discount rate", "hours": "2"}
    ).content.decode()
    assert "Planning estimate" in html and "anthropic.claude-3-5-haiku" in html and "$" in html
