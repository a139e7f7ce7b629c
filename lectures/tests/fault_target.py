"""The lecture kind as a target of fault runs (workers/tests/support/faults.py): write a lecture for
a new section with its own objectives (its own cache key), find duplicated versions or segments,
and answer the model writer's requests on the fake model server (courses' answers otherwise)."""

from __future__ import annotations

import uuid
from collections import Counter

from django.db.models import Count

from courses.tests.support.faults import model_answer as course_answer
from lectures import services
from lectures.models import Lecture
from lectures.schemas import RefinedLecture, SegmentDraft
from lectures.tests.support import _refine, _segment, make_course
from library.models import Book
from workers.models import GenerationJob
from workers.tests.support.faults import Target

OBJECTIVES = [
    "Explain why a sum of money today is worth more than the same sum later",
    "Calculate the present value of a future cash flow",
    "Describe how a discount rate reflects risk",
]


def model_answer(schema_name, system, messages):
    """Segments and the finishing call of the model writer; any other schema: the course planner's."""
    prompt = messages[-1]["content"]
    if schema_name == SegmentDraft.__name__:
        return _segment(prompt, bad_quotes=False)
    if schema_name == RefinedLecture.__name__:
        return _refine(prompt)
    return course_answer(schema_name, system, messages)


def lecture_target(owner, book: Book, tag: str = "") -> Target:
    """Each job: a new one-section course over `book` whose objectives carry the run's tag and the
    job's number, so every lecture has its own cache key (and its own generation)."""
    tag = tag or uuid.uuid4().hex[:8]

    def submit(n: int) -> int:
        objectives = [f"{o} (fault run {tag}, lecture {n})" for o in OBJECTIVES]
        _course, section = make_course(owner, book, minutes=6, objectives=objectives, title=f"Lecture {n}")
        opened = services.open_section(section, owner)
        if opened.lecture is None or opened.lecture.job_id is None:
            raise AssertionError(f"no lecture generation started for section {section.pk}: {opened.state}")
        return opened.lecture.job_id

    return Target("lecture", submit, duplicated_versions)


def duplicated_versions(job_ids: list[int]) -> list[str]:
    """Two versions of one cache key, or an objective written twice into a finished lecture."""
    problems = []
    lecture_ids = GenerationJob.objects.filter(pk__in=job_ids).values_list("target_id", flat=True)
    lectures = Lecture.objects.filter(pk__in=list(lecture_ids))
    keys = list(lectures.values_list("cache_key", flat=True))
    twice = (
        Lecture.objects.filter(cache_key__in=keys).values("cache_key").annotate(n=Count("id")).filter(n__gt=1)
    )
    problems += [f"cache key {row['cache_key'][:12]}: {row['n']} versions" for row in twice]
    for lecture in lectures.filter(status=Lecture.Status.READY):
        written = Counter(s.get("objective") for s in lecture.segments if s.get("kind") == "objective")
        repeated = [o for o, n in written.items() if n > 1]
        if repeated:
            problems.append(f"lecture {lecture.pk}: objectives written twice: {repeated}")
    return problems
