"""One Redis client per process for locks and rate limits (the Celery broker has its own)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def get_redis() -> redis.Redis:
    if settings.REDIS_EMBEDDED:
        from docprof import embedded

        embedded.ensure_redis()
    return redis.Redis.from_url(settings.REDIS_URL)
