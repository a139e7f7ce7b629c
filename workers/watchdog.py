"""Nothing stays 'processing' forever: re-drive jobs whose heartbeat went quiet, then give up."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from workers import jobs
from workers.models import GenerationJob

log = logging.getLogger(__name__)


def stale_jobs(now=None):
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.DOCPROF_JOB_STALE_AFTER)
    queued_limit = now - timedelta(seconds=settings.DOCPROF_JOB_STALE_AFTER * 2)
    return GenerationJob.objects.filter(
        Q(status=GenerationJob.Status.PROCESSING, heartbeat_at__lt=limit)
        | Q(status=GenerationJob.Status.QUEUED, heartbeat_at__lt=queued_limit)
        | Q(status=GenerationJob.Status.QUEUED, heartbeat_at__isnull=True, created_at__lt=queued_limit)
    )


def sweep(now=None) -> dict:
    """Re-drive each stale job from its last completed phase, up to DOCPROF_JOB_MAX_ATTEMPTS."""
    redriven, failed = [], []
    for job in stale_jobs(now):
        if job.attempts >= settings.DOCPROF_JOB_MAX_ATTEMPTS:
            jobs.fail(
                job.pk,
                f"This job stopped responding and was restarted {job.attempts} times without finishing. "
                "Resume it to try again.",
                "watchdog: heartbeat stale",
            )
            _mark_target_failed(job)
            failed.append(job.pk)
            continue
        if redrive(job, "Restarted after the worker stopped responding"):
            redriven.append(job.pk)
    if redriven or failed:
        log.warning("watchdog re-drove jobs %s, failed jobs %s", redriven, failed)
    return {"redriven": redriven, "failed": failed}


def redrive(job: GenerationJob, message: str) -> bool:
    """Enqueue a job again from where it stopped (used by the watchdog and by Resume)."""
    from django.db import transaction

    with transaction.atomic():
        if not jobs.redrive(job.pk, message):
            return False
        # Only jobs nobody drives are re-driven (a stale heartbeat, or failed/cancelled): a lock
        # left by a killed worker must not make the new chain skip its phases.
        jobs.break_lock(job.pk)
        job.refresh_from_db()
        if job.kind == GenerationJob.Kind.COURSE:
            from workers.course_runner import course_chain, first_unfinished_phase

            jobs.enqueue_chain_on_commit(job, course_chain(job, first_unfinished_phase(job.state)))
        elif job.kind == GenerationJob.Kind.INGEST:
            jobs.enqueue_on_commit(job, "workers.ingest_book")
        else:
            return False
    return True


def _mark_target_failed(job: GenerationJob) -> None:
    if job.kind == GenerationJob.Kind.COURSE:
        from courses.models import Course

        Course.objects.filter(pk=job.target_id, status=Course.Status.GENERATING).update(
            status=Course.Status.ERROR
        )
    elif job.kind == GenerationJob.Kind.INGEST:
        from library.models import Book

        Book.objects.filter(pk=job.target_id).exclude(status=Book.Status.READY).update(
            status=Book.Status.ERROR, error="Ingestion stopped responding; upload the book again."
        )
