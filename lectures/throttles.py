"""Per-user rate of lecture generations: a DRF throttle whose history lives in the shared Redis
(every web process sees the same counts). Only starting a generation counts; reading a cached
lecture or joining one being written does not."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from docprof.redis_client import get_redis


class _RedisHistory:
    """The two calls SimpleRateThrottle makes on its cache, over Redis."""

    def get(self, key, default=None):
        raw = get_redis().get(key)
        return json.loads(raw) if raw else default

    def set(self, key, value, timeout=None):
        get_redis().set(key, json.dumps(value), ex=max(1, int(timeout or 1)))


class LectureGenerationThrottle(SimpleRateThrottle):
    scope = "lecture_generation"
    cache = _RedisHistory()
    cache_format = "docprof:throttle:%(scope)s:%(ident)s"

    def get_rate(self):
        return settings.DOCPROF_LECTURE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}

    def allow(self, user) -> bool:
        """Count one generation for `user` if the rate allows it."""
        return self.allow_request(_Request(user), None)


class _Request:
    def __init__(self, user):
        self.user = user
