"""Ledger + rate-limiter overhead per LLM call, with the FakeLLM at zero latency.

    .venv/bin/python manage.py migrate && .venv/bin/python bench/ai_overhead.py [--calls 500]

Uses the configured (dev) Postgres and Redis. Each configuration makes N distinct calls (so the
ledger never replays, except in the "replay" row); the overhead is the call time minus the median
call time of the bare FakeLLM. Target: p95 of ledger + limiter under 2 ms.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from docprof.ai.fake import FakeLLM  # noqa: E402
from docprof.ai.models import LLMCall  # noqa: E402
from docprof.ai.ratelimit import Limits, RateLimiter  # noqa: E402
from docprof.redis_client import get_redis  # noqa: E402
from workers.models import GenerationJob  # noqa: E402

SYSTEM = "You plan courses. " * 20


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(llm, n, job, *, same=False, warmup=20):
    times = []
    for i in range(warmup + n):
        content = "the same question" if same else f"question {i} {uuid.uuid4().hex}"
        start = time.perf_counter()
        llm.complete(SYSTEM, [{"role": "user", "content": content}], max_tokens=200, purpose="bench", job=job)
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    n = parser.parse_args().calls
    user, _ = get_user_model().objects.get_or_create(username="bench-ai")
    job = GenerationJob.objects.create(owner=user, kind="course", message="bench/ai_overhead.py")
    prefix = f"bench:rl:{uuid.uuid4().hex}"
    limiter = RateLimiter(get_redis(), prefix=prefix, default=Limits(10**9, 10**12))
    answer = "an answer " * 30
    try:
        configs = {
            "bare FakeLLM": FakeLLM(default=answer, ledger_enabled=False),
            "limiter only": FakeLLM(default=answer, ledger_enabled=False, limiter=limiter),
            "ledger only": FakeLLM(default=answer),
            "ledger + limiter": FakeLLM(default=answer, limiter=limiter),
        }
        results = {name: run(llm, n, job) for name, llm in configs.items()}
        results["replay (ledger hit)"] = run(configs["ledger + limiter"], n, job, same=True)
        base = statistics.median(results["bare FakeLLM"])
        print(f"{n} calls per configuration; bare FakeLLM median {base:.3f} ms (subtracted below)")
        print(f"{'configuration':<22} {'p50 ms':>8} {'p95 ms':>8}   (overhead per call)")
        for name, times in results.items():
            if name == "bare FakeLLM":
                continue
            over = [t - base for t in times]
            print(f"{name:<22} {percentile(over, 0.5):>8.3f} {percentile(over, 0.95):>8.3f}")
        p95 = percentile([t - base for t in results["ledger + limiter"]], 0.95)
        verdict = "OK" if p95 < 2.0 else "OVER TARGET"
        print(f"ledger + limiter p95 overhead {p95:.3f} ms (target < 2 ms): {verdict}")
        job.refresh_from_db()
        print(f"job counters: {job.llm_calls} calls, {job.input_tokens}+{job.output_tokens} tokens")
        overhead = {
            name: {
                "p50_ms": round(percentile([t - base for t in times], 0.5), 3),
                "p95_ms": round(percentile([t - base for t in times], 0.95), 3),
            }
            for name, times in results.items()
            if name != "bare FakeLLM"
        }
        print(
            json.dumps(
                {"calls": n, "bare_median_ms": round(base, 3), "overhead": overhead, "target_p95_ms": 2}
            )
        )
    finally:
        LLMCall.objects.filter(job_id=job.pk).delete()
        job.delete()
        get_redis().delete(f"{prefix}:fake-model")


if __name__ == "__main__":
    main()
