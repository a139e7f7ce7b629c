"""python manage.py run — what `make run` does after installing: check the port, migrate, demo
account, sample library, static files, then gunicorn (web), a Celery worker for the jobs, one for
the watchdog and Celery beat until Ctrl-C, which stops all of them and the embedded Postgres and
Redis this run started."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from docprof import embedded

SAMPLE_DIR = Path(settings.BASE_DIR) / "sample_library"
SAMPLE_SUFFIXES = {".md", ".txt", ".html", ".pdf", ".epub", ".adoc"}
DEMO_USER = "demo"
STOP_GRACE_SECONDS = 10


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served (taken, or not an address of this machine), else None."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return f"{host!r} is not a host name or address this machine knows ({exc.strerror})."
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def free_port_after(host: str, port: int, tries: int = 20) -> int | None:
    return next((p for p in range(port + 1, port + 1 + tries) if not port_problem(host, p)), None)


def web_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Command(BaseCommand):
    help = "Set up and run DocProf locally: web (gunicorn), workers and beat, on the embedded services."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("DOCPROF_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port",
            default=os.environ.get("DOCPROF_PORT", "8000"),
            help="Port of the web server (default 8000, or DOCPROF_PORT; `make run PORT=8001`).",
        )
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("DOCPROF_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--setup-only", action="store_true", help="Migrate and load the sample library, then exit"
        )

    def handle(self, host, port, web_workers, setup_only, **options):
        port = self._check_port(host, port, setup_only)
        running_before = embedded.running()
        children: dict[str, subprocess.Popen] = {}
        try:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write("Database ready.")
            username, password = self._demo_account()
            self._sample_library(username)
            call_command("collectstatic", interactive=False, verbosity=0)
            if settings.REDIS_EMBEDDED:
                embedded.ensure_redis()
            if setup_only:
                return
            children = self._start(host, port, web_workers)
            self._wait_until_serving(host, port, children)
            url = f"http://{web_address(host, port)}/"
            self.stdout.write(self.style.SUCCESS(f"\nDocProf is running at {url}"))
            self.stdout.write(f"Log in as {username!r} with password {password!r}. Press Ctrl-C to stop.\n")
            self._wait(children)
        finally:
            self._stop(children, running_before)

    def _check_port(self, host: str, port: str, setup_only: bool) -> int:
        try:
            number = int(port)
        except ValueError:
            number = 0
        if not 1 <= number <= 65535:
            raise CommandError(f"{port!r} is not a port number (1-65535). Example: make run PORT=8001")
        problem = None if setup_only else port_problem(host, number)
        if problem:
            spare = free_port_after(host, number)
            suggestion = spare or number + 1
            raise CommandError(
                f"Cannot serve on {web_address(host, number)}: {problem}.\n"
                f"Another program (or another DocProf) is using port {number}. Stop it, or choose "
                f"another port:\n    make run PORT={suggestion}\n(or DOCPROF_PORT={suggestion} make run, "
                f"or python manage.py run --port {suggestion})"
            )
        return number

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
        # through the owner's relation: the project package imports no domain app (the import ladder)
        ready = owner.books.filter(status="ready").count()
        if ready >= len(paths):
            self.stdout.write(f"Sample library: {ready} books ready.")
            return
        self.stdout.write("Ingesting the sample library …")
        call_command("ingest", *paths, user=username, shared=True)

    def _commands(self, host: str, port: int, web_workers: int) -> dict[str, list[str]]:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "docprof"]
        return {
            "web": [
                python,
                "-m",
                "gunicorn",
                "docprof.wsgi:application",
                "--config",
                "python:docprof.gunicorn_conf",  # hooks: each request thread warms up before serving
                "--bind",
                web_address(host, port),
                "--workers",
                str(max(1, web_workers)),
                "--worker-class",
                "gthread",
                # Threads per process: a request waits for a free thread before gunicorn starts
                # it, so with 4, polls queued behind slow questions (~0.6 s at p99 under the load
                # bench; ~0.2 s with 16). Python runs one thread at a time; the others wait on I/O.
                "--threads",
                os.environ.get("DOCPROF_WEB_THREADS", "16"),
                "--timeout",
                "120",
                # Pages poll every 2 s and gunicorn closes an idle keep-alive connection after 2 s
                # by default: each poll would race the close (a reset, a retry, a new connection).
                "--keep-alive",
                "5",
                "--graceful-timeout",
                str(STOP_GRACE_SECONDS // 2),
                "--no-control-socket",  # one per user by default: two instances would collide
                # Each web process listens on a socket of its own and the kernel spreads new
                # connections over them. On the one socket they shared, whichever process woke
                # first took the connection, and a keep-alive connection stays where it landed:
                # under the load bench, in 2 of 4 runs every request went to one process (one
                # interpreter lock, one core, the other process idle), in a third 84% of them.
                "--reuse-port",
            ],
            "worker": [
                *celery,
                "worker",
                "--queues",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--hostname",
                "worker@%h",
                "--pool",
                "threads",
                "--concurrency",
                "4",
                "--loglevel",
                "INFO",
            ],
            # the watchdog's own worker: a sweep never waits behind jobs on a busy worker
            "watchdog": [
                *celery,
                "worker",
                "--queues",
                settings.DOCPROF_WATCHDOG_QUEUE,
                "--hostname",
                "watchdog@%h",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
            ],
            "beat": [
                *celery,
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ],
        }

    def _start(self, host: str, port: int, web_workers: int) -> dict[str, subprocess.Popen]:
        children = {}
        for name, command in self._commands(host, port, web_workers).items():
            self.stdout.write(f"Starting {name}: {' '.join(command[2:])}")
            # Each child leads its own process group, so Ctrl-C reaches only this command, which then
            # stops every group (gunicorn's workers included) in order.
            children[name] = subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)
        return children

    def _wait_until_serving(self, host: str, port: int, children: dict) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if children["web"].poll() is not None:
                raise CommandError("The web server stopped while starting; see its messages above.")
            try:
                with socket.create_connection((host, port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"The web server did not answer on port {port} within 60 s.")

    def _wait(self, children: dict[str, subprocess.Popen]) -> None:
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)
        while not stopping:
            ended = [name for name, child in children.items() if child.poll() is not None]
            if ended:
                self.stderr.write(f"{', '.join(ended)} stopped unexpectedly; shutting down the others.")
                break
            time.sleep(0.5)

    def _stop(self, children: dict[str, subprocess.Popen], running_before: dict[str, bool]) -> None:
        # A second Ctrl-C while stopping kills at once.
        signal.signal(signal.SIGINT, lambda *_: _signal_groups(children, signal.SIGKILL))
        if children:
            self._say("\nStopping …")
        _signal_groups(children, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        # A leader still running after the grace period: kill its whole group (gunicorn's workers too).
        _signal_groups({n: c for n, c in children.items() if c.poll() is None}, signal.SIGKILL)
        for child in children.values():
            child.wait()
        stopped = embedded.stop_started(
            running_before, postgres=not settings.DATABASE_URL, redis=settings.REDIS_EMBEDDED
        )
        names = [*children, *(f"embedded {name}" for name in stopped)]
        if names:
            self._say(f"Stopped {', '.join(names)}.")
        left = [n for n, up in embedded.running().items() if up and running_before.get(n)]
        if left:
            self._say(
                f"The embedded {' and '.join(left)} was already running before this command; "
                "left running (`make stop` stops it)."
            )

    def _say(self, message: str) -> None:
        """Report while stopping; a terminal or pipe that is gone must not stop the clean-up."""
        try:
            self.stdout.write(message)
        except OSError:
            pass


def _signal_groups(children: dict[str, subprocess.Popen], sig: int) -> None:
    for child in children.values():
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already
