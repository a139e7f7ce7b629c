"""python manage.py course "QUERY" --hours H --user NAME [--json] [--depth D] [--style S] [--pace N]
[--notes TEXT] [--wait/--no-wait] [--inline] [--wait-for-worker SECONDS]"""

from __future__ import annotations

import argparse
import json
import time

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from courses import selectors
from courses.models import Course
from courses.serializers import CourseRequestSerializer, number_or_text, outline_data
from courses.services import DEPTHS, STYLES, CourseRequest, CourseRequestError, create_course
from library.management.commands._common import get_user
from workers import engine
from workers.engine import GenerationJob
from workers.engine import status as status_data

TICKS = {"done": "✓", "running": "●", "error": "✗", "cancelled": "–", "pending": "○"}
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Request a course from a user's library, show its six phases as they run, and print the outline. "
        "The phases run on a Celery worker; with --inline (or when no worker picks the job up) they run "
        "in this process."
    )

    def add_arguments(self, parser):
        parser.add_argument("query", help='What to learn, e.g. "Learn DCF valuation"')
        parser.add_argument("--hours", required=True, help="Time budget in hours, e.g. 2 or 1.5")
        parser.add_argument("--user", required=True, help="Owner's user name (the library to plan from)")
        parser.add_argument("--json", action="store_true", help="Print the outline as JSON")
        parser.add_argument("--depth", choices=DEPTHS, help="overview | standard | deep (default standard)")
        parser.add_argument("--style", choices=STYLES, help="Presentation style (default lecture)")
        parser.add_argument("--pace", type=int, help="Lecture pace in words per minute (default 150)")
        parser.add_argument("--notes", help="Anything the planner should know")
        parser.add_argument(
            "--widen",
            action="store_true",
            default=None,
            help="When your books hold less than --hours on the subject, fill it with neighbouring chapters",
        )
        parser.add_argument(
            "--wait",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Wait for the course and print its outline (default); --no-wait returns at once",
        )
        parser.add_argument(
            "--inline", action="store_true", help="Run the phases in this process instead of on a worker"
        )
        parser.add_argument(
            "--wait-for-worker",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="Run inline if no worker has picked the job up after this long (default 10)",
        )

    def handle(self, query, hours, user, json: bool, wait: bool, inline: bool, **options):
        owner = get_user(user)
        request = _validated(query, hours, options)
        try:
            course, job = create_course(owner, request)
        except CourseRequestError as exc:
            raise CommandError(_flatten(exc.errors))
        # Progress goes to stderr, so stdout stays the outline (or pure JSON).
        self.console = Console(
            file=getattr(self.stderr, "_out", self.stderr), highlight=False, soft_wrap=True
        )
        self.console.print(f"Course #{course.pk} requested (job #{job.pk}).")
        if not wait and not inline:
            if json:
                self.stdout.write(_dumps({"course_id": course.pk, "job_id": job.pk, "status": "processing"}))
            return
        job = self._drive(job, inline, options["wait_for_worker"])
        course.refresh_from_db()
        if job.status != GenerationJob.Status.COMPLETE:
            what = job.error or job.message or job.status
            raise CommandError(f"Course #{course.pk} did not complete ({job.status}): {what}", returncode=1)
        parts = selectors.outline(course)
        if json:
            self.stdout.write(_dumps(outline_data(course, parts)))
        else:
            self._print_outline(course, parts)

    # --- running ------------------------------------------------------------------------------
    def _drive(self, job: GenerationJob, inline: bool, wait_for_worker: float) -> GenerationJob:
        with self._progress() as show:
            if not inline:
                job = self._watch(job, show, until_started_within=wait_for_worker)
                if _never_started_failure(job):
                    self.console.print(
                        f"[yellow]{job.error}[/yellow] Running the phases in this process instead."
                    )
                    inline = True
                elif job.status == GenerationJob.Status.QUEUED:
                    self.console.print(
                        f"[yellow]No worker picked the job up within {wait_for_worker:g} s; "
                        "running the phases in this process.[/yellow] "
                        "(Start one with `celery -A docprof worker`, or pass --inline.)"
                    )
                    inline = True
            if inline:
                job = self._run_inline(job, show)
            return self._watch(job, show)

    def _run_inline(self, job: GenerationJob, show) -> GenerationJob:
        job.refresh_from_db()
        if _never_started_failure(job):
            engine.resume(job.pk, enqueue=False)

        def observe(job_id: int) -> None:
            job.refresh_from_db()
            show(job)

        engine.run_inline(job.pk, observer=observe)
        job.refresh_from_db()
        return job

    def _watch(self, job, show, until_started_within: float | None = None) -> GenerationJob:
        """Poll the status row until the job is terminal (or, with a limit, until a worker starts it)."""
        deadline = None if until_started_within is None else time.monotonic() + until_started_within
        try:
            while True:
                job.refresh_from_db()
                show(job)
                if job.is_terminal:
                    return job
                if deadline is not None and (
                    job.status != GenerationJob.Status.QUEUED or time.monotonic() >= deadline
                ):
                    return job
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            raise CommandError(
                f"Stopped watching; course generation continues (job #{job.pk}).", returncode=130
            )

    def _progress(self):
        """A context manager yielding show(job, running=None): a rich bar on a terminal, else lines."""
        console = self.console
        if not console.is_terminal:
            return _LinePrinter(console)
        return _RichBar(console)

    # --- output -------------------------------------------------------------------------------
    def _print_outline(self, course: Course, parts: list[dict]) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(f"{course.title}"))
        out.write(
            f"Requested {course.requested_hours:g} h · planned {course.estimated_hours:g} h · "
            f"{len(parts)} part(s)"
        )
        for p_index, item in enumerate(parts, 1):
            minutes = sum(s.estimated_minutes for s in item["sections"])
            out.write("")
            out.write(self.style.MIGRATE_HEADING(f"Part {p_index}: {item['part'].title} ({minutes} min)"))
            for s_index, section in enumerate(item["sections"], 1):
                out.write(f"  {p_index}.{s_index} {section.title} — {section.estimated_minutes} min")
                for objective in section.learning_objectives:
                    out.write(f"      • {objective}")
                if section.sources:
                    out.write("      Sources: " + "; ".join(_source(s) for s in section.sources))
        missing = (course.coverage or {}).get("missing_topics") or []
        if missing:
            out.write("")
            out.write(self.style.WARNING("Your library lacks: " + ", ".join(missing)))


