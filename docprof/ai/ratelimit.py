"""A Redis token bucket per model, shared by every process and machine on the same Redis.

Two buckets per model, requests and tokens, each refilling continuously at its per-minute limit and
holding at most `capacity_seconds` of refill (60 = a whole minute's quota). One Lua script checks
and takes from both atomically, using Redis' clock so machines need not agree on the time. A caller
that does not fit waits (bounded by `max_wait`, logged); past the bound it gets `Throttled`.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from docprof.ai.errors import Throttled

log = logging.getLogger(__name__)

# KEYS[1] bucket hash; ARGV: rpm, tpm, request cost, token cost (negative = refund), capacity seconds.
# Returns "0" when taken, else the milliseconds to wait before trying again (nothing taken).
BUCKET_LUA = """
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local rc = tonumber(ARGV[3])
local tc = tonumber(ARGV[4])
local cap_s = tonumber(ARGV[5])
local rcap = math.max(1, rpm * cap_s / 60)
local tcap = math.max(1, tpm * cap_s / 60)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local b = redis.call('HMGET', KEYS[1], 'r', 't', 'ts')
local r = tonumber(b[1]) or rcap
local tk = tonumber(b[2]) or tcap
local ts = tonumber(b[3]) or now
local elapsed = math.max(0, now - ts)
r = math.min(rcap, r + elapsed * rpm / 60000)
tk = math.min(tcap, tk + elapsed * tpm / 60000)
if tc > tcap then tc = tcap end
local wait = 0
if rc > 0 and r < rc then wait = (rc - r) * 60000 / rpm end
if tc > 0 and tk < tc then wait = math.max(wait, (tc - tk) * 60000 / tpm) end
if wait == 0 then
  r = r - rc
  tk = math.min(tcap, tk - tc)
end
redis.call('HSET', KEYS[1], 'r', tostring(r), 't', tostring(tk), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap_s * 1000) + 60000)
return tostring(wait)
"""


@dataclass(frozen=True)
class Limits:
    rpm: int
    tpm: int


class RateLimiter:
    """Usable without Django (tests, other processes): pass the Redis client and limits."""

    def __init__(
        self,
        redis,
        *,
        prefix: str = "docprof:ratelimit",
        default: Limits = Limits(50, 200_000),
        per_model: dict[str, Limits] | None = None,
        max_wait: float = 120.0,
        capacity_seconds: float = 60.0,
    ):
        self.redis = redis
        self.prefix = prefix
        self.default = default
        self.per_model = per_model or {}
        self.max_wait = max_wait
        self.capacity_seconds = capacity_seconds
        self._script = redis.register_script(BUCKET_LUA)

    def limits_for(self, model: str) -> Limits:
        return self.per_model.get(model, self.default)

    def _take(self, model: str, requests: int, tokens: int) -> float:
        lim = self.limits_for(model)
        args = [lim.rpm, lim.tpm, requests, tokens, self.capacity_seconds]
        return float(self._script(keys=[f"{self.prefix}:{model}"], args=args)) / 1000.0

    def acquire(
        self, model: str, tokens: int = 0, *, requests: int = 1, max_wait: float | None = None
    ) -> float:
        """Take one request and `tokens` tokens for `model`, waiting if needed; return seconds waited."""
        bound = self.max_wait if max_wait is None else max_wait
        start = time.monotonic()
        slept = False
        while True:
            wait = self._take(model, requests, tokens)
            waited = time.monotonic() - start if slept else 0.0
            if wait <= 0:
                if slept:
                    log.info("rate limit: waited %.2fs for %s (%d tokens)", waited, model, tokens)
                return waited
            if waited + wait > bound:
                log.warning("rate limit: %s over the %.0fs wait bound (%d tokens)", model, bound, tokens)
                raise Throttled(
                    f"Rate limit for {model}: no capacity within {bound:.0f}s "
                    f"(limits {self.limits_for(model)}); raise the limits or retry later."
                )
            # Jitter keeps many waiting workers from waking in lockstep.
            time.sleep(wait + random.uniform(0, min(0.05, wait * 0.1)))
            slept = True

    def refund(self, model: str, tokens: int) -> None:
        """Give back reserved tokens that were not used (e.g. max_tokens larger than the output).

        Best effort: a refund follows an answer the provider has already billed, which must still
        reach the ledger (or a retry pays for it again). With Redis unreachable the refund is
        skipped (logged); the bucket refills on its own."""
        if tokens > 0:
            try:
                self._take(model, 0, -tokens)
            except RedisError as exc:
                log.warning("rate limit: refund of %d tokens for %s skipped: %r", tokens, model, exc)


def _limits(value) -> Limits:
    return Limits(int(value["rpm"]), int(value["tpm"]))


def get_limiter(kind: str = "llm") -> RateLimiter | None:
    """The shared limiter from settings (kind "llm" or "embed"), or None if disabled."""
    from django.conf import settings

    from docprof.redis_client import get_redis

    if not settings.DOCPROF_RATE_LIMIT_ENABLED:
        return None
    if kind == "embed":
        default = Limits(settings.DOCPROF_EMBED_RPM, settings.DOCPROF_EMBED_TPM)
    else:
        default = Limits(settings.DOCPROF_LLM_RPM, settings.DOCPROF_LLM_TPM)
    return RateLimiter(
        get_redis(),
        prefix=settings.DOCPROF_RATE_LIMIT_PREFIX,
        default=default,
        per_model={m: _limits(v) for m, v in settings.DOCPROF_RATE_LIMITS.items()},
        max_wait=settings.DOCPROF_RATE_LIMIT_MAX_WAIT,
    )
