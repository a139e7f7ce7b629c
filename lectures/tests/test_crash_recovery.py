"""A worker dies while a lecture is being written (SIGKILL of its whole process group, after some
segments are checkpointed and while the others wait on the model); a new worker and the watchdog
finish it: one version, no segment written twice, no model call paid twice, one more attempt."""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count

from docprof.ai.models import LLMCall
from lectures import services
from lectures.models import Lecture, SectionDelivery
from lectures.tests.support import CALLS_KEY, ScriptedLectureLLM, make_course
from workers import watchdog
from workers.models import GenerationJob
from workers.testing import celery_worker_command, worker_environment

LATENCY = 1.0  # segment i's model call takes (i + 1) * LATENCY: segments are checkpointed one by one
STALE, HEARTBEAT = 6, 1  # a short watchdog clock (production: 20 s and 5 s), not to sleep through it
OBJECTIVES = [
    "Explain how gluten forms from flour and water",
    "Calculate dough hydration",
    "Describe proofing",
    "Explain oven spring",
]


@pytest.fixture
def start_worker(embedded_redis, tmp_path):
    started = []

    def start(name: str) -> subprocess.Popen:
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed at teardown)
        env = worker_environment(
            connection.settings_dict["NAME"],
            settings.MEDIA_ROOT,
            DOCPROF_TEST_LECTURE_LLM=f"scripted:{LATENCY}:stagger",
            DOCPROF_JOB_HEARTBEAT=str(HEARTBEAT),
        )
        process = subprocess.Popen(
            celery_worker_command(pool="threads", concurrency=4, name=name),
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = tmp_path / f"{name}.log"
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def wait_for(predicate, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None:
            assert worker.poll() is None, f"the worker exited while waiting for {what}"
        time.sleep(0.05)
    detail = worker.log_path.read_text()[-3000:] if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.django_db(transaction=True)
def test_a_lecture_survives_a_worker_killed_mid_lecture(
    alice, book, start_worker, monkeypatch, embedded_redis, settings
):
    settings.DOCPROF_JOB_STALE_AFTER = STALE  # the sweeps below run in this process
    # This process keys the lecture with the same scripted model the workers write with.
    monkeypatch.setattr("lectures.writing.current_llm", lambda: ScriptedLectureLLM())
    embedded_redis.delete(CALLS_KEY)
    _, section = make_course(alice, book, minutes=6, objectives=OBJECTIVES)
    first = start_worker("first")
    opened = services.open_section(section, alice)
    lecture = opened.lecture
    job_id = lecture.job_id

    def some_segments_checkpointed():
        row = GenerationJob.objects.get(pk=job_id)
        done = len(row.state.get("segments:items") or {})
        return row if 0 < done < len(OBJECTIVES) else None

    at_kill = wait_for(some_segments_checkpointed, 60, "the first segment", first)
    os.killpg(first.pid, signal.SIGKILL)  # the worker and everything it started
    first.wait(timeout=10)

    dead = GenerationJob.objects.get(pk=job_id)  # what the dead worker saved
    checkpointed = set(dead.state["segments:items"])
    assert set(at_kill.state["segments:items"]) <= checkpointed and len(checkpointed) < len(OBJECTIVES)
    assert dead.status == GenerationJob.Status.PROCESSING
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.GENERATING and lecture.script == "" and lecture.citations == []
    # Meanwhile another learner's request joins the same generation.
    assert services.open_section(section, alice).lecture.pk == lecture.pk

    second = start_worker("second")

    def swept_and_finished():
        watchdog.sweep()  # what beat runs every DOCPROF_WATCHDOG_EVERY seconds
        row = GenerationJob.objects.get(pk=job_id)
        return row if row.is_terminal else None

    finished = wait_for(swept_and_finished, 120, "the lecture to finish", second)
    assert finished.status == GenerationJob.Status.COMPLETE, finished.error
    assert finished.attempts == 2  # the request's attempt, and the re-driven one

    # one version, ready, every citation verified, written once
    assert Lecture.objects.filter(cache_key=lecture.cache_key).count() == 1
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.READY and lecture.version == 1
    assert lecture.citations and all(c["verified"] for c in lecture.citations)
    assert [s["objective"] for s in lecture.segments if s["kind"] == "objective"] == OBJECTIVES

    # no model call paid twice: every prompt reached the "provider" exactly once
    calls = {k.decode(): int(v) for k, v in embedded_redis.hgetall(CALLS_KEY).items()}
    assert len(calls) == len(OBJECTIVES) + 1 and set(calls.values()) == {1}, calls
    ledger = LLMCall.objects.filter(job_id=job_id, outcome=LLMCall.Outcome.OK)
    duplicated = ledger.values("request_hash").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicated.exists(), list(duplicated)
    assert ledger.count() == len(OBJECTIVES) + 1  # one call per objective and the finishing call
    # checkpointed segments were not asked again (at most an unsaved answer is replayed from the ledger)
    replayed = LLMCall.objects.filter(job_id=job_id, outcome=LLMCall.Outcome.REPLAYED).count()
    assert replayed <= len(OBJECTIVES) - len(checkpointed)

    delivered = services.open_section(section, alice)
    assert delivered.delivery is not None and SectionDelivery.objects.filter(user=alice).count() == 1
