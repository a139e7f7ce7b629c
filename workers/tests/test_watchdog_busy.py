"""The watchdog must re-drive a job whose worker died even while every worker thread is busy.

Beat sends `workers.watchdog` to a queue of its own (CELERY_TASK_ROUTES), which a worker of its own
serves (`make run` and docker compose start it); the job workers consume only the jobs' queue. So a
sweep never waits in line behind running jobs, e.g. courses waiting on a slow or throttling model.
(When the sweep shared the jobs' queue and thread pool, the job below was re-driven only when a
running job finished, about 20 s later with this scripted planner.)"""

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
        DOCPROF_JOB_HEARTBEAT="1",  # the busy jobs' heartbeats stay fresh: only the stale job is re-driven
    )
    stack = Stack(env, tmp_path)
    try:
        stack.start_worker(concurrency=2)
        stack.start_watchdog()
        busy = [request_course(alice, QUERY, hours="2")[1].pk for _ in range(2)]
        running = GenerationJob.objects.filter(
            pk__in=busy, status=GenerationJob.Status.PROCESSING, phase="parts"
        )
        wait_until(lambda: running.count() == 2, 60, "both worker threads to be busy")
        stack.start_beat(every=1)
        redriven = GenerationJob.objects.filter(Q(message=REDRIVEN) | Q(attempts__gte=2), pk=stale.pk)
        wait_until(redriven.exists, 10, "the sweep to re-drive the stale job", AssertionError)
        # the sweep did not wait for a thread: the jobs that keep them busy are still running
        still_running = GenerationJob.objects.filter(pk__in=busy, status=GenerationJob.Status.PROCESSING)
        assert still_running.count() == 2, list(GenerationJob.objects.values_list("pk", "status", "phase"))
    finally:
        stack.stop_all()
        embedded_redis.flushdb()
