import uuid

import pytest
from pydantic import BaseModel

from docprof.ai.ratelimit import Limits, RateLimiter


@pytest.fixture(autouse=True)
def fast_retries(settings):
    settings.DOCPROF_LLM_BACKOFF_BASE = 0
    settings.DOCPROF_LLM_BACKOFF_MAX = 0
    settings.DOCPROF_RATE_LIMIT_ENABLED = False


@pytest.fixture
def job(alice):
    from workers.models import GenerationJob

    return GenerationJob.objects.create(owner=alice, kind="course")


@pytest.fixture
def limiter_factory(embedded_redis):
    """RateLimiters on the real Redis, each test with its own key prefix."""
    prefix = f"test:rl:{uuid.uuid4().hex}"

    def make(rpm=600, tpm=1_000_000, **kwargs):
        return RateLimiter(embedded_redis, prefix=prefix, default=Limits(rpm, tpm), **kwargs)

    make.prefix = prefix
    return make


class Part(BaseModel):
    """One part of a course."""

    title: str
    minutes: int


class Outline(BaseModel):
    """A course outline."""

    parts: list[Part]
