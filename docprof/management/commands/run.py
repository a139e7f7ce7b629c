"""python manage.py run — what `make run` does after installing: migrate, demo account, sample
library, then the web server, a Celery worker and Celery beat until Ctrl-C."""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from docprof import embedded
from library.models import Book

SAMPLE_DIR = Path(settings.BASE_DIR) / "sample_library"
SAMPLE_SUFFIXES = {".md", ".txt", ".html", ".pdf", ".epub", ".adoc"}
DEMO_USER = "demo"


class Command(BaseCommand):
    help = "Set up and run DocProf locally: web, worker and beat, on the embedded services by default."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("DOCPROF_HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("DOCPROF_PORT", "8000"))
        parser.add_argument(
            "--setup-only", action="store_true", help="Migrate and load the sample library, then exit"
        )

    def handle(self, host, port, setup_only, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        username, password = self._demo_account()
        self._sample_library(username)
        if settings.REDIS_EMBEDDED:
            embedded.ensure_redis()
        if setup_only:
            return
        children = self._start(host, port)
        self.stdout.write(self.style.SUCCESS(f"\nDocProf is running at http://{host}:{port}/"))
        self.stdout.write(f"Log in as {username!r} with password {password!r}. Press Ctrl-C to stop.\n")
        self._wait(children)

    def _demo_account(self) -> tuple[str, str]:
        password_file = embedded.VAR_DIR / "demo-password.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USER).first()
        if user and password_file.exists():
            return DEMO_USER, password_file.read_text().strip()
        password = secrets.token_urlsafe(9)
        if user is None:
            user = user_model.objects.create_user(
                DEMO_USER, password=password, is_staff=True, is_superuser=True
            )
        else:
            user.set_password(password)
            user.save()
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        return DEMO_USER, password

    def _sample_library(self, username: str) -> None:
        paths = sorted(
            str(p) for p in SAMPLE_DIR.iterdir() if p.suffix in SAMPLE_SUFFIXES and p.name != "README.md"
        )
        owner = get_user_model().objects.get(username=username)
        ready = Book.objects.filter(owner=owner, status=Book.Status.READY).count()
        if ready >= len(paths):
            self.stdout.write(f"Sample library: {ready} books ready.")
            return
        self.stdout.write("Ingesting the sample library …")
        call_command("ingest", *paths, user=username, shared=True)

    def _start(self, host: str, port: str) -> list[subprocess.Popen]:
        python = sys.executable
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        celery = [python, "-m", "celery", "-A", "docprof"]
        commands = {
            "web": [python, manage, "runserver", f"{host}:{port}", "--noreload"],
            "worker": [*celery, "worker", "--pool", "threads", "--concurrency", "4", "--loglevel", "INFO"],
            "beat": [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }
        children = []
        for name, command in commands.items():
            self.stdout.write(f"Starting {name}: {' '.join(command[1:])}")
            children.append(subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True))
        return children

    def _wait(self, children: list[subprocess.Popen]) -> None:
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping:
            if any(child.poll() is not None for child in children):
                self.stderr.write("A process stopped unexpectedly; shutting down the others.")
                break
            time.sleep(0.5)
        self.stdout.write("\nStopping …")
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if settings.REDIS_EMBEDDED:
            embedded.stop_redis()
        if not settings.DATABASE_URL:
            embedded.stop_postgres()
        self.stdout.write("Stopped.")
