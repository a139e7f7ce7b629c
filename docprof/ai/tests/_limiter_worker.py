"""Run in a separate process by test_ratelimit (imports nothing from Django)."""

import time

import redis

from docprof.ai.ratelimit import Limits, RateLimiter


def take(redis_url: str, prefix: str, count: int, rpm: int, capacity_seconds: float, out) -> None:
    limiter = RateLimiter(
        redis.Redis.from_url(redis_url),
        prefix=prefix,
        default=Limits(rpm, 10**9),
        capacity_seconds=capacity_seconds,
        max_wait=30,
    )
    for _ in range(count):
        limiter.acquire("model-x")
        out.put(time.time())
