"""The course kind as a target of fault runs (workers/tests/support/faults.py): submit a course,
find duplicated parts or sections, and answer the model planner's requests on the fake model server."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db.models import Count

from courses import schemas
from courses.models import Course, CourseSection
from courses.services import CourseRequest, create_course
from courses.tests.support.scripted import scripted_model_answer
from workers.models import GenerationJob
from workers.tests.support.faults import Target


def model_answer(schema_name, system, messages):
    """What the fake OpenAI-compatible server answers the model planner (by the schema's name)."""
    schema = getattr(schemas, schema_name or "", None)
    if schema is None:
        raise ValueError(f"the course planner does not ask for {schema_name!r}")
    return scripted_model_answer(system, messages, schema)


def course_target(owner, query: str = "Learn DCF valuation", hours: str = "2", tag: str = "") -> Target:
    tag = tag or uuid.uuid4().hex[:8]

    def submit(n: int) -> int:
        preferences = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150}
        preferences["notes"] = f"fault run {tag} course {n}"  # each course asks its own questions
        _course, job = create_course(owner, CourseRequest(query, Decimal(hours), preferences))
        return job.pk

    return Target("course", submit, duplicated_sections)


def duplicated_sections(job_ids: list[int]) -> list[str]:
    """Parts or sections stored twice: two rows at one position, or more rows than the plan has."""
    problems = []
    jobs = GenerationJob.objects.filter(pk__in=job_ids, kind="course")
    for job in jobs:
        sections = CourseSection.objects.filter(course_id=job.target_id)
        twice = sections.values("parent_section", "order_index").annotate(n=Count("id")).filter(n__gt=1)
        if twice.exists():
            problems.append(f"course {job.target_id}: {twice.count()} positions hold two sections")
        review = (job.state or {}).get("review")
        if job.status == GenerationJob.Status.COMPLETE and review:
            planned = sum(1 + len(p["sections"]) for p in review["parts"])
            if sections.count() != planned:
                problems.append(
                    f"course {job.target_id}: {sections.count()} rows stored for {planned} planned"
                )
            if not Course.objects.filter(pk=job.target_id, status=Course.Status.READY).exists():
                problems.append(f"course {job.target_id}: job complete but the course is not ready")
    return problems
