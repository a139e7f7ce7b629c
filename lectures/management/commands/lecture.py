"""python manage.py lecture SECTION_ID --user NAME [--json] [--inline] [--wait-for-worker SECONDS]
                                   [--regenerate]

Opens a section's lecture for a learner exactly as the API does (a cached version is delivered at
once; otherwise the one generation of its content is started or joined), waits with a progress bar,
and prints the lecture -- with --json, the API's 200 object on one line. With --regenerate, a new
version of the section's lecture is written (bypassing the cache) and delivered to the learner."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from lectures import curation, selectors, services
from lectures.models import Lecture
from lectures.payloads import lecture_data
from library.management.commands._common import get_user
from workers import engine
from workers.engine import GenerationJob

POLL_SECONDS = 0.3


class Command(BaseCommand):
    help = "Open (and if needed write) a section's lecture for a user, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("section_id", type=int)
        parser.add_argument("--user", required=True, help="The learner's user name")
        parser.add_argument("--json", action="store_true", help="Print the API's lecture object, one line")
        parser.add_argument("--inline", action="store_true", help="Write the lecture in this process")
        parser.add_argument(
            "--regenerate", action="store_true", help="Write a new version (bypassing the cache) and take it"
        )
        parser.add_argument(
            "--wait-for-worker",
            type=float,
            default=10.0,
            metavar="SECONDS",
            help="Write in this process if no worker has started the job after this long (default 10)",
        )

    def handle(self, section_id, user, json, inline, wait_for_worker, regenerate=False, **options):
        learner = get_user(user)
        section = selectors.sections_of(learner).filter(pk=section_id).first()
        if section is None or selectors.is_part_with_sections(section):
            raise CommandError(f"{learner.username} has no section #{section_id}.")
        self.console = Console(
            file=getattr(self.stderr, "_out", self.stderr), highlight=False, soft_wrap=True
        )
        opened = self._regenerate(section, learner, inline, wait_for_worker) if regenerate else None
        opened = opened or self._open(section, learner)
        if opened.delivery is None:
            self._wait(opened.lecture, inline, wait_for_worker)
            opened = self._open(section, learner)
            if opened.delivery is None:
                lecture = opened.lecture
                raise CommandError(
                    f"The lecture was not written: {lecture.error or lecture.status}", returncode=1
                )
        payload = {
            "delivery_id": opened.delivery.pk,
            "was_cached": opened.was_cached,
            "lecture": lecture_data(opened.lecture),
        }
        if json:
            self.stdout.write(_dumps(payload))
        else:
            self._print(payload["lecture"], opened.was_cached)

    def _regenerate(self, section, learner, inline, wait_for_worker) -> services.Opened:
        try:
            lecture = curation.regenerate(section, learner)
        except services.GenerationRateLimited as exc:
            raise CommandError(f"Too many new versions asked for; try again in {round(exc.wait or 60)} s.")
        self._wait(lecture, inline, wait_for_worker)
        lecture.refresh_from_db()
        if lecture.status != Lecture.Status.READY:
            raise CommandError(
                f"The new version was not written: {lecture.error or lecture.status}", returncode=1
            )
        delivery = services.deliver(section, learner, lecture)
        return services.Opened(lecture, delivery, delivery.was_cached)

    def _open(self, section, learner) -> services.Opened:
        try:
            return services.open_section(section, learner)
        except services.GenerationRateLimited as exc:
            raise CommandError(f"Too many lectures started; try again in {round(exc.wait or 60)} s.")

    def _wait(self, lecture: Lecture, inline: bool, wait_for_worker: float) -> None:
        started = time.monotonic()
        with _bar(self.console) as show:
            while True:
                lecture.refresh_from_db()
                job = GenerationJob.objects.get(pk=lecture.job_id)
                show(job, lecture)
                if lecture.status != Lecture.Status.GENERATING or job.is_terminal:
                    return
                waited = time.monotonic() - started
                if inline or (job.status == GenerationJob.Status.QUEUED and waited >= wait_for_worker):
                    if not inline:
                        self.console.print(
                            f"[yellow]No worker started the job within {wait_for_worker:g} s; "
                            "writing the lecture in this process.[/yellow]"
                        )
                    inline = False
                    engine.run_inline(job.pk)
                    continue
                time.sleep(POLL_SECONDS)

    def _print(self, lecture: dict, was_cached: bool) -> None:
        out = self.stdout
        origin = "from the shared cache" if was_cached else "newly written"
        out.write(self.style.SUCCESS(f"{lecture['title']} (version {lecture['version']}, {origin})"))
        minutes = f"about {lecture['minutes']:.0f} min at {lecture['pace_wpm']} wpm"
        out.write(f"{lecture['word_count']} words, {minutes}\n")
        out.write(lecture["script"])
        out.write("\nCitations:")
        for c in lecture["citations"]:
            pages = f", p. {c['page_start']}" if c["page_start"] else ""
            out.write(f"  [{c['n']}] {c['book_title']} — {c['chapter']}{pages}: “{c['quote']}”")
        out.write("\nQuiz:")
        for q in lecture["quiz"]:
            choices = f"  ({' | '.join(q['choices'])})" if q.get("choices") else ""
            out.write(f"  {q['id']}. {q['question']}{choices}")


class _bar:
    """A rich progress bar on a terminal; otherwise one line per change of message."""

    def __init__(self, console: Console):
        self.console = console
        self.last = None
        self.progress = None

    def __enter__(self):
        if self.console.is_terminal:
            self.progress = Progress(
                TextColumn("[bold]{task.description:<40}"),
                BarColumn(bar_width=30),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=self.console,
            )
            self.progress.__enter__()
            self.task = self.progress.add_task("Waiting for a worker", total=100)
        return self.show

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.__exit__(*exc)
        return False

    def show(self, job: GenerationJob, lecture: Lecture) -> None:
        message = (job.error or job.message or job.status)[:80]
        if self.progress is not None:
            self.progress.update(self.task, description=message, completed=job.percent)
        elif message != self.last:
            self.last = message
            self.console.print(f"[{job.percent:3d}%] {message}", markup=False)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
