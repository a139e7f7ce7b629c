import pytest
from django.urls import reverse

from courses.models import Course, CourseSection
from courses.tests.conftest import request_course, run_chain
from workers import jobs
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db

QUERY = "Learn about discounting and terminal value"


@pytest.fixture
def course(alice, library):
    course, job = request_course(alice, QUERY)
    run_chain(job.pk)
    course.refresh_from_db()
    return course


def test_changelists_and_change_pages(admin_client, course):
    listing = admin_client.get(reverse("admin:courses_course_changelist"))
    assert listing.status_code == 200 and course.title in listing.content.decode()
    assert admin_client.get(reverse("admin:courses_course_changelist"), {"q": "alice"}).status_code == 200
    assert (
        admin_client.get(reverse("admin:courses_course_changelist"), {"status__exact": "ready"}).status_code
        == 200
    )
    change = admin_client.get(reverse("admin:courses_course_change", args=[course.pk]))
    assert change.status_code == 200
    section = CourseSection.objects.filter(course=course).first()
    assert section.title in change.content.decode()
    assert admin_client.get(reverse("admin:courses_coursesection_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:courses_coursesection_change", args=[section.pk])).status_code == 200
    )


def test_no_add(admin_client, course):
    assert admin_client.get(reverse("admin:courses_course_add")).status_code == 403
    assert admin_client.get(reverse("admin:courses_coursesection_add")).status_code == 403


def test_actions_call_the_services(admin_client, alice, library):
    running, running_job = request_course(alice, QUERY)
    failed, failed_job = request_course(alice, QUERY)
    jobs.fail(failed_job.pk, "The model failed.", "boom")
    Course.objects.filter(pk=failed.pk).update(status=Course.Status.ERROR)
    url = reverse("admin:courses_course_changelist")

    admin_client.post(url, {"action": "cancel_generation", "_selected_action": [running.pk]})
    running_job.refresh_from_db()
    assert running_job.status == GenerationJob.Status.CANCELLED

    admin_client.post(url, {"action": "resume_generation", "_selected_action": [failed.pk]})
    failed_job.refresh_from_db()
    failed.refresh_from_db()
    assert failed_job.status == GenerationJob.Status.QUEUED and failed.status == Course.Status.GENERATING
