"""python manage.py ingest PATH... --user NAME [--shared] [--json]"""

import json
import sys
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from library.management.commands._common import get_user
from library.models import Book
from library.parsing import IngestError
from library.services import add_book, pending_embedding
from workers import engine
from workers.engine import GenerationJob


class Command(BaseCommand):
    help = "Add books to a user's library and ingest them now (in this process)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Book files (PDF, EPUB, Markdown, HTML, AsciiDoc, text)")
        parser.add_argument("--user", required=True, help="Owner's user name")
        parser.add_argument("--shared", action="store_true", help="Let every user read these books")
        parser.add_argument("--json", action="store_true", help="Print one JSON object per book")

    def handle(self, paths, user, shared, json: bool, **options):
        owner = get_user(user)
        failures = 0
        show_progress = not json and sys.stdout.isatty()
        for raw in paths:
            result = self._ingest_one(Path(raw), owner, shared, show_progress)
            failures += result["status"] != Book.Status.READY
            if json:
                self.stdout.write(_json_line(result))
            elif result["status"] == Book.Status.READY:
                dupe = " (already in the library)" if result.get("duplicate") else ""
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{raw}: {result['title']} — {result['chapters']} chapters, "
                        f"{result['chunks']} passages, {result['pages']} pages{dupe}"
                    )
                )
            else:
                self.stderr.write(self.style.ERROR(f"{raw}: {result['error']}"))
        if failures:
            raise CommandError(f"{failures} of {len(paths)} book(s) could not be ingested.", returncode=1)

    def _ingest_one(self, path: Path, owner, shared: bool, show_progress: bool) -> dict:
        base = {
            "id": None,
            "path": str(path),
            "title": None,
            "format": None,
            "pages": None,
            "chapters": 0,
            "chunks": 0,
            "status": Book.Status.ERROR,
            "error": "",
        }
        if not path.is_file():
            return {**base, "error": f"No such file: {path}"}
        try:
            with path.open("rb") as fileobj:
                added = add_book(
                    owner=owner, fileobj=fileobj, filename=path.name, shared=shared, enqueue=False
                )
        except IngestError as exc:
            return {**base, "error": exc.message}
        book = added.book
        if added.created or added.retried:
            self._run(added.job, show_progress, path.name)
            for job_id in pending_embedding(book.pk):  # a model embedder's passages: now, too
                self._run(
                    GenerationJob.objects.get(pk=job_id), show_progress, f"{path.name}: search by meaning"
                )
            book.refresh_from_db()
        return {
            **base,
            "id": book.pk,
            "title": book.title,
            "format": book.format,
            "pages": book.pages,
            "chapters": book.chapters.count(),
            "chunks": book.chunks.count(),
            "status": book.status,
            "error": book.error,
            "duplicate": not added.created and not added.retried,
            "read_again": added.retried,
        }

    def _run(self, job: GenerationJob, show_progress: bool, name: str) -> None:
        if not show_progress:
            engine.run_inline(job.pk)
            return
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[msg]}"),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(name, total=100, msg="")
            worker = threading.Thread(target=engine.run_inline, args=(job.pk,))
            worker.start()
            while worker.is_alive():
                worker.join(0.2)
                job.refresh_from_db(fields=["progress_done", "message"])
                bar.update(task, completed=job.progress_done, msg=job.message)


def _json_line(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)
