"""What the course pages show a person: every form error at once, a preview that follows any input,
and an elapsed time that makes sense for a failed run."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from courses.tests.conftest import request_course
from workers import jobs
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def test_the_form_shows_every_error_at_once(alice_client, library):
    response = alice_client.post(
        reverse("courses:new"),
        {
            "query": "",
            "hours": "abc",
            "depth": "bottomless",
            "presentation_style": "lecture",
            "pace_wpm": "5",
            "notes": "",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"query", "hours", "depth", "pace_wpm"}, errors
    html = response.content.decode()
    assert html.count('class="error field-error"') >= 4
    assert "may not be blank" not in html  # the form's own "required" is not repeated
    assert not Course.objects.exists()


def test_the_preview_follows_the_input_event(alice_client, library):
    html = alice_client.get(reverse("courses:new")).content.decode()
    query = html.split('name="query"', 1)[1].split(">", 1)[0]
    hours = html.split('name="hours"', 1)[1].split(">", 1)[0]
    assert 'hx-trigger="input changed delay:500ms, load"' in query  # typing, paste, autofill
    assert "keyup" not in query and 'hx-trigger="input changed' in hours


def _fail_at_once(course, job):
    jobs.fail(job.pk, "Your library has no material on “knitting”.")
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ERROR)


def test_a_run_that_failed_at_once_shows_no_elapsed_time(alice_client, alice, library):
    course, job = request_course(alice, "Learn knitting")
    jobs.start(job.pk)
    _fail_at_once(course, job)
    GenerationJob.objects.filter(pk=job.pk).update(finished_at=job.created_at)
    html = alice_client.get(reverse("courses:progress", args=[course.pk])).content.decode()
    assert "no material on" in html
    assert "elapsed" not in html and "0 s" not in html


def test_elapsed_time_reads_right_while_running_and_after(alice_client, alice, library):
    course, job = request_course(alice, "Learn discounting")
    started = timezone.now() - timedelta(seconds=75)
    GenerationJob.objects.filter(pk=job.pk).update(status="processing", started_at=started)
    html = alice_client.get(reverse("courses:progress", args=[course.pk])).content.decode()
    assert "1 min 1" in html and "elapsed" in html
    GenerationJob.objects.filter(pk=job.pk).update(
        status="error", error="Stopped.", finished_at=started + timedelta(seconds=3)
    )
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ERROR)
    html = alice_client.get(reverse("courses:progress", args=[course.pk])).content.decode()
    assert "stopped after 3 s" in html and "elapsed" not in html
