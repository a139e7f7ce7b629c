"""Real processes on the embedded stack for end-to-end tests and benchmarks: Celery workers, beat and
gunicorn, each in its own process group (so a SIGKILL takes the whole "machine"), and restarts of the
embedded Redis and Postgres while they run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

from docprof import embedded
from workers.testing import celery_worker_command, watchdog_worker_command


class Stack:
    """Child processes by name, started with one environment, logs in `logdir`, stopped at `stop_all`."""

    def __init__(self, env: dict[str, str], logdir: Path):
        self.env = env
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.running: dict[str, subprocess.Popen] = {}
        self._logs: list = []

    # -- processes -----------------------------------------------------------------------------
    def start(self, name: str, command: list[str], **extra_env: str) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "a")  # noqa: SIM115 (kept open for the child)
        self._logs.append(log)
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def start_worker(self, name: str = "worker", concurrency: int = 4) -> subprocess.Popen:
        return self.start(name, celery_worker_command(pool="threads", concurrency=concurrency, name=name))

    def start_watchdog(self) -> subprocess.Popen:
        """The worker that serves only the watchdog's queue (beat sends the sweeps)."""
        return self.start("watchdog", watchdog_worker_command())

    def start_beat(self, every: float | None = None) -> subprocess.Popen:
        """Celery beat, which sends the watchdog's sweep (every `every` seconds, else the configured
        period) to the watchdog worker (`start_watchdog`)."""
        schedule = self.logdir / "celerybeat-schedule"
        command = [sys.executable, "-m", "celery", "-A", "docprof", "beat", "--loglevel", "WARNING"]
        extra = {"DOCPROF_WATCHDOG_EVERY": str(every)} if every else {}
        return self.start("beat", [*command, "--schedule", str(schedule)], **extra)

    def start_gunicorn(self, port: int, workers: int = 2, threads: int = 16) -> str:
        """The production web server (gunicorn, gthread) on 127.0.0.1:port; returns its base URL."""
        command = [sys.executable, "-m", "gunicorn", "docprof.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads)]
        self.start("web", [*command, "--log-level", "warning"])
        return f"http://127.0.0.1:{port}"

    def kill(self, name: str) -> float:
        """SIGKILL a process group (a lost machine); returns the time (time.time()) of the kill."""
        process = self.running.pop(name)
        killed_at = time.time()
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return killed_at

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def alive(self, name: str) -> bool:
        process = self.running.get(name)
        return process is not None and process.poll() is None

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logdir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""


# -- the embedded services ------------------------------------------------------------------------
def restart_redis(down_seconds: float) -> tuple[float, float, float]:
    """Stop the embedded Redis (its data is gone: it keeps none) and start it again after
    `down_seconds`. Returns (stopping_at, stopped_at, started_at) as time.time(): clients may fail
    from `stopping_at` on (the server refuses commands as soon as it begins to shut down, and
    `stop_redis` returns only once it no longer answers, seconds later on a busy machine)."""
    if not settings.REDIS_EMBEDDED:
        raise RuntimeError("restart_redis restarts the embedded Redis only")
    stopping = time.time()
    embedded.stop_redis()
    stopped = time.time()
    time.sleep(down_seconds)
    embedded.ensure_redis()
    return stopping, stopped, time.time()


def restart_postgres(down_seconds: float) -> tuple[float, float, float]:
    """Stop the embedded Postgres (fast shutdown: every connection is dropped) and start it again
    after `down_seconds`. Returns (stopping_at, stopped_at, started_at) as time.time() (clients
    may fail from `stopping_at` on, as for `restart_redis`)."""
    if settings.DATABASES["default"]["ENGINE"] != "docprof.db_embedded":
        raise RuntimeError("restart_postgres restarts the embedded Postgres only")
    connections.close_all()
    server = embedded._pg_server()
    stopping = time.time()
    server.stop()
    stopped = time.time()
    time.sleep(down_seconds)
    with server._lock:
        server.ensure_postgres_running()
    connections.close_all()
    return stopping, stopped, time.time()
