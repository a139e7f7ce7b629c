"""Celery tasks: thin adapters that take ids and call a runner."""

from celery import shared_task

from workers import course_runner, runners, watchdog


@shared_task(name="workers.ingest_book", acks_late=True, reject_on_worker_lost=True)
def ingest_book(job_id: int) -> None:
    runners.run_ingest(job_id)


@shared_task(name="workers.course_phase", acks_late=True, reject_on_worker_lost=True)
def course_phase(job_id: int, phase: str) -> None:
    course_runner.run_phase(job_id, phase)


@shared_task(name="workers.watchdog", acks_late=False, ignore_result=True)
def watchdog_sweep() -> None:
    watchdog.sweep()
