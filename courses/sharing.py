"""Shared courses: publish, unpublish, enrol, and what unsharing a book does to published courses.

A course may be published only when every book it draws on is shared (a learner must be able to
read every passage the lectures cite). Unsharing a book unpublishes the published courses that use
it (their enrolled learners keep their access and history). Enrolment is unique per course and user.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from courses.models import Course, CourseSection, Enrolment
from library.models import Book, Chunk


class SharingError(Exception):
    """A request a person must fix: `status_code` 400 (bad state of the data) or 409 (wrong state)."""

    def __init__(self, detail: str, status_code: int = 400, **extra):
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code
        self.extra = extra


_COURSE_BOOKS_SQL = """
SELECT ch.book_id FROM {chunk} ch WHERE ch.id IN (
    SELECT (e.value #>> '{{}}')::bigint
      FROM {section} s
     CROSS JOIN LATERAL jsonb_array_elements(
           CASE jsonb_typeof(s.source_chunk_ids) WHEN 'array' THEN s.source_chunk_ids ELSE '[]'::jsonb END
         ) e
     WHERE s.course_id = {course} AND jsonb_typeof(e.value) IN ('number', 'string'))
UNION
SELECT (src.value ->> 'book_id')::bigint
  FROM {section} s
 CROSS JOIN LATERAL jsonb_array_elements(
       CASE jsonb_typeof(s.sources) WHEN 'array' THEN s.sources ELSE '[]'::jsonb END
     ) src
 WHERE s.course_id = {course} AND jsonb_typeof(src.value) = 'object'
   AND COALESCE(src.value ->> 'book_id', '') ~ '^[1-9][0-9]*$'
"""


def course_books(course_id: int | None = None, *, section_id: int | None = None) -> RawSQL:
    """Every book a course draws on -- named in its sections' sources, or owning their passages --
    as one SQL subquery: `Book.objects.filter(id__in=course_books(course.pk))` (the lecture GET
    asks this for every new delivery, so it is one query, not one per table). With `section_id`:
    the books of that section's course."""
    section = CourseSection._meta.db_table
    course = "%s" if section_id is None else f"(SELECT course_id FROM {section} WHERE id = %s)"
    sql = _COURSE_BOOKS_SQL.format(chunk=Chunk._meta.db_table, section=section, course=course)
    value = course_id if section_id is None else section_id
    return RawSQL(sql, (value, value))  # noqa: S611 (parameters bound; table names are ours)


def book_ids_of(course: Course) -> set[int]:
    """Every book a course draws on: named in its sections' sources or owning their passages."""
    return set(Book.objects.filter(id__in=course_books(course.pk)).values_list("id", flat=True))


def private_books(course: Course) -> list[Book]:
    return list(
        Book.objects.filter(id__in=book_ids_of(course))
        .exclude(visibility=Book.Visibility.SHARED)
        .order_by("title")
    )


def publish(course: Course) -> Course:
    if course.status != Course.Status.READY:
        raise SharingError("Only a ready course can be published.", 409)
    if not CourseSection.objects.filter(course=course).exists():
        raise SharingError("This course has no sections to publish.")
    private = private_books(course)
    if private:
        names = ", ".join(f"“{b.title}”" for b in private)
        raise SharingError(
            f"This course draws on a private book: {names}. Share it first, or learners could not read "
            "the passages its lectures cite.",
            books=[{"id": b.pk, "title": b.title} for b in private],
        )
    Course.objects.filter(pk=course.pk).update(published=True, published_at=timezone.now())
    course.refresh_from_db()
    return course


def unpublish(course: Course) -> Course:
    """Hidden from Browse and from new enrolments; enrolled learners keep access and history."""
    Course.objects.filter(pk=course.pk).update(published=False)
    course.refresh_from_db()
    return course


def enrol(course: Course, user) -> tuple[Enrolment, bool]:
    """(enrolment, created). The caller has checked the course is published (or the user enrolled)."""
    if course.owner_id == user.pk:
        raise SharingError("You own this course; it is already yours to take.", 409)
    try:
        with transaction.atomic():
            return Enrolment.objects.create(course=course, user=user), True
    except IntegrityError:
        return Enrolment.objects.get(course=course, user=user), False


@dataclass
class VisibilityChange:
    book: Book
    unpublished: list[Course]

    @property
    def warning(self) -> str:
        if not self.unpublished:
            return ""
        titles = ", ".join(f"“{c}”" for c in self.unpublished)
        return (
            f"“{self.book.title}” is private now, so these published courses that use it were unpublished: "
            f"{titles}. Their enrolled learners keep their access."
        )


def set_book_shared(book: Book, shared: bool) -> VisibilityChange:
    """Share or unshare a book; unsharing unpublishes the published courses that draw on it."""
    with transaction.atomic():
        visibility = Book.Visibility.SHARED if shared else Book.Visibility.PRIVATE
        Book.objects.filter(pk=book.pk).update(visibility=visibility)
        book.visibility = visibility
        unpublished = []
        if not shared:
            for course in Course.objects.filter(published=True).select_for_update():
                if book.pk in book_ids_of(course):
                    unpublish(course)
                    unpublished.append(course)
    return VisibilityChange(book, unpublished)
