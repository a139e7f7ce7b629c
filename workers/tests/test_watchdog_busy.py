"""The watchdog must re-drive a job whose worker died even while every worker thread is busy.

Today it cannot: beat sends `workers.watchdog` to the same queue as the jobs and a worker runs it
on the same thread pool, so while all threads run jobs (e.g. courses waiting on a slow or
throttling model) the sweep waits in line behind them; a worker may even hold the sweep's message
prefetched while another worker is idle. Measured here: a job stale for ten minutes, beat sending
the sweep every second, is re-driven only when a running job finishes (about 20 s later with this
scripted planner; as long as the longest running step in production). The "re-driven within 90 s
of a worker's death" promise then depends on a thread coming free. A dedicated queue for the
sweep (and a worker, or beat itself, that serves only it) would keep it on time."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from courses.tests.conftest import request_course
from courses.tests.support.scripted import worker_env
from library.tests.conftest import ingest
from workers.models import GenerationJob
from workers.testing import worker_environment
from workers.tests.support.stack import Stack
from workers.tests.test_broker_restart import BOOK, QUERY, wait_until

REDRIVEN = "Restarted after the worker stopped responding"


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="the watchdog runs as a task on the jobs' queue and thread pool (see the module docstring)",
)
@pytest.mark.timeout(180)
@pytest.mark.django_db(transaction=True)
def test_a_stale_job_is_redriven_while_every_worker_thread_is_busy(alice, embedded_redis, tmp_path):
    ingest(alice, BOOK, (settings.BASE_DIR / "sample_library" / BOOK).read_bytes())
    _course, stale = request_course(alice, QUERY, hours="2")
    embedded_redis.flushdb()  # its message is lost, as when its worker died
    GenerationJob.objects.filter(pk=stale.pk).update(
        status=GenerationJob.Status.PROCESSING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    env = worker_environment(
        connection.settings_dict["NAME"],
        settings.MEDIA_ROOT,
        **worker_env("slow-offline:6"),
        DOCPROF_JOB_STALE_AFTER="3",
    )
    stack = Stack(env, tmp_path)
    try:
        stack.start_worker(concurrency=2)
        busy = [request_course(alice, QUERY, hours="2")[1].pk for _ in range(2)]
        running = GenerationJob.objects.filter(
            pk__in=busy, status=GenerationJob.Status.PROCESSING, phase="parts"
        )
        wait_until(lambda: running.count() == 2, 60, "both worker threads to be busy")
        stack.start_beat(every=1)
        redriven = GenerationJob.objects.filter(Q(message=REDRIVEN) | Q(attempts__gte=2), pk=stale.pk)
        wait_until(redriven.exists, 10, "the sweep to re-drive the stale job", AssertionError)
    finally:
        stack.stop_all()
        embedded_redis.flushdb()
