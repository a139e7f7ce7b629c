"""The shared token bucket against the real Redis: threads and processes share one limit."""

import multiprocessing
import threading
import time

import pytest
import redis
from django.conf import settings

from docprof.ai import errors
from docprof.ai.fake import FakeLLM
from docprof.ai.tests import _limiter_worker

# 1200 requests/min = 20/s, holding at most 0.5 s of refill = a burst of 10.
RPM, CAP_S, BURST, RATE = 1200, 0.5, 10, 20.0


def assert_rate(stamps, total):
    stamps = sorted(stamps)
    assert len(stamps) == total
    elapsed = stamps[-1] - stamps[0]
    minimum = (total - BURST) / RATE
    assert elapsed >= minimum * 0.9, (elapsed, minimum)
    assert elapsed < minimum + 2.0
    # In any 1-second window no more than the burst plus one second of refill.
    for i, t in enumerate(stamps):
        in_window = sum(1 for s in stamps[i:] if s - t <= 1.0)
        assert in_window <= BURST + RATE + 1


def test_threads_share_the_bucket(limiter_factory):
    limiter = limiter_factory(rpm=RPM, capacity_seconds=CAP_S)
    stamps, lock = [], threading.Lock()

    def work():
        for _ in range(5):
            limiter.acquire("model-x")
            with lock:
                stamps.append(time.time())

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert_rate(stamps, 40)


def test_processes_share_the_bucket(limiter_factory):
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=_limiter_worker.take,
            args=(settings.REDIS_URL, limiter_factory.prefix, 10, RPM, CAP_S, out),
        )
        for _ in range(4)
    ]
    for p in procs:
        p.start()
    stamps = [out.get(timeout=30) for _ in range(40)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert_rate(stamps, 40)


def test_tokens_per_minute_bound_and_refund(limiter_factory):
    limiter = limiter_factory(rpm=10_000, tpm=6_000, capacity_seconds=1)  # 100 tokens/s, bucket 100
    assert limiter.acquire("m", 100) == 0
    with pytest.raises(errors.Throttled, match="no capacity within"):
        limiter.acquire("m", 100, max_wait=0.2)  # needs ~1 s
    limiter.refund("m", 80)
    assert limiter.acquire("m", 80, max_wait=0.0) == 0


def test_wait_is_bounded_and_logged(limiter_factory, caplog):
    limiter = limiter_factory(rpm=600, capacity_seconds=0.1)  # burst 1, then 10/s
    limiter.acquire("m")
    with caplog.at_level("INFO", logger="docprof.ai.ratelimit"):
        waited = limiter.acquire("m", max_wait=2)
    assert 0.05 < waited < 0.5
    assert "rate limit: waited" in caplog.text


def test_models_have_separate_buckets(limiter_factory):
    limiter = limiter_factory(rpm=600, capacity_seconds=0.1)
    limiter.acquire("a")
    assert limiter.acquire("b", max_wait=0) == 0


def test_per_model_limits(limiter_factory):
    from docprof.ai.ratelimit import Limits

    limiter = limiter_factory(per_model={"big": Limits(5, 100)})
    assert limiter.limits_for("big") == Limits(5, 100)
    assert limiter.limits_for("other").rpm == 600


@pytest.mark.django_db
def test_llm_calls_go_through_the_limiter(limiter_factory):
    limiter = limiter_factory(rpm=600, capacity_seconds=0.1)
    llm = FakeLLM(["a", "b"], limiter=limiter)
    user = [{"role": "user", "content": "q"}]
    llm.complete("s", user, max_tokens=5, purpose="t")
    started = time.monotonic()
    llm.complete("s", user + [], max_tokens=6, purpose="t")
    assert time.monotonic() - started >= 0.05


@pytest.mark.django_db
def test_limiter_over_bound_is_throttled_and_retried(limiter_factory):
    limiter = limiter_factory(rpm=60, capacity_seconds=1, max_wait=0)  # 1 per second, no waiting
    llm = FakeLLM(["a", "b"], limiter=limiter, max_attempts=1)
    user = [{"role": "user", "content": "q"}]
    llm.complete("s", user, max_tokens=5, purpose="t")
    with pytest.raises(errors.Throttled):
        llm.complete("s", user, max_tokens=6, purpose="t")


class _RedisGone:
    """A Redis client whose server stopped (a restart): every command fails to connect."""

    def register_script(self, script):
        def run(**kwargs):
            raise redis.exceptions.ConnectionError("Error 2 connecting to redis.sock")

        return run


@pytest.mark.django_db
def test_an_answer_in_hand_is_recorded_when_the_refund_cannot_reach_redis(limiter_factory, monkeypatch):
    """The refund after an answer is bookkeeping: Redis stopping between the call and the refund
    must not lose the paid answer (no ledger row, so the step's retry would pay for it again)."""
    from docprof.ai.models import LLMCall

    limiter = limiter_factory()
    llm = FakeLLM(["the answer"], limiter=limiter)
    real_call = llm._call

    def answer_then_redis_stops(*args, **kwargs):
        response = real_call(*args, **kwargs)
        limiter._script = _RedisGone().register_script("")
        return response

    monkeypatch.setattr(llm, "_call", answer_then_redis_stops)
    job = 4242  # ledger rows are keyed by a job id
    result = llm.complete("s", [{"role": "user", "content": "q"}], max_tokens=50, purpose="t", job=job)
    assert result.text == "the answer"
    row = LLMCall.objects.get(pk=result.call_id)
    assert row.outcome == LLMCall.Outcome.OK and row.job_id == job
    # the next identical request in the job is a replay, not a second payment
    again = llm.complete("s", [{"role": "user", "content": "q"}], max_tokens=50, purpose="t", job=job)
    assert again.replayed and again.text == "the answer"
