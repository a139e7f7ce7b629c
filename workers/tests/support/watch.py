"""Watching a fault run: the job rows as they change (`Monitor`) and the worker process, started
again when it exits by itself (`Supervisor`)."""

from __future__ import annotations

import threading
import time

from django.db import connection

from workers.models import GenerationJob


class Monitor(threading.Thread):
    """Polls the run's job rows and records every change (its own database connection)."""

    FIELDS = ("status", "phase", "attempts", "progress_done")

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True, name="fault-monitor")
        self.interval = interval
        self.ids: set[int] = set()
        self.last: dict[int, tuple] = {}
        self.changes: dict[int, list[tuple[float, tuple]]] = {}
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def watch(self, job_id: int) -> None:
        with self.lock:
            self.ids.add(job_id)

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                try:
                    self._poll()
                except Exception:  # the database restarting: reconnect on the next poll
                    connection.close()
        finally:
            connection.close()

    def _poll(self) -> None:
        with self.lock:
            ids = list(self.ids)
        now = time.time()
        for pk, *values in GenerationJob.objects.filter(pk__in=ids).values_list("pk", *self.FIELDS):
            row = tuple(values)
            if self.last.get(pk) != row:
                with self.lock:
                    self.last[pk] = row
                    self.changes.setdefault(pk, []).append((now, row))

    def moved_after(self, job_id: int, since: float, attempts: int | None) -> float | None:
        """When the job next moved after `since`: a new attempt started (after a kill), or any
        change (after an outage); a finished job counts as moved."""
        with self.lock:
            changes = list(self.changes.get(job_id, []))
        before = [row for t, row in changes if t <= since]
        base = before[-1] if before else None
        if base is not None and base[0] in GenerationJob.TERMINAL:
            return since  # it had already finished (e.g. during an outage)
        for t, row in changes:
            if t <= since:
                continue
            status, _phase, tries, _done = row
            if status in GenerationJob.TERMINAL:
                return t
            if attempts is not None and tries > attempts and status == GenerationJob.Status.PROCESSING:
                return t
            if attempts is None and row != base:
                return t
        return None


class Supervisor(threading.Thread):
    """What a process manager (compose `restart: unless-stopped`, systemd) does: start the worker
    (or the watchdog's worker) again when it exits by itself. Every such exit is recorded: it is a
    finding, not a fault we made."""

    def __init__(self, run, interval: float = 0.5):
        super().__init__(daemon=True, name="fault-supervisor")
        self.run_ = run
        self.interval = interval
        self.exits: list[dict] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            with self.run_.process_lock:
                for name in ("worker", "watchdog"):
                    self._restart_if_exited(name)

    def _restart_if_exited(self, name: str) -> None:
        process = self.run_.stack.running.get(name)
        if process is None or process.poll() is None:
            return
        tail = self.run_.stack.log_tail(name, 4000)
        reason = next((line for line in reversed(tail.splitlines()) if "Unrecoverable error" in line), "")
        self.exits.append(
            {"at": time.time(), "process": name, "exit_code": process.returncode, "reason": reason}
        )
        self.run_.stack.running.pop(name)
        if name == "worker":
            self.run_.stack.start_worker(concurrency=self.run_.concurrency)
        else:
            self.run_.stack.start_watchdog()
