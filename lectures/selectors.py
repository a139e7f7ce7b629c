"""Reads for lectures: which sections and lectures a user may see, the served version, payloads,
and course progress. Everything is scoped to the user: another user's object is not found."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from courses.models import Course, CourseSection
from courses.selectors import sections_in_order
from courses.sharing import course_books
from docprof.prepared import Prepared, attnames, instance
from docprof.redis_client import get_redis
from lectures.models import Lecture, QuizAttempt, SectionDelivery
from lectures.payloads import STAMP_FIELDS
from library.models import Book

WAITERS_TTL = 2 * 24 * 3600
WEAK_BELOW = 0.6  # an objective answered below this share correct is marked weak


def sections_of(user):
    """Sections of the courses the user owns or is enrolled in (parts included; the views refuse
    parts that have sections). Enrolment outlives unpublishing: learners keep their access."""
    if not user.is_authenticated:
        return CourseSection.objects.none()
    return CourseSection.objects.filter(course__in=Course.objects.taken_by(user)).select_related("course")


def _versions_of(cache_key_ref: str) -> Subquery:
    """How many versions (not failed) the key named by an outer reference has."""
    return Subquery(
        Lecture.objects.filter(cache_key=OuterRef(cache_key_ref))
        .exclude(status=Lecture.Status.FAILED)
        .order_by()
        .values("cache_key")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )


_SECTION_FIELDS = (*attnames(CourseSection), *(f"course__{f}" for f in attnames(Course)))
_STAMP_COLUMNS = (
    "current__id",
    "current__was_cached",
    "current__lecture_id",
    *(f"current__lecture__{f}" for f in STAMP_FIELDS),
    "versions",
)


def _section_of(user_id, section_id):
    reader = get_user_model()(pk=user_id)  # the access rule is sections_of's, compiled once
    of_course = _book_stamps(user_id).filter(id__in=course_books(section_id=section_id))
    return (
        sections_of(reader)
        .filter(pk=section_id)
        .annotate(
            current=FilteredRelation(
                "deliveries", condition=Q(deliveries__user_id=user_id, deliveries__is_current=True)
            ),
            versions=_versions_of("current__lecture__cache_key"),
        )
        .annotate(
            # library_for's answer, read with the section when there is no delivery to return
            library=Case(
                When(current__id__isnull=False, then=Value(None)),
                When(
                    Q(course__published=True) | ~Q(course__owner_id=user_id) | Exists(of_course),
                    then=ArraySubquery(of_course.values("stamp")),
                ),
                default=ArraySubquery(_book_stamps(user_id).values("stamp")),
                output_field=ArrayField(TextField()),
            )
        )
        .values_list(*_SECTION_FIELDS, *_STAMP_COLUMNS, "library")
    )


_SECTION = Prepared(_section_of, user_id=0, section_id=0)


@dataclass
class SectionOpening:
    """What the lecture GET reads first, in one prepared query: the section (with its course) the
    user may open, and the stamp of their current delivery of a ready version, if any."""

    row: tuple

    @property
    def delivered(self) -> tuple | None:
        """(delivery id, was_cached, lecture id, stamp) of the current delivery (a ready version)."""
        n = len(_SECTION_FIELDS)
        stamp = self.row[n:-1]
        if stamp[0] is None or stamp[3] != Lecture.Status.READY:
            return None
        return (stamp[0], stamp[1], stamp[2], tuple(stamp[3:]))

    @property
    def library(self) -> list[str] | None:
        """`library_for(section, user)`, read in the same query (None when there is a delivery)."""
        return self.row[-1]

    @property
    def section(self) -> CourseSection:
        n = len(CourseSection._meta.concrete_fields)
        section = instance(CourseSection, self.row[:n])
        section.course = instance(Course, self.row[n : len(_SECTION_FIELDS)])
        return section


def section_opening(user, section_id: int) -> SectionOpening | None:
    """The section the user may open (None: a 404) and their current delivery's stamp."""
    if not user.is_authenticated:
        return None
    row = _SECTION.first(user_id=user.pk, section_id=section_id)
    return None if row is None else SectionOpening(row)


def section_of(user, section_id: int) -> CourseSection | None:
    """`sections_of(user).get(pk=section_id)` with its course, or None: a prepared query."""
    opening = section_opening(user, section_id)
    return None if opening is None else opening.section


