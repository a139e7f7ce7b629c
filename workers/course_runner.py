"""Drive one phase of a course job: load the job, skip checkpointed work, call the phase function,
checkpoint its output. The GenerationJob row is written only through workers.jobs."""

from __future__ import annotations

import contextlib
import logging
import traceback

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from courses import phases
from courses.models import Course
from courses.planning import PlanContext, get_planner
from docprof.ai.errors import AIError
from library.selectors import ready_book_ids
from workers import jobs
from workers.models import GenerationJob

log = logging.getLogger(__name__)
PHASE_TASK = "workers.course_phase"
MODEL_PHASES = ("parts", "expand", "review")


def course_chain(job: GenerationJob, start_at: str = phases.PHASES[0]) -> list[tuple[str, list]]:
    first = phases.PHASES.index(start_at)
    return [(PHASE_TASK, [job.pk, name]) for name in phases.PHASES[first:]]


def first_unfinished_phase(state: dict) -> str:
    for name in phases.PHASES:
        if not phase_done(state, name):
            return name
    return phases.PHASES[-1]


def phase_done(state: dict, name: str) -> bool:
    if name == "expand":
        parts = (state.get("parts") or {}).get("parts")
        return parts is not None and len(state.get("expand") or {}) >= len(parts)
    return name in state


def _context(job: GenerationJob, course: Course) -> PlanContext:
    state = job.state
    return PlanContext.from_search(
        course.original_query,
        state["embed"]["topic"],
        course.requested_minutes,
        course.preferences,
        state.get("search", {}),
        job_id=job.pk,
    )


def run_phase(job_id: int, name: str, planner=None) -> None:
    job = GenerationJob.objects.filter(pk=job_id).first()
    if job is None or job.is_terminal:
        return  # finished, failed or cancelled: the rest of the chain has nothing to do
    with jobs.exclusive(job_id, ttl=settings.CELERY_TASK_TIME_LIMIT) as mine:
        if not mine:
            log.info("job %s phase %s is being run by another worker", job_id, name)
            return
        _run_locked(job_id, name, planner)


def _run_locked(job_id: int, name: str, planner) -> None:
    job = jobs.start(job_id, count_attempt=False)
    if job is None:
        return
    course = Course.objects.filter(pk=job.target_id).first()
    if course is None:
        jobs.fail(job_id, "The course was deleted.")
        return
    # Phases run in order even if a chain step was skipped (e.g. while another worker held the
    # lock): this task first finishes any earlier phase that is not checkpointed yet.
    job.refresh_from_db(fields=["state"])
    for phase_name in phases.PHASES[: phases.PHASES.index(name) + 1]:
        if phase_done(job.state, phase_name):
            continue
        job.refresh_from_db(fields=["state", "status", "cancel_requested"])
        if job.is_terminal:
            return
        if job.cancel_requested:
            _cancel(job, course)
            return
        if not phase_done(job.state, phase_name) and not _run_one(job, course, phase_name, planner):
            return
    _finish_if_last(job, course, name)


def _run_one(job: GenerationJob, course: Course, name: str, planner) -> bool:
    """Run one phase; on failure record a readable error and return False."""
    label = phases.PHASE_LABELS[name]
    jobs.JobProgress(job.pk).update(phase=name, message=label + " …")
    try:
        # Only the planning phases wait on a model for long; the others finish in well under a second.
        beating = jobs.heartbeat(job.pk) if name in MODEL_PHASES else contextlib.nullcontext()
        with beating:
            _run(job, course, name, planner)
        return True
    except phases.NoMaterial as exc:
        _fail(job, course, str(exc), "")
    except SoftTimeLimitExceeded:
        _fail(job, course, f"{label} took too long. Resume to try again.", "soft time limit")
    except AIError as exc:
        _fail(
            job,
            course,
            f"The language model failed while {label.lower()}: {exc}. Resume to try again.",
            f"{exc!r}\n{traceback.format_exc()}",
        )
    except jobs.JobCancelled:
        _cancel(job, course)
    except Exception as exc:
        log.exception("course job %s failed in phase %s", job.pk, name)
        _fail(
            job,
            course,
            f"Something went wrong while {label.lower()}. Resume to try again.",
            f"{exc!r}\n{traceback.format_exc()}",
        )
    return False


def _run(job: GenerationJob, course: Course, name: str, planner) -> None:
    state = job.state
    if name == "embed":
        jobs.save_state(
            job.pk, "embed", phases.embed_request(course.original_query), done=1, total=len(phases.PHASES)
        )
        return
    if name == "search":
        found = phases.search_library(
            course.original_query,
            state["embed"]["topic"],
            state["embed"]["vector"],
            ready_book_ids(course.owner),
            course.requested_minutes,
            course.preferences,
        )
        jobs.save_state(
            job.pk,
            "search",
            found,
            done=2,
            message=" ".join(
                [
                    f"Found {len(found['passages'])} passages in {len(found['chapters'])} chapters.",
                    *found["notes"],
                ]
            ),
        )
        return
    planner = planner or get_planner()
    ctx = _context(job, course)
    if name == "parts":
        outline = phases.generate_parts(planner, ctx)
        count = len(outline["parts"])
        jobs.save_state(
            job.pk,
            "parts",
            outline,
            done=3,
            total=len(phases.PHASES) + count - 1,
            message=f"{count} part(s) planned",
        )
        return
    parts = phases.part_drafts(state)
    if name == "expand":
        done = state.get("expand") or {}
        todo = [i for i in range(len(parts)) if str(i) not in done]

        def checkpoint(i: int, sections: list[dict]) -> None:
            jobs.JobProgress(job.pk).check_cancelled()
            jobs.save_state_item(
                job.pk, "expand", str(i), sections, message=f"Planned part {i + 1}: {parts[i].title}"
            )

        phases.expand_parts(planner, ctx, parts, todo, checkpoint)
        return
    if name == "review":
        plans = phases.to_plans(parts, state["expand"])
        jobs.save_state(
            job.pk,
            "review",
            phases.review_outline(planner, ctx, plans),
            done=len(phases.PHASES) + len(parts) - 2,
            message="Outline fits the time budget",
        )
        return
    if name == "store":
        total = phases.store_course(course, state)
        jobs.save_state(job.pk, "store", {"minutes": total}, message="Course ready")


def _finish_if_last(job: GenerationJob, course: Course, name: str) -> None:
    if name == phases.PHASES[-1]:
        course.refresh_from_db(fields=["estimated_hours"])
        jobs.complete(job.pk, f"Course ready: {course.estimated_hours} hours")


def _fail(job: GenerationJob, course: Course, message: str, detail: str) -> None:
    jobs.fail(job.pk, message, detail)
    Course.objects.filter(pk=course.pk).exclude(status=Course.Status.READY).update(status=Course.Status.ERROR)


def _cancel(job: GenerationJob, course: Course) -> None:
    jobs.mark_cancelled(job.pk)
    Course.objects.filter(pk=course.pk).exclude(status=Course.Status.READY).update(
        status=Course.Status.CANCELLED
    )