class _LinePrinter:
    """Non-terminal output: one line each time the phase or message changes."""

    def __init__(self, console: Console):
        self.console = console
        self.last = None

    def __enter__(self):
        return self.show

    def __exit__(self, *exc):
        return False

    def show(self, job: GenerationJob) -> None:
        labels = {s.name: s.label for s in engine.get_kind("course").steps}
        if job.is_terminal or not job.phase:
            line = job.error or job.message or job.status
        else:
            line = f"{labels.get(job.phase, job.phase)} — {job.message}"
        if line != self.last:
            self.last = line
            self.console.print(f"[{job.percent:3d}%] {line}", markup=False)


class _RichBar:
    """Terminal output: a bar with the current phase and a tick line for all six."""

    def __init__(self, console: Console):
        self.progress = Progress(
            TextColumn("[bold]{task.description:<26}"),
            BarColumn(bar_width=24),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[ticks]}"),
            console=console,
            transient=False,
        )
        self.task = None

    def __enter__(self):
        self.progress.__enter__()
        self.task = self.progress.add_task("Waiting for a worker", total=6, ticks="")
        return self.show

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def show(self, job: GenerationJob) -> None:
        phases = status_data(job)["phases"]
        current = next((p for p in phases if p["state"] in ("running", "error")), None)
        description = current["label"] if current else (job.message or job.status)
        self.progress.update(
            self.task,
            description=description,
            total=max(job.progress_total, 1),
            completed=job.progress_total
            if job.status == GenerationJob.Status.COMPLETE
            else job.progress_done,
            ticks=" ".join(f"{TICKS[p['state']]} {p['name']}" for p in phases),
        )


def _never_started_failure(job: GenerationJob) -> bool:
    """Only the task queue being unreachable fails a job before any phase has started."""
    return job.status == GenerationJob.Status.ERROR and job.started_at is None


def _validated(query: str, hours: str, options: dict) -> CourseRequest:
    preferences = {
        key: options[name]
        for key, name in (
            ("depth", "depth"),
            ("presentation_style", "style"),
            ("pace_wpm", "pace"),
            ("notes", "notes"),
            ("widen", "widen"),
        )
        if options.get(name) is not None
    }
    payload = {"query": query, "hours": number_or_text(hours), "preferences": preferences}
    serializer = CourseRequestSerializer(data=payload)
    if not serializer.is_valid():
        raise CommandError(_flatten(serializer.errors))
    data = serializer.validated_data
    return CourseRequest(data["query"], data["hours"], dict(data.get("preferences") or {}))


def _flatten(errors, prefix: str = "") -> str:
    """{"hours": ["..."], "preferences": {"depth": ["..."]}} -> 'hours: ...; depth: ...'"""
    if isinstance(errors, dict):
        return "; ".join(
            _flatten(v, "" if k in ("detail", "non_field_errors") else k) for k, v in errors.items()
        )
    if isinstance(errors, list):
        return "; ".join(_flatten(e, prefix) for e in errors)
    return f"{prefix}: {errors}" if prefix else str(errors)


def _source(source: dict) -> str:
    pages = ""
    if source.get("page_start"):
        start, end = source["page_start"], source.get("page_end")
        pages = f", pp. {start}–{end}" if end and end != start else f", p. {start}"
    return f"{source['book_title']} — {source['chapter']}{pages}"


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
