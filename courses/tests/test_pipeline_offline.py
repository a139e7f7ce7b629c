import pytest

from courses.models import Course, CourseSection
from courses.selectors import outline
from courses.tests.conftest import request_course, run_chain
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db


def test_offline_course_from_the_library(alice, library, django_capture_on_commit_callbacks):
    course, job = request_course(alice, "Learn DCF valuation: discounting and terminal value", "1.5")
    run_chain(job.pk)
    job.refresh_from_db()
    course.refresh_from_db()
    assert job.status == GenerationJob.Status.COMPLETE, job.error
    assert course.status == Course.Status.READY
    total = sum(
        s.estimated_minutes for s in CourseSection.objects.filter(course=course, parent_section__isnull=False)
    )
    assert abs(total - 90) <= 0.05 * 90
    parts = outline(course)
    assert len(parts) == 1
    for item in parts:
        for section in item["sections"]:
            assert 10 <= section.estimated_minutes <= 90
            assert 2 <= len(section.learning_objectives) <= 6
            assert section.sources and section.source_chunk_ids
            assert all(s["book_title"] == "A Short Book on Valuation" for s in section.sources)
    assert course.coverage["parts"][0]["books"] == ["A Short Book on Valuation"]


def test_course_on_a_topic_the_library_lacks_ends_with_a_clear_message(alice, library):
    course, job = request_course(alice, "Learn quantum chromodynamics", "2")
    run_chain(job.pk)
    job.refresh_from_db()
    course.refresh_from_db()
    assert job.status == GenerationJob.Status.ERROR
    assert "no material on" in job.error and "quantum chromodynamics" in job.error
    assert course.status == Course.Status.ERROR
    assert not CourseSection.objects.filter(course=course).exists()


@pytest.mark.django_db(transaction=True)  # parts are expanded in threads with their own connections
def test_rerunning_phases_changes_nothing(alice, library):
    course, job = request_course(alice, "Learn about watering and soil for tomatoes", "3")
    run_chain(job.pk)
    before = list(CourseSection.objects.filter(course=course).values_list("id", "title", "estimated_minutes"))
    # a re-delivered chain: every phase is checkpointed, nothing is written twice
    GenerationJob.objects.filter(pk=job.pk).update(status="processing")
    run_chain(job.pk)
    after = list(CourseSection.objects.filter(course=course).values_list("id", "title", "estimated_minutes"))
    assert before == after
    parts = outline(course)
    assert 2 <= len(parts) <= 3
    assert sum(s.estimated_minutes for p in parts for s in p["sections"]) == 180
