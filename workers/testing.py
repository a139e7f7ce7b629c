"""Starting real Celery worker processes for end-to-end tests and benchmarks."""

from __future__ import annotations

import os
import sys


def celery_worker_command(
    *, pool: str = "threads", concurrency: int = 4, name: str | None = None, queue: str | None = None
) -> list[str]:
    """`celery worker` for this project, quiet and without the cluster chatter a test does not need.
    It consumes the jobs' queue (CELERY_TASK_DEFAULT_QUEUE) unless told another."""
    from django.conf import settings

    command = [sys.executable, "-m", "celery", "-A", "docprof", "worker", "--pool", pool]
    command += ["--queues", queue or settings.CELERY_TASK_DEFAULT_QUEUE]
    if pool != "solo":
        command += ["--concurrency", str(concurrency)]
    if name:
        command += ["--hostname", f"{name}@%h"]
    return [*command, "--loglevel", "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"]


def watchdog_worker_command() -> list[str]:
    """The watchdog's own worker: its queue only, one sweep at a time (what `make run` starts)."""
    from django.conf import settings

    return celery_worker_command(pool="solo", name="watchdog", queue=settings.DOCPROF_WATCHDOG_QUEUE)


def worker_environment(database_name: str, media_root, **extra: str) -> dict[str, str]:
    """The environment that points a worker at a given database (e.g. the test database)."""
    return {
        **os.environ,
        "DOCPROF_DB_NAME": database_name,
        "DOCPROF_TESTING": "1",
        "DOCPROF_MEDIA_ROOT": str(media_root),
        # a test waits on its worker: at the usual priority, other processes on a shared CI machine
        # do not slow it down (the production default, DOCPROF_WORKER_NICE=10, is for a web server)
        "DOCPROF_WORKER_NICE": "0",
        **extra,
    }


def run_steps(job_id: int, names) -> None:
    """Run only the named steps of a job in this process (a test stopping a job half-way)."""
    from workers import jobs, runner
    from workers.models import GenerationJob
    from workers.registry import get_kind

    job = GenerationJob.objects.get(pk=job_id)
    kind = get_kind(job.kind)
    jobs.start(job_id)
    for step in kind.steps:
        if step.name in names and step.name not in job.state:
            if not runner._run_step(job, kind, step):
                return
            job.refresh_from_db(fields=["state"])