def _book_stamps(user_id):
    """The ready books a user may read, as "id@ingested_at" (a re-read book stamps differently)."""
    stamp = Concat(
        Cast("id", TextField()), Value("@"), Cast("ingested_at", TextField()), output_field=TextField()
    )
    return (
        Book.objects.filter(Q(owner_id=user_id) | Q(visibility=Book.Visibility.SHARED))
        .filter(status=Book.Status.READY)
        .order_by("id")
        .annotate(stamp=stamp)
        .values_list("stamp", flat=True)
    )


_READABLE = Prepared(_book_stamps, user_id=0)
_READABLE_OF_COURSE = Prepared(
    lambda user_id, course_id: _book_stamps(user_id).filter(id__in=course_books(course_id)),
    user_id=0,
    course_id=0,
)


def library_for(section, user) -> list[str]:
    """The books a section's lecture may draw on for this reader, as "id@ingested_at" stamps: the
    course's own books that the reader may read. Every reader -- the owner before and after
    publishing, and every enrolled learner -- resolves to the same passages, so a lecture the owner
    read before publishing is the one learners get. Only an owner's course that names no book draws
    on the whole library."""
    if not user.is_authenticated:
        return []
    course = section.course
    own = [r[0] for r in _READABLE_OF_COURSE.all(user_id=user.pk, course_id=course.pk)]
    if own or course.published or course.owner_id != user.pk:
        return own
    return [r[0] for r in _READABLE.all(user_id=user.pk)]


def is_part_with_sections(section: CourseSection) -> bool:
    return section.parent_section_id is None and section.children.exists()


def _current_delivery(section_id, user_id):
    current = SectionDelivery.objects.filter(section_id=section_id, user_id=user_id, is_current=True)
    return current.values_list(*attnames(SectionDelivery))[:1]


_CURRENT_DELIVERY = Prepared(_current_delivery, section_id=0, user_id=0)  # asked with every question


def current_delivery(section, user, *, with_lecture: bool = True) -> SectionDelivery | None:
    """The user's current delivery of the section; `with_lecture=False` leaves its lecture unread
    (a row of large JSON: the delivery keeps its own snapshot of the script), in a prepared query."""
    if not with_lecture:
        row = _CURRENT_DELIVERY.first(section_id=section.pk, user_id=user.pk)
        return None if row is None else instance(SectionDelivery, row)
    deliveries = SectionDelivery.objects.filter(section=section, user=user, is_current=True)
    return deliveries.select_related("lecture").first()


def servable_version(cache_key: str) -> Lecture | None:
    """The best ready version of a key: mentor verified > approved > pending, then score, then newest.
    Rejected and needs-improvement versions are never served to a new delivery."""
    return servable_versions(cache_key).first()


