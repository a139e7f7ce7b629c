"""Nothing stays 'processing' forever: re-drive jobs whose heartbeat went quiet, then give up."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from workers import engine, jobs

log = logging.getLogger(__name__)


def sweep(now=None) -> dict:
    """Queue each stale job again (its runner resumes at the first unfinished step), up to
    DOCPROF_JOB_MAX_ATTEMPTS attempts; then fail it with a message."""
    now = now or timezone.now()
    after = settings.DOCPROF_JOB_STALE_AFTER
    redriven, failed = [], []
    for job in jobs.stale(now, after=after).only("id", "kind", "target_id", "owner_id", "attempts"):
        if job.attempts >= settings.DOCPROF_JOB_MAX_ATTEMPTS:
            engine.give_up(
                job,
                f"This job stopped responding and was restarted {job.attempts} times without finishing. "
                "Resume it to try again.",
                "watchdog: heartbeat stale",
            )
            failed.append(job.pk)
        elif engine.redrive(
            job, "Restarted after the worker stopped responding", now - timedelta(seconds=after)
        ):
            redriven.append(job.pk)
    if redriven or failed:
        log.warning("watchdog re-drove jobs %s, failed jobs %s", redriven, failed)
    return {"redriven": redriven, "failed": failed}
