"""Reads for courses: owner-scoped."""

from django.db.models import Count, Exists, OuterRef, Q

from courses.models import Course, CourseSection, Enrolment
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
    parts = [r for r in rows if r.parent_section_id is None]
    parts.sort(key=lambda r: r.order_index)
    if parts and not any(r.parent_section_id for r in rows):
        # Sections but no parts: one default part holds them, so the outline is never empty.
        default = CourseSection(
            course=course, order_index=0, title=course.title or "Sections", estimated_minutes=0
        )
        return [{"part": default, "sections": parts, "default": True}]
    children: dict[int, list[CourseSection]] = {}
    for r in rows:
        if r.parent_section_id is not None:
            children.setdefault(r.parent_section_id, []).append(r)
    return [
        {"part": p, "sections": sorted(children.get(p.pk, []), key=lambda s: s.order_index)} for p in parts
    ]


def sections_in_order(course: Course) -> list[CourseSection]:
    """The sections a learner takes (not the parts), in outline order."""
    return [s for item in outline(course) for s in item["sections"]]


def job_phases(job) -> list[dict]:
    """[{name, label, state}] for the course's steps (also before the job exists)."""
    return step_states(job, "course")
