"""Per-user rate of questions (DOCPROF_QA_RATE), counted in the shared Redis so every web process
sees the same history; over the rate, 429 with Retry-After (DRF)."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from docprof.redis_client import get_redis

DEFAULT_RATE = "30/minute"


class _RedisHistory:
    def get(self, key, default=None):
        raw = get_redis().get(key)
        return json.loads(raw) if raw else default

    def set(self, key, value, timeout=None):
        get_redis().set(key, json.dumps(value), ex=max(1, int(timeout or 1)))


class QuestionThrottle(SimpleRateThrottle):
    scope = "qa_questions"
    cache = _RedisHistory()
    cache_format = "docprof:throttle:%(scope)s:%(ident)s"

    def get_rate(self):
        return getattr(settings, "DOCPROF_QA_RATE", DEFAULT_RATE)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
