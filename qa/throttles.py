"""Per-user rate of questions (DOCPROF_QA_RATE), counted in the shared Redis so every web process
sees the same history; over the rate, 429 with Retry-After (DRF)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from docprof.throttling import RedisHistory

DEFAULT_RATE = "30/minute"


class QuestionThrottle(SimpleRateThrottle):
    scope = "qa_questions"
    cache = RedisHistory()  # keys docprof:throttle:qa_questions:<user>
    cache_format = "%(scope)s:%(ident)s"

    def get_rate(self):
        return getattr(settings, "DOCPROF_QA_RATE", DEFAULT_RATE)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
