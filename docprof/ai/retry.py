"""In-process retries of transient provider errors: exponential backoff with full jitter (tenacity)."""

from __future__ import annotations

import logging

from django.conf import settings
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from docprof.ai.errors import RETRYABLE

log = logging.getLogger(__name__)


def retrying(what: str, max_attempts: int | None = None) -> Retrying:
    return Retrying(
        retry=retry_if_exception_type(RETRYABLE),
        wait=wait_random_exponential(
            multiplier=settings.DOCPROF_LLM_BACKOFF_BASE, max=settings.DOCPROF_LLM_BACKOFF_MAX
        ),
        stop=stop_after_attempt(max_attempts or settings.DOCPROF_LLM_MAX_ATTEMPTS),
        reraise=True,
        before_sleep=lambda rs: log.warning(
            "%s attempt %d failed: %s; retrying", what, rs.attempt_number, rs.outcome.exception()
        ),
    )


def call_with_retries(what: str, fn, *args, max_attempts: int | None = None, **kwargs):
    for attempt in retrying(what, max_attempts):
        with attempt:
            return fn(*args, **kwargs)
    raise AssertionError("unreachable")
