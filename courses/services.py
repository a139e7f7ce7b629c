"""Writes for courses: request one (validated, rate-limited), resume, cancel, delete."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from courses.models import Course
from library.selectors import ready_book_ids
from workers import jobs
from workers.models import GenerationJob

STYLES = [c.value for c in Course.Style]
DEPTHS = [c.value for c in Course.Depth]


class CourseRequestError(Exception):
    def __init__(self, errors: dict, status_code: int = 400):
        super().__init__(str(errors))
        self.errors = errors
        self.status_code = status_code


@dataclass
class CourseRequest:
    query: str
    hours: Decimal
    preferences: dict


def check_rate(user) -> None:
    """At most DOCPROF_COURSE_RATE_PER_HOUR course requests per user per clock hour (shared Redis)."""
    from docprof.redis_client import get_redis

    limit = settings.DOCPROF_COURSE_RATE_PER_HOUR
    key = f"docprof:course-rate:{user.pk}:{int(time.time() // 3600)}"
    client = get_redis()
    count = client.incr(key)
    if count == 1:
        client.expire(key, 3700)
    if count > limit:
        raise CourseRequestError(
            {"detail": f"You can request {limit} courses per hour; try again later."}, status_code=429
        )


def create_course(owner, request: CourseRequest) -> tuple[Course, GenerationJob]:
    """Create the course row (status generating) and its job; the six phases start after commit."""
    from workers.course_runner import course_chain

    if not ready_book_ids(owner):
        raise CourseRequestError({"query": ["Your library has no readable books yet; add a book first."]})
    check_rate(owner)
    with transaction.atomic():
        course = Course.objects.create(
            owner=owner,
            original_query=request.query,
            requested_hours=request.hours,
            preferences=request.preferences,
            title=request.query[:300],
        )
        job = jobs.create_job(
            owner, GenerationJob.Kind.COURSE, course.pk, total=6, message="Waiting for a worker"
        )
        GenerationJob.objects.filter(pk=job.pk).update(attempts=1)
        course.job = job
        course.save(update_fields=["job"])
        jobs.enqueue_chain_on_commit(job, course_chain(job))
    return course, job


def resume_course(course: Course) -> GenerationJob:
    """Continue a failed or cancelled course from its last completed phase."""
    from workers.watchdog import redrive

    job = course.job
    if job is None or job.status not in (GenerationJob.Status.ERROR, GenerationJob.Status.CANCELLED):
        raise CourseRequestError(
            {"detail": "Only a course that failed or was cancelled can be resumed."}, 409
        )
    Course.objects.filter(pk=course.pk).update(status=Course.Status.GENERATING)
    redrive(job, "Resuming")
    job.refresh_from_db()
    return job


def cancel_course(course: Course) -> None:
    if course.job_id:
        jobs.cancel(course.job_id)
    Course.objects.filter(pk=course.pk, status=Course.Status.GENERATING).update(
        status=Course.Status.CANCELLED
    )


def delete_course(course: Course) -> None:
    if course.job_id:
        jobs.cancel(course.job_id)
    course.delete()
