"""A Celery worker must outlive a restart of its broker: Redis restarts while the worker runs a job
(an acks_late task, so the worker holds an unacknowledged message), the job finishes, and the same
worker then takes the next job.

With kombu 5.7.0 alone it does not: on the lost connection the consumer collects the connection (which
drops the transport's client) and then closes it again; the second close restores the unacked message
through a connection pool built from the dropped client (`AttributeError: 'NoneType' object has no
attribute 'hostname'` in `kombu/transport/redis.py::Channel._connparams`), and so does the running
task's ack when it ends. Celery calls the AttributeError an "Unrecoverable error" and the worker exits.
docprof/broker.py turns it into the connection error it is, which Celery handles (a "Couldn't ack"
line in the log), so the worker reconnects and goes on."""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.db import connection

from courses.tests.conftest import request_course
from courses.tests.support.scripted import worker_env
from library.tests.conftest import ingest
from workers.models import GenerationJob
from workers.testing import celery_worker_command, worker_environment
from workers.tests.support.stack import restart_redis

QUERY = "Learn DCF valuation"
BOOK = "valuing-a-business.md"


def wait_until(predicate, timeout: float, what: str, failure=RuntimeError):
    """RuntimeError when the test could not set the scene; AssertionError for what it checks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    rows = GenerationJob.objects.values_list("pk", "status", "phase", "error")
    raise failure(f"timed out waiting for {what}: {list(rows)}")


def status(job_id) -> str:
    return GenerationJob.objects.filter(pk=job_id).values_list("status", flat=True).first()


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_working_after_a_redis_restart_during_a_job(alice, embedded_redis, tmp_path):
    if not settings.REDIS_EMBEDDED:
        pytest.skip("restarts the embedded Redis")
    ingest(alice, BOOK, (settings.BASE_DIR / "sample_library" / BOOK).read_bytes())
    env = worker_environment(
        connection.settings_dict["NAME"], settings.MEDIA_ROOT, **worker_env("slow-offline:2")
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        celery_worker_command(pool="threads", concurrency=4, name="restart"),
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _course, first = request_course(alice, QUERY, hours="2")
        in_parts = GenerationJob.objects.filter(pk=first.pk, phase="parts", status="processing")
        wait_until(in_parts.exists, 60, f"step 3 of job {first.pk}")
        restart_redis(2)
        wait_until(lambda: status(first.pk) in GenerationJob.TERMINAL, 90, "the first job to end")
        if status(first.pk) != GenerationJob.Status.COMPLETE:
            raise RuntimeError(f"the first job did not complete: {status(first.pk)}")
        time.sleep(2)  # the first task's ack has been sent (or has failed) by now
        _course, second = request_course(alice, QUERY, hours="2")
        log_tail = lambda: (tmp_path / "worker.log").read_text()[-3000:]  # noqa: E731
        wait_until(
            lambda: status(second.pk) in GenerationJob.TERMINAL,
            30,
            f"the second job\n{log_tail()}",
            AssertionError,
        )
        assert worker.poll() is None, log_tail()
        assert "Unrecoverable error" not in (tmp_path / "worker.log").read_text(), log_tail()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        log.close()
