"""Reads for courses: owner-scoped."""

from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q

from courses.models import Course, CourseSection, Enrolment
from docprof.prepared import Prepared
from workers.engine import step_states


def courses_of(user):
    """Courses the user owns (what only an owner may change)."""
    return Course.objects.owned_by(user).select_related("job")


def courses_taken_by(user):
    """Courses whose sections the user may open: owned, or enrolled in (even after unpublishing)."""
    return Course.objects.taken_by(user).select_related("job", "owner").order_by("-created_at", "-id")


def published_courses(user):
    """Browse courses: every published course (logged-in users only), with sections and learners."""
    if not user.is_authenticated:
        return Course.objects.none()
    return (
        Course.objects.filter(published=True, status=Course.Status.READY)
        .select_related("owner", "job")
        .annotate(
            learners=Count("enrolments", distinct=True),
            is_enrolled=Exists(Enrolment.objects.filter(course=OuterRef("pk"), user=user)),
            section_count=Count("sections", filter=Q(sections__parent_section__isnull=False), distinct=True),
        )
        .order_by("-published_at", "-id")
    )


def enrollable(user):
    """Courses the user may enrol in: published ones, and ones they are already enrolled in."""
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(Q(published=True) | Q(enrolments__user=user)).distinct()


def is_enrolled(course, user) -> bool:
    return user.is_authenticated and Enrolment.objects.filter(course=course, user=user).exists()


def outline(course: Course) -> list[dict]:
    """Parts with their sections, in order."""
    rows = list(CourseSection.objects.filter(course=course).order_by("parent_section_id", "order_index"))
    parts, children = _parts_and_sections(rows)
    if parts and not children:
        # Sections but no parts: one default part holds them, so the outline is never empty.
        default = CourseSection(
            course=course, order_index=0, title=course.title or "Sections", estimated_minutes=0
        )
        return [{"part": default, "sections": parts, "default": True}]
    return [{"part": p, "sections": children.get(p.pk, [])} for p in parts]


def _parts_and_sections(rows: list) -> tuple[list, dict[int, list]]:
    """The parts (rows without a parent) in order, and each part's sections in order, by its id."""
    parts = sorted((r for r in rows if r.parent_section_id is None), key=lambda r: r.order_index)
    children: dict[int, list] = {}
    for r in sorted(rows, key=lambda r: r.order_index):
        if r.parent_section_id is not None:
            children.setdefault(r.parent_section_id, []).append(r)
    return parts, children


def _ordered(rows: list) -> list:
    """The sections a learner takes, in outline order (`outline`'s, flattened)."""
    parts, children = _parts_and_sections(rows)
    if parts and not children:
        return parts
    return [s for p in parts for s in children.get(p.pk, [])]


def sections_in_order(course: Course) -> list[CourseSection]:
    """The sections a learner takes (not the parts), in outline order."""
    return _ordered(
        list(CourseSection.objects.filter(course=course).order_by("parent_section_id", "order_index"))
    )


class SectionLine(NamedTuple):
    pk: int
    parent_section_id: int | None
    order_index: int
    title: str
    estimated_minutes: int


_SECTION_LINES = Prepared(
    lambda course_id: (
        CourseSection.objects.filter(course_id=course_id)
        .order_by("parent_section_id", "order_index")
        .values_list(*SectionLine._fields)
    ),
    course_id=0,
)


def section_lines_in_order(course_id: int) -> list[SectionLine]:
    """`sections_in_order`'s sections as (id, title, minutes ...) lines, not rows of every field
    (their objectives and sources are JSON): read with every question asked, a prepared query."""
    return _ordered([SectionLine(*row) for row in _SECTION_LINES.all(course_id=course_id)])


def job_phases(job) -> list[dict]:
    """[{name, label, state}] for the course's steps (also before the job exists)."""
    return step_states(job, "course")
