"""The answer pool (qa.answer_pool) with real child processes on the test database: the same
answers and stored messages as in the web process, a child that dies or hangs is replaced and its
question still answered, a question's own error reaches the caller, children stop with the pool."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from qa import answer_pool, engine, services
from qa.models import QAMessage

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QUESTIONS = [
    ("How is the terminal value estimated?", 30),
    ("What is the capital of France?", None),
    ("What comes next?", 10),
    ("What did you mean earlier in the lecture about free cash flow?", 200),
    ("Why do firms discount cash flows at the WACC?", None),
]


@pytest.fixture
def pool(monkeypatch):
    # the children set up Django from the environment: point them at this test's database
    monkeypatch.setenv("DOCPROF_DB_NAME", connection.settings_dict["NAME"])
    monkeypatch.setenv("DOCPROF_LLM", "none")
    pool = answer_pool.start(1)
    yield pool
    answer_pool.stop()


@pytest.fixture
def not_in_this_process(monkeypatch):
    """Fails a question the web process would answer itself."""

    def refuse(*args, **kwargs):
        raise AssertionError("answered in the web process")

    monkeypatch.setattr(engine, "answer_events", refuse)
    return monkeypatch


def stored(asked: services.Asked) -> dict:
    row = QAMessage.objects.filter(pk=asked.message.pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", "session_id", "created_at")}


def answered(asked: services.Asked) -> dict:
    return {k: v for k, v in asked.as_dict().items() if k not in ("session_id", "message_id")}


def test_the_pool_answers_and_stores_as_the_web_process_does(alice, section, pool, monkeypatch):
    in_pool = []
    with monkeypatch.context() as patched:
        patched.setattr(engine, "answer_events", None)  # the web process cannot answer
        for question, position in QUESTIONS:
            in_pool.append(services.ask(alice, section, question, position_seconds=position))
    answer_pool.stop()
    for (question, position), pooled in zip(QUESTIONS, in_pool, strict=True):
        here = services.ask(alice, section, question, position_seconds=position)
        assert answered(pooled) == answered(here)
        assert stored(pooled) == stored(here)
    assert {a.answer.kind for a in in_pool} >= {"library", "not_found", "meta"}


def test_a_child_that_died_is_replaced_and_its_question_answered(alice, section, pool, monkeypatch):
    (dead,) = pool.pids()
    os.kill(dead, signal.SIGKILL)
    first = services.ask(alice, section, "How is the terminal value estimated?")  # in this process
    assert first.answer.kind == "library"
    (replacement,) = pool.pids()
    assert replacement != dead
    monkeypatch.setattr(engine, "answer_events", None)
    again = services.ask(alice, section, "How is the terminal value estimated?")  # by the new child
    assert answered(again) == answered(first)


def test_a_child_that_hangs_is_killed_and_replaced(alice, section, pool, monkeypatch):
    monkeypatch.setattr(answer_pool, "ANSWER_TIMEOUT_S", 1.0)
    (hung,) = pool.pids()
    os.kill(hung, signal.SIGSTOP)
    try:
        asked = services.ask(alice, section, "How is the terminal value estimated?")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(hung, signal.SIGCONT)  # killed and reaped by now, unless the test failed
    assert asked.answer.kind == "library"
    (replacement,) = pool.pids()
    assert replacement != hung
    with pytest.raises(ProcessLookupError):
        os.kill(hung, 0)  # killed and reaped


def test_children_that_cannot_start_leave_the_questions_to_the_web_process(alice, section, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "no.such.settings")  # every child fails to set up
    pool = answer_pool.start(2)
    try:
        assert pool.pids() and not any(child.ready for child in pool._children)
        asked = services.ask(alice, section, "How is the terminal value estimated?")
        assert asked.answer.kind == "library"
        asked = services.ask(alice, section, "How is the terminal value estimated?")
        assert pool.pids() == []  # not started again and again
    finally:
        answer_pool.stop()


def test_a_questions_own_error_reaches_the_caller_and_the_child_stays(pool, not_in_this_process):
    (child,) = pool.pids()
    with pytest.raises(Exception, match="Enter something") as raised:
        pool.answer({"question": "   ", "book_ids": [], "llm": None})
    assert type(raised.value).__name__ == "QueryError"
    assert pool.pids() == [child]
    answer = pool.answer({"question": "What is free cash flow?", "book_ids": [], "llm": None})
    assert answer.kind == "not_found"


def test_children_stop_when_the_pool_closes(pool):
    processes = [child.process for child in pool._children]
    answer_pool.stop()
    assert [p.returncode for p in processes] == [0]  # they saw their socket close and exited
    assert answer_pool.current() is None


def test_children_stop_when_their_web_process_is_killed(monkeypatch):
    monkeypatch.setenv("DOCPROF_DB_NAME", connection.settings_dict["NAME"])
    web = subprocess.Popen(
        [sys.executable, "-c", KILLED_WEB_PROCESS], stdout=subprocess.PIPE, text=True, cwd=settings.BASE_DIR
    )
    children = json.loads(web.stdout.readline())
    web.kill()
    web.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)]


KILLED_WEB_PROCESS = """
import json, time, django
django.setup()
from qa import answer_pool
print(json.dumps(answer_pool.start(2).pids()), flush=True)
time.sleep(60)
"""


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False
