"""Per-user rate of lecture generations: a DRF throttle counted in the shared Redis (every web
process sees the same counts). Only starting a generation counts; reading a cached lecture or
joining one being written does not, so the services call it at that point (not on every request)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from docprof.throttling import RedisHistory


class LectureGenerationThrottle(SimpleRateThrottle):
    scope = "lecture_generation"
    cache = RedisHistory()

    def get_rate(self):
        return settings.DOCPROF_LECTURE_RATE

    def get_cache_key(self, request, view):
        return f"{self.scope}:{request.user.pk}"

    def allow(self, user) -> bool:
        """Count one generation for `user` if the rate allows it."""
        return self.allow_request(_Request(user), None)


class _Request:
    def __init__(self, user):
        self.user = user


class RegenerateThrottle(LectureGenerationThrottle):
    """Per-user rate of "write a new version" requests (DOCPROF_REGENERATE_RATE)."""

    scope = "lecture_regenerate"

    def get_rate(self):
        return settings.DOCPROF_REGENERATE_RATE
