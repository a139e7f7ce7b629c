"""A planner for crash tests and benchmarks: the offline planner behind a fake model of fixed latency.

Each planner step (generate parts, expand one part, review) first makes one real `LLM.complete`
call on a `FakeLLM` that sleeps `latency` seconds, so the call goes through the ledger exactly as a
provider call would (an identical request inside the same job is replayed, never sent twice); the
offline planner then produces the content. Every call that reaches the fake provider is counted in
Redis under `docprof:test-planner:{job_id}` (field = purpose/part), so a test in another process
can see how many times each step was really paid for.

A worker subprocess selects it with the environment:

    DOCPROF_PLANNER=courses.tests.support.scripted.from_env
    DOCPROF_TEST_PLANNER=slow-offline:SECONDS            every step takes SECONDS
    DOCPROF_TEST_PLANNER=slow-offline:SECONDS:stagger    part i takes (i + 1) * SECONDS to expand
    DOCPROF_TEST_PLANNER=fake-model:SECONDS              the model planner over a scripted fake model
"""

from __future__ import annotations

import os
import re

from courses.budget import PartPlan
from courses.planning.base import PartDraft, PlanContext, Planner
from courses.planning.offline import OfflinePlanner

ENV = "DOCPROF_TEST_PLANNER"
FACTORY = "courses.tests.support.scripted.from_env"


def worker_env(spec: str) -> dict[str, str]:
    """The environment that makes a worker subprocess plan with `from_spec(spec)`."""
    return {"DOCPROF_PLANNER": FACTORY, ENV: spec}


def from_env() -> Planner:
    return from_spec(os.environ[ENV])


def calls_key(job_id) -> str:
    return f"docprof:test-planner:{job_id}"


def provider_calls(job_id) -> dict[str, int]:
    """How many calls reached the fake provider for each step of a job (read by tests)."""
    from docprof.redis_client import get_redis

    raw = get_redis().hgetall(calls_key(job_id))
    return {k.decode(): int(v) for k, v in raw.items()}


class SlowPlanner(Planner):
    name = "slow-offline"
    version = "1"

    def __init__(self, latency: float, stagger: bool = False, inner: Planner | None = None):
        self.latency = latency
        self.stagger = stagger
        self.inner = inner or OfflinePlanner()

    def _ask(self, ctx: PlanContext, step: str, latency: float) -> None:
        from docprof.ai.fake import FakeLLM
        from docprof.redis_client import get_redis

        def answer(system, messages, schema):
            get_redis().hincrby(calls_key(ctx.job_id), step, 1)
            return f"ok {step}"

        FakeLLM(default=answer, latency=latency).complete(
            "You plan courses.",
            [{"role": "user", "content": f"{step} for: {ctx.query}"}],
            max_tokens=64,
            purpose=f"courses.{step.split(':')[0]}",
            job=ctx.job_id,
        )

    def generate_parts(self, ctx: PlanContext) -> tuple[str, list[PartDraft], list[str]]:
        self._ask(ctx, "generate_parts", self.latency)
        return self.inner.generate_parts(ctx)

    def expand_part(self, ctx: PlanContext, parts: list[PartDraft], index: int) -> list[dict]:
        self._ask(ctx, f"expand_part:{index}", self.latency * ((index + 1) if self.stagger else 1))
        return self.inner.expand_part(ctx, parts, index)

    def review(self, ctx: PlanContext, parts: list[PartPlan]) -> list[PartPlan]:
        self._ask(ctx, "review_outline", self.latency)
        return self.inner.review(ctx, parts)


def scripted_model_answer(system, messages, schema):
    """A deterministic stand-in for a model behind the ModelPlanner: it plans from the ids offered
    in the prompt (chapters for parts, passages for sections) and answers the review with no change."""
    from courses.schemas import ExpandedPart, OutlineReview, PartsOutline

    prompt = messages[-1]["content"]
    if schema is PartsOutline:
        chapters = [int(x) for x in re.findall(r'chapter_id="(\d+)"', prompt)] or [0]
        minutes = int(re.search(r"Time available: (\d+) minutes", prompt).group(1))
        low = int(re.search(r"Plan (\d+)", prompt).group(1))
        count = max(1, low)
        return {
            "title": "Scripted course",
            "parts": [
                {
                    "title": f"Part {i + 1}",
                    "summary": f"Part {i + 1}.",
                    "minutes": minutes / count,
                    "chapter_ids": chapters[i::count] or chapters[:1],
                }
                for i in range(count)
            ],
        }
    if schema is ExpandedPart:
        chunks = [int(x) for x in re.findall(r'chunk_id="(\d+)"', prompt)]
        title = re.search(r'Expand part \d+, "([^"]+)"', prompt).group(1)
        return {
            "sections": [
                {
                    "title": f"{title}, section {i + 1}",
                    "minutes": 30,
                    "learning_objectives": [f"Explain idea {i + 1}", f"Apply idea {i + 1}"],
                    "content_summary": "",
                    "source_chunk_ids": chunks[i * 2 : i * 2 + 2],
                }
                for i in range(3)
            ]
        }
    if schema is OutlineReview:
        return {"parts": [], "notes": ""}
    raise ValueError(f"unexpected schema {schema}")


def from_spec(spec: str) -> Planner:
    """`slow-offline:SECONDS[:stagger]` -> a SlowPlanner; `fake-model:SECONDS` -> the ModelPlanner
    over a FakeLLM of that latency answering with `scripted_model_answer`."""
    kind, _, rest = spec.partition(":")
    if kind == "fake-model":
        from courses.planning.model import ModelPlanner
        from docprof.ai.fake import FakeLLM

        return ModelPlanner(FakeLLM(default=scripted_model_answer, latency=float(rest or 0.3)))
    if kind != "slow-offline":
        raise ValueError(f"unknown {ENV} value: {spec!r}")
    seconds, _, option = rest.partition(":")
    return SlowPlanner(float(seconds or 0.3), stagger=option == "stagger")
