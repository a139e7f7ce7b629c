"""Celery tasks: thin adapters that take a job id and call the one runner."""

from celery import shared_task

from workers import runner, watchdog
from workers.models import GenerationJob

BUSY_RETRY_SECONDS = 3


@shared_task(name="workers.run_job", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=60)
def run_job(self, job_id: int) -> None:
    if runner.run_job(job_id) == "busy" and _waiting(job_id):
        # Resumed while the previous runner is still winding down: try again once its lock is free.
        raise self.retry(countdown=BUSY_RETRY_SECONDS)


def _waiting(job_id: int) -> bool:
    return GenerationJob.objects.filter(pk=job_id, status=GenerationJob.Status.QUEUED).exists()


@shared_task(name="workers.watchdog", acks_late=False, ignore_result=True)
def watchdog_sweep() -> None:
    watchdog.sweep()
