"""Celery tasks: thin adapters that take a job id and call a runner."""

from celery import shared_task

from workers import runners


@shared_task(name="workers.ingest_book", acks_late=True, reject_on_worker_lost=True)
def ingest_book(job_id: int) -> None:
    runners.run_ingest(job_id)
