"""Offline answers computed in child processes of a web process (`python -m qa.answer_process`).

An offline answer is ~12.5 ms of pure-Python CPU (more for a process's first questions). In a web
process it holds the interpreter lock that the process's other request threads need: under the
load bench, most of the status polls and lecture reads slower than 30 ms shared their process with
a question being answered and waited for the lock. Here the request thread sends the question to
an idle child and waits for the answer on a socket, without the lock; the operating system shares
the CPUs between the child and the web threads.

Started when a web process starts (docprof.web_process.started, sent by the gunicorn hook and
connected in qa.apps) with DOCPROF_ANSWER_PROCESSES children per web process; elsewhere (the
test client, management commands) there is no pool and questions are answered in the calling
process, as before. The children only read: the web process stores the
answer. A child that dies or does not answer within ANSWER_TIMEOUT_S is replaced, and that
question is answered in the web process instead. A child stops when its socket closes, so it
does not outlive its web process (even one that was killed).
"""

from __future__ import annotations

import logging
import queue
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection

from django.conf import settings

from qa.answers import Answer

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 60.0  # Django set up and warmed up in a new child
ANSWER_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0


class ChildGone(Exception):
    """The child died, or did not answer in time (it has been killed)."""


class Child:
    """One answer process and the web process's end of its socket."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qa.answer_process", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                cwd=settings.BASE_DIR,
            )
        self.conn = Connection(ours.detach())
        self.ready = False

    def _receive(self, timeout: float):
        try:
            if not self.conn.poll(timeout):
                self.kill()
                raise ChildGone(f"answer process {self.process.pid} did not answer within {timeout} s")
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise ChildGone(f"answer process {self.process.pid} died ({exc!r})") from exc

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        if not self.ready:
            kind, _ = self._receive(timeout)
            self.ready = kind == "ready"

    def ask(self, question: dict) -> tuple[str, object]:
        """("answer", the Answer) or ("error", the exception the question raised)."""
        self.wait_ready()
        try:
            self.conn.send(question)
        except OSError as exc:
            raise ChildGone(f"answer process {self.process.pid} died ({exc!r})") from exc
        return self._receive(ANSWER_TIMEOUT_S)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        self.conn.close()  # the child sees the end of its input and exits
        try:
            self.process.wait(max(0.0, timeout))
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


class AnswerPool:
    def __init__(self, size: int):
        # idle children; None once there are none left (every waiting thread answers in-process)
        self._idle: queue.SimpleQueue[Child | None] = queue.SimpleQueue()
        self._children: list[Child] = []
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start_child())

    def _start_child(self) -> Child:
        child = Child()
        with self._lock:
            self._children.append(child)
        return child

    def _replace(self, child: Child) -> None:
        """Ends `child` and starts another in its place, unless this one never got as far as
        setting up (another would fail the same way: this pool then shrinks)."""
        child.conn.close()
        if child.process.poll() is None:
            child.kill()
        with self._lock:
            if child in self._children:
                self._children.remove(child)
            left = len(self._children)
        if child.ready and not self._closed:
            self._idle.put(self._start_child())
        elif not left:
            log.error("no answer process could be started: questions are answered in the web process")
            self._idle.put(None)

    def wait_ready(self) -> int:
        """Waits until every child has set up (or died); returns how many are ready."""
        with self._lock:
            children = list(self._children)
        for child in children:
            try:
                child.wait_ready()
            except ChildGone as exc:
                log.warning("%s", exc)
        return sum(child.ready for child in children)

    def answer(self, question: dict) -> Answer | None:
        """The answer to `question` (engine.answer_question's keyword arguments) from an idle child
        (waiting for one); None if there is none or it died or hung (then replaced): answer it in
        this process. The question's own error is raised here, as in this process."""
        try:
            child = self._idle.get(timeout=ANSWER_TIMEOUT_S)
        except queue.Empty:  # every child busy (or being replaced) for that long
            log.warning("no answer process free for %s s; answering in the web process", ANSWER_TIMEOUT_S)
            return None
        if child is None:
            self._idle.put(None)  # for the next waiting thread
            return None
        try:
            kind, value = child.ask(question)
        except ChildGone as exc:
            log.warning("%s; answering in the web process", exc)
            self._replace(child)
            return None
        except BaseException:
            self._replace(child)  # interrupted mid-exchange: its socket may hold an unread answer
            raise
        self._idle.put(child)
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        self._closed = True
        with self._lock:
            children, self._children = list(self._children), []
        for child in children:
            child.conn.close()  # all at once: each exits as soon as it has finished its question
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in children:
            child.stop(deadline - time.monotonic())

    def pids(self) -> list[int]:
        with self._lock:
            return [child.process.pid for child in self._children]


_pool: AnswerPool | None = None


def start(size: int) -> AnswerPool | None:
    """This process's pool of `size` answer processes, set up before it returns (0: none)."""
    global _pool
    if size <= 0:
        return None
    _pool = AnswerPool(size)
    ready = _pool.wait_ready()
    log.info("answer pool: %s of %s processes ready", ready, size)
    return _pool


def stop() -> None:
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.close()


def current() -> AnswerPool | None:
    return _pool


def on_web_process_started(sender, log, **kwargs) -> None:
    """docprof.web_process.started: a web process's answer processes, before it serves."""
    pool = start(settings.DOCPROF_ANSWER_PROCESSES)
    if pool is not None:
        log(f"answer processes {pool.pids()}")


def on_web_process_stopping(sender, **kwargs) -> None:
    """docprof.web_process.stopping: they would also stop on their own when their sockets close."""
    stop()
