"""Server-rendered course pages: request (with a live preview), progress (polled), outline, my courses,
and the POST-only resume / cancel / delete actions. Every page is owner-scoped: another user's
course is a 404."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from courses import selectors, services, sharing
from courses.forms import CourseRequestForm, add_serializer_errors
from courses.models import Course
from courses.planning import material
from courses.planning.request import parse_request
from courses.serializers import MAX_QUERY_CHARS
from docprof.ai import factory
from docprof.ai.pricing import estimate_course
from docprof.pagination import page_of
from docprof.throttling import CourseRequestThrottle, page_wait
from library.models import Book
from library.selectors import ready_book_ids
from workers.engine import status as status_data

log = logging.getLogger(__name__)
PREVIEW_CHAPTERS = 8


def _course_or_404(request, pk: int):
    return get_object_or_404(selectors.courses_of(request.user), pk=pk)


@login_required
@require_GET
def course_list(request):
    page = page_of(request, selectors.courses_taken_by(request.user))
    return render(request, "courses/list.html", {"courses": page, "page": page})


@login_required
@require_GET
def browse(request):
    """Browse courses: every published course; enrol to take one."""
    page = page_of(request, selectors.published_courses(request.user))
    return render(request, "courses/browse.html", {"courses": page, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    has_books = bool(ready_book_ids(request.user))
    form = CourseRequestForm(request.POST or None)
    wait = None
    if request.method == "POST" and form.is_valid():
        wait = page_wait(CourseRequestThrottle, request)
        if wait:
            form.add_error(None, f"You have requested too many courses; try again in {_wait_text(wait)}.")
            status = 429
        else:
            try:
                course, _job = services.create_course(request.user, form.request)
            except services.CourseRequestError as exc:
                add_serializer_errors(form, exc.errors)
                status = exc.status_code
            else:
                return redirect("courses:progress", course.pk)
    else:
        status = 400 if request.method == "POST" else 200
    response = render(request, "courses/new.html", {"form": form, "has_books": has_books}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@login_required
@require_GET
def preview(request):
    """The books and chapters a request would draw on, and (paid provider only) what it would cost."""
    query = (request.GET.get("query") or "").strip()[:MAX_QUERY_CHARS]
    book_ids = ready_book_ids(request.user)
    context = {"query": query, "has_books": bool(book_ids)}
    if query and book_ids:
        try:
            hours = float(request.GET.get("hours") or 1)
        except ValueError:
            hours = 1.0
        minutes = round(max(0.25, min(hours, 200.0)) * 60) if math.isfinite(hours) else 60
        try:
            found = material.find_material(query, book_ids, minutes, _preview_preferences(request.GET))
        except material.NoMaterial as exc:
            context.update(topic=parse_request(query).subject, refusal=str(exc))
        else:
            context.update(
                topic=found.request.subject,
                missing=found.missing,
                covered=found.covered,
                notes=[n for n in found.notes if not n.startswith("Not in your library")],
                books=_group_by_book(found.units),
            )
        context["estimate"] = _estimate(request.GET.get("hours"))
    return render(request, "courses/_preview.html", context)


def _preview_preferences(params) -> dict:
    """The form's depth, pace and "fill the time" as the planner takes them; anything the form
    would refuse falls back to the default (the form itself says what is wrong)."""
    depth = params.get("depth")
    try:
        pace = int(params.get("pace_wpm") or 150)
    except ValueError:
        pace = 150
    return {
        "depth": depth if depth in Course.Depth.values else Course.Depth.STANDARD,
        "pace_wpm": min(300, max(60, pace)),
        "widen": params.get("widen") == "on",
    }


def _wait_text(seconds: int) -> str:
    return timeuntil(timezone.now() + timedelta(seconds=seconds + 59))  # whole minutes, rounded up


def _group_by_book(units: list[dict]) -> list[dict]:
    """The chapters the course would draw on, by book (first PREVIEW_CHAPTERS)."""
    books: dict[int, dict] = {}
    seen = set()
    for unit in units:
        if unit["chapter_id"] in seen or len(seen) >= PREVIEW_CHAPTERS:
            continue
        seen.add(unit["chapter_id"])
        books.setdefault(unit["book_id"], {"title": unit["book_title"], "chapters": []})["chapters"].append(
            {"chapter": unit["chapter_title"]}
        )
    return list(books.values())


def _estimate(raw_hours: str | None):
    """Tokens and dollars for planning, only when a paid model is configured (offline is free)."""
    try:
        if factory.get_llm() is None:
            return None
    except Exception:  # a misconfigured provider: the job will say so; the preview just omits cost
        log.warning("could not load the configured LLM for a cost estimate", exc_info=True)
        return None
    try:
        hours = float(raw_hours or 1)
    except ValueError:
        hours = 1.0
    if not math.isfinite(hours) or hours <= 0:
        hours = 1.0
    return estimate_course(hours)


@login_required
@require_GET
def progress(request, pk: int):
    course = _course_or_404(request, pk)
    return render(request, "courses/progress.html", _progress_context(course))


@login_required
@require_GET
def progress_fragment(request, pk: int):
    course = _course_or_404(request, pk)
    context = _progress_context(course)
    if request.htmx and context["status"] and context["status"]["status"] == "complete":
        return HttpResponseClientRedirect(reverse("courses:detail", args=[course.pk]))
    return render(request, "courses/_progress.html", context)


def _progress_context(course) -> dict:
    job = course.job
    status = status_data(job) if job else None
    return {
        "course": course,
        "job": job,
        "status": status,
        "running": bool(status and status["status"] == "processing"),
        "elapsed": _elapsed(job),
    }


def _elapsed(job) -> str:
    """'12 s elapsed' while running, 'took 1 min 05 s' when done, 'stopped after 3 s' for a failed or
    cancelled run, and nothing for a run that never really started (no '0 s elapsed')."""
    if job is None:
        return ""
    start = job.started_at or job.created_at
    end = job.finished_at if job.is_terminal and job.finished_at else timezone.now()
    seconds = max(0, int((end - start).total_seconds()))
    minutes, rest = divmod(seconds, 60)
    span = f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
    if not job.is_terminal:
        return f"{span} elapsed"
    if job.started_at is None or seconds == 0:
        return ""
    return f"took {span}" if job.status == job.Status.COMPLETE else f"stopped after {span}"


@login_required
@require_GET
def detail(request, pk: int):
    course = get_object_or_404(selectors.courses_taken_by(request.user), pk=pk)
    parts = selectors.outline(course)
    longest = max((sum(s.estimated_minutes for s in p["sections"]) for p in parts), default=0)
    chart = [
        {
            "title": p["part"].title,
            "minutes": (minutes := sum(s.estimated_minutes for s in p["sections"])),
            "percent": round(100 * minutes / longest) if longest else 0,
        }
        for p in parts
    ]
    coverage = course.coverage or {}
    by_title = {c.get("part"): c for c in coverage.get("parts", [])}
    for p in parts:
        p["minutes"] = sum(s.estimated_minutes for s in p["sections"])
        p["coverage"] = by_title.get(p["part"].title)
    return render(
        request,
        "courses/detail.html",
        {
            "course": course,
            "parts": parts,
            "chart": chart,
            "total_minutes": sum(c["minutes"] for c in chart),
            "missing_topics": coverage.get("missing_topics", []),
            "is_owner": course.owner_id == request.user.pk,
        },
    )


@login_required
@require_POST
def resume(request, pk: int):
    course = _course_or_404(request, pk)
    try:
        services.resume_course(course)
    except services.CourseRequestError as exc:
        messages.error(request, exc.errors.get("detail", "This course cannot be resumed."))
    else:
        messages.success(request, "Resuming from the last completed phase.")
    return redirect("courses:progress", course.pk)


@login_required
@require_POST
def cancel(request, pk: int):
    course = _course_or_404(request, pk)
    try:
        services.cancel_course(course)
    except services.CourseRequestError as exc:
        messages.error(request, exc.errors.get("detail", "This course cannot be cancelled."))
    else:
        messages.info(request, "Cancelling: generation stops at the next phase boundary.")
    return redirect("courses:progress", course.pk)


@login_required
@require_POST
def delete(request, pk: int):
    course = _course_or_404(request, pk)
    title = str(course)
    services.delete_course(course)
    messages.success(request, f"Deleted “{title}”.")
    return redirect("courses:list")


@login_required
@require_POST
def publish(request, pk: int):
    course = _course_or_404(request, pk)
    try:
        sharing.publish(course)
    except sharing.SharingError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Published: the course is listed in Browse courses and anyone may enrol.")
    return redirect("courses:detail", course.pk)


@login_required
@require_POST
def unpublish(request, pk: int):
    course = _course_or_404(request, pk)
    sharing.unpublish(course)
    messages.info(request, "Unpublished: no new learners may enrol; enrolled learners keep their access.")
    return redirect("courses:detail", course.pk)


@login_required
@require_POST
def enrol(request, pk: int):
    course = get_object_or_404(selectors.enrollable(request.user).exclude(owner=request.user), pk=pk)
    _enrolment, created = sharing.enrol(course, request.user)
    if created:
        messages.success(request, f"You are enrolled in “{course}”. Open any section to start.")
    return redirect("courses:detail", course.pk)


# --- sharing a book (the action sits on the library's book page; unsharing touches courses) ---------
@login_required
@require_POST
def book_sharing(request, pk: int, shared: bool):
    """Share one of your books, or make it private again (which unpublishes the published courses
    that use it: the message says which); back to the book's page."""
    book = get_object_or_404(Book.objects.owned_by(request.user), pk=pk)
    change = sharing.set_book_shared(book, shared)
    if shared:
        messages.success(
            request,
            f"“{book.title}” is shared: every user can read it, and courses built on it can be published.",
        )
    elif change.unpublished:
        messages.warning(request, change.warning)
    else:
        messages.success(request, f"“{book.title}” is private now: only you can read it.")
    return redirect("library:book", book.pk)
