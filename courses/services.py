"""Writes for courses: request one (validated, rate-limited), resume, cancel, delete, and store the
planned outline (the course job's last step)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from courses.models import Course, CourseSection
from courses.planning.material import coverage
from library.selectors import ready_book_ids, source_rows
from workers import engine
from workers.engine import GenerationJob

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


def create_course(owner, request: CourseRequest) -> tuple[Course, GenerationJob]:
    """Create the course row (status generating) and its job; the six steps start after commit."""
    if not ready_book_ids(owner):
        raise CourseRequestError({"query": ["Your library has no readable books yet; add a book first."]})
    with transaction.atomic():
        course = Course.objects.create(
            owner=owner,
            original_query=request.query,
            requested_hours=request.hours,
            preferences=request.preferences,
            title=request.query[:300],
        )
        job = engine.submit(owner, "course", course.pk)
        course.job = job
        course.save(update_fields=["job"])
    return course, job


def resume_course(course: Course) -> GenerationJob:
    """Continue a failed or cancelled course from its last completed step (409 if it is neither,
    or if a concurrent Resume already did)."""
    if course.job_id is None:
        raise CourseRequestError({"detail": "This course has no generation job to resume."}, 409)
    try:
        return engine.resume(course.job_id)
    except engine.JobConflict:
        raise CourseRequestError(
            {"detail": "Only a course that failed or was cancelled can be resumed."}, 409
        )


def cancel_course(course: Course) -> None:
    """Stop a course that is being planned (409 if it already finished)."""
    if course.job_id is None or not engine.cancel(course.job_id):
        raise CourseRequestError(
            {"detail": "Only a course that is still being planned can be cancelled."}, 409
        )


def delete_course(course: Course) -> None:
    if course.job_id:
        engine.cancel(course.job_id)
    course.delete()


def store_course(course: Course, state: dict) -> int:
    """Create the parts and sections in one transaction. Idempotent: a course that already has
    sections is left as it is. Returns the total minutes."""
    parts = state["review"]["parts"]
    sources = source_rows({cid for p in parts for s in p["sections"] for cid in s["source_chunk_ids"]})
    total = sum(s["minutes"] for p in parts for s in p["sections"])
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if CourseSection.objects.filter(course=locked).exists():
            return total
        for p_index, part in enumerate(parts):
            _store_part(locked, p_index, part, sources)
        Course.objects.filter(pk=locked.pk).update(
            title=(state["parts"].get("title") or locked.original_query)[:300],
            estimated_hours=round(total / 60, 2),
            coverage=_coverage(parts, sources, state),
        )
    return total


def _store_part(course: Course, index: int, part: dict, sources: dict[int, dict]) -> None:
    sections = part["sections"]
    part_row = CourseSection.objects.create(
        course=course,
        order_index=index,
        title=part["title"][:300],
        content_summary=part.get("summary", ""),
        estimated_minutes=sum(s["minutes"] for s in sections),
        learning_objectives=[],
        source_chunk_ids=sorted({c for s in sections for c in s["source_chunk_ids"]}),
        sources=_merge_sources([sources[c] for s in sections for c in s["source_chunk_ids"] if c in sources]),
    )
    CourseSection.objects.bulk_create(
        CourseSection(
            course=course,
            parent_section=part_row,
            order_index=s_index,
            title=s["title"][:300],
            learning_objectives=s["learning_objectives"],
            content_summary=s["content_summary"],
            estimated_minutes=s["minutes"],
            source_chunk_ids=s["source_chunk_ids"],
            sources=_merge_sources([sources[c] for c in s["source_chunk_ids"] if c in sources]),
        )
        for s_index, s in enumerate(sections)
    )


def _merge_sources(rows: list[dict]) -> list[dict]:
    """One entry per book chapter, with the page range the section draws on."""
    merged: dict[tuple, dict] = {}
    for r in rows:
        key = (r["book_id"], r["chapter_id"])
        if key not in merged:
            merged[key] = dict(r)
        else:
            m = merged[key]
            m["page_start"] = _bound(min, m["page_start"], r["page_start"])
            m["page_end"] = _bound(max, m["page_end"], r["page_end"])
    return list(merged.values())


def _bound(pick, a, b):
    values = [x for x in (a, b) if x is not None]
    return pick(values) if values else None


def _coverage(parts: list[dict], sources: dict[int, dict], state: dict) -> dict:
    per_part = []
    for part in parts:
        rows = _merge_sources(
            [sources[c] for s in part["sections"] for c in s["source_chunk_ids"] if c in sources]
        )
        per_part.append(
            {
                "part": part["title"],
                "books": sorted({r["book_title"] for r in rows}),
                "chapters": [{"book_title": r["book_title"], "chapter": r["chapter"]} for r in rows],
            }
        )
    # Only what the stored sections teach counts as covered (courses/planning/material.py).
    taught = {c for p in parts for s in p["sections"] for c in s["source_chunk_ids"]}
    claimed = state["parts"].get("missing_topics", [])
    return {"parts": per_part, **coverage(state["search"], taught, claimed)}
