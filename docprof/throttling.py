"""Per-user rate limits as DRF throttles, counted in the shared Redis (so they hold across processes).

A throttled API call answers 429 with `Retry-After` (DRF's exception handler adds the header from
`wait()`); pages call :func:`page_wait` and answer the same way.
"""

from __future__ import annotations

import json
import logging
import math

import redis
from django.conf import settings
from rest_framework.throttling import UserRateThrottle

from docprof.redis_client import get_redis

log = logging.getLogger(__name__)


class RedisHistory:
    """The two cache calls SimpleRateThrottle makes (get and set the request history), on Redis.

    While Redis cannot be reached the limit is not enforced (logged): a question or a page is still
    served, instead of a 500 for a counter. What needs Redis to work (queueing a job) says so itself."""

    prefix = "docprof:throttle:"

    def get(self, key: str, default=None):
        try:
            raw = get_redis().get(self.prefix + key)
        except redis.RedisError as exc:
            log.warning("rate limit not checked, Redis unavailable: %s", exc)
            return default
        return json.loads(raw) if raw else default

    def set(self, key: str, value, timeout) -> None:
        try:
            get_redis().set(self.prefix + key, json.dumps(value), ex=max(1, math.ceil(timeout)))
        except redis.RedisError as exc:
            log.warning("rate limit not counted, Redis unavailable: %s", exc)


class CourseRequestThrottle(UserRateThrottle):
    """DOCPROF_COURSE_RATE_PER_HOUR course requests (POST) per user in any hour; reads are free."""

    scope = "course_request"
    cache = RedisHistory()

    def get_rate(self) -> str:
        return f"{settings.DOCPROF_COURSE_RATE_PER_HOUR}/hour"

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)


def page_wait(throttle_class, request) -> int | None:
    """For a page view: None if the request may go on, else the seconds to wait (for Retry-After)."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    return max(1, math.ceil(throttle.wait() or 1))