def servable_versions(cache_key: str):
    """The servable versions of a key, best first (the served-version rule), with `versions`."""
    rank = Case(
        When(approval_status=Lecture.Approval.MENTOR_VERIFIED, then=Value(3)),
        When(approval_status=Lecture.Approval.APPROVED, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Lecture.objects.filter(cache_key=cache_key, status=Lecture.Status.READY)
        .exclude(approval_status__in=Lecture.UNSERVABLE)
        .annotate(rank=rank, net=F("upvotes") - F("downvotes"), versions=_versions_of("cache_key"))
        .order_by("-rank", "-net", "-version")
    )


def better_version(delivery) -> Lecture | None:
    """The version a new delivery of this key would get, when it is not the one delivered."""
    if delivery is None or delivery.lecture is None:
        return None
    best = servable_version(delivery.lecture.cache_key)
    return best if best is not None and best.pk != delivery.lecture_id else None


def version_count(cache_key: str) -> int:
    return Lecture.objects.filter(cache_key=cache_key).exclude(status=Lecture.Status.FAILED).count()


def voted_lecture(user, lecture_id: int) -> Lecture | None:
    """A ready version the user may vote on: one they have (or had) a delivery of."""
    if not user.is_authenticated:
        return None
    return (
        Lecture.objects.filter(pk=lecture_id, status=Lecture.Status.READY, deliveries__user=user)
        .distinct()
        .first()
    )


def running_version(cache_key: str) -> Lecture | None:
    return (
        Lecture.objects.filter(cache_key=cache_key, status=Lecture.Status.GENERATING)
        .select_related("job")
        .first()
    )


def failed_version(cache_key: str) -> Lecture | None:
    return (
        Lecture.objects.filter(cache_key=cache_key, status=Lecture.Status.FAILED)
        .select_related("job")
        .order_by("-version")
        .first()
    )


def _waiters_key(lecture_id: int) -> str:
    return f"docprof:lecture-waiters:{lecture_id}"


def add_waiter(lecture_id: int, user_id: int) -> None:
    """Remember that this user is waiting for this lecture (so they may read it while it is written)."""
    client = get_redis()
    client.sadd(_waiters_key(lecture_id), user_id)
    client.expire(_waiters_key(lecture_id), WAITERS_TTL)


def visible_lecture(user, lecture_id: int) -> Lecture | None:
    """A lecture the user has been delivered, caused, or is waiting for; else None (a 404)."""
    if not user.is_authenticated:
        return None
    lecture = (
        Lecture.objects.filter(pk=lecture_id)
        .filter(Q(generated_by=user) | Q(deliveries__user=user))
        .select_related("job")
        .first()
    )
    if lecture is None and get_redis().sismember(_waiters_key(lecture_id), user.pk):
        lecture = Lecture.objects.filter(pk=lecture_id).select_related("job").first()
    return lecture


def delivered_lecture(user, lecture_id: int) -> Lecture | None:
    """A ready lecture the user has a delivery of (quiz answers need one)."""
    return (
        Lecture.objects.filter(pk=lecture_id, status=Lecture.Status.READY, deliveries__user=user)
        .distinct()
        .first()
    )


# --- progress ----------------------------------------------------------------------------------
def latest_attempts(user, lecture_ids) -> dict[int, QuizAttempt]:
    attempts = {}
    for attempt in QuizAttempt.objects.filter(user=user, lecture_id__in=list(lecture_ids)).order_by(
        "created_at"
    ):
        attempts[attempt.lecture_id] = attempt
    return attempts


def course_progress(course, user) -> dict:
    sections = sections_in_order(course)
    deliveries = {
        d.section_id: d
        for d in SectionDelivery.objects.filter(
            user=user, is_current=True, section_id__in=[s.pk for s in sections]
        ).only("id", "section_id", "lecture_id", "completed_at", "duration_actual_minutes")
    }
    attempts = latest_attempts(user, [d.lecture_id for d in deliveries.values() if d.lecture_id])
    rows, objectives = [], []
    for s in sections:
        d = deliveries.get(s.pk)
        attempt = attempts.get(d.lecture_id) if d else None
        status = "completed" if d and d.completed_at else ("in_progress" if d else "not_started")
        rows.append(
            {
                "id": s.pk,
                "title": s.title,
                "minutes": s.estimated_minutes,
                "status": status,
                "completed_at": d.completed_at if d else None,
                "quiz_score": float(attempt.score) if attempt else None,
            }
        )
        if attempt:
            order = {o: i for i, o in enumerate(s.learning_objectives or [])}
            by_order = sorted(attempt.per_objective.items(), key=lambda kv: order.get(kv[0], len(order)))
            for objective, result in by_order:
                share = result["correct"] / result["total"] if result["total"] else 0.0
                objectives.append(
                    {
                        "section_id": s.pk,
                        "objective": objective,
                        "correct": result["correct"],
                        "total": result["total"],
                        "score": round(share, 3),
                        "weak": share < WEAK_BELOW,
                    }
                )
    done = [r for r in rows if r["status"] == "completed"]
    total_minutes = sum(r["minutes"] for r in rows)
    done_minutes = sum(r["minutes"] for r in done)
    upcoming = next((r for r in rows if r["status"] != "completed"), None)
    return {
        "course_id": course.pk,
        "sections_total": len(rows),
        "sections_completed": len(done),
        "minutes_total": total_minutes,
        "minutes_completed": done_minutes,
        "percent": round(100 * done_minutes / total_minutes) if total_minutes else 0,
        "next_section": {"id": upcoming["id"], "title": upcoming["title"]} if upcoming else None,
        "sections": rows,
        "objectives": objectives,
        "weak_objectives": [o for o in objectives if o["weak"]],
    }


def next_section(section) -> CourseSection | None:
    order = sections_in_order(section.course)
    ids = [s.pk for s in order]
    if section.pk not in ids:
        return None
    i = ids.index(section.pk)
    return order[i + 1] if i + 1 < len(order) else None
