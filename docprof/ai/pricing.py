"""Cost from a per-model price table (USD per million input/output tokens).

Defaults below are on-demand Bedrock list prices (us-east-1) at the time of writing; override or
add models with the env JSON `DOCPROF_LLM_PRICES='{"model id": [input, output]}'`. Cross-region
inference-profile prefixes ("us.", "eu.", "apac.", "global.") are ignored when looking a model up.
A model without a price costs 0 (and `check_ai` says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "anthropic.claude-3-haiku-20240307-v1:0": (0.25, 1.25),
    "anthropic.claude-3-5-haiku-20241022-v1:0": (0.80, 4.00),
    "anthropic.claude-haiku-4-5-20251001-v1:0": (1.00, 5.00),
    "anthropic.claude-3-5-sonnet-20240620-v1:0": (3.00, 15.00),
    "anthropic.claude-3-5-sonnet-20241022-v2:0": (3.00, 15.00),
    "anthropic.claude-3-7-sonnet-20250219-v1:0": (3.00, 15.00),
    "anthropic.claude-sonnet-4-20250514-v1:0": (3.00, 15.00),
    "anthropic.claude-sonnet-4-5-20250929-v1:0": (3.00, 15.00),
    "amazon.nova-micro-v1:0": (0.035, 0.14),
    "amazon.nova-lite-v1:0": (0.06, 0.24),
    "amazon.nova-pro-v1:0": (0.80, 3.20),
    "meta.llama3-1-8b-instruct-v1:0": (0.22, 0.22),
    "meta.llama3-1-70b-instruct-v1:0": (0.72, 0.72),
    "meta.llama3-3-70b-instruct-v1:0": (0.72, 0.72),
    "mistral.mistral-large-2402-v1:0": (4.00, 12.00),
    "amazon.titan-embed-text-v2:0": (0.02, 0.0),
    "cohere.embed-english-v3": (0.10, 0.0),
}
PROFILE_PREFIXES = ("us.", "eu.", "apac.", "us-gov.", "global.", "jp.", "au.", "ca.")
MILLION = Decimal(1_000_000)
CENT_MICROS = Decimal("0.000001")


def base_model_id(model: str) -> str:
    """ "us.anthropic.claude-..." -> "anthropic.claude-..." (an ARN keeps its last path part)."""
    model = model.rsplit("/", 1)[-1]
    for prefix in PROFILE_PREFIXES:
        if model.startswith(prefix):
            return model[len(prefix) :]
    return model


def price_table() -> dict[str, tuple[Decimal, Decimal]]:
    table = {**DEFAULT_PRICES, **settings.DOCPROF_LLM_PRICES}
    return {m: (Decimal(str(p[0])), Decimal(str(p[1]))) for m, p in table.items()}


def price_for(model: str) -> tuple[Decimal, Decimal] | None:
    table = price_table()
    return table.get(model) or table.get(base_model_id(model))


def configured_model() -> str:
    kind = settings.DOCPROF_LLM
    if kind == "bedrock":
        return settings.DOCPROF_BEDROCK_MODEL
    if kind == "openai":
        return settings.DOCPROF_OPENAI_MODEL
    return ""


def estimate_cost(input_tokens: int, output_tokens: int, model: str | None = None) -> Decimal:
    """USD for the tokens with `model` (default: the configured LLM), rounded to 6 places."""
    prices = price_for(model if model is not None else configured_model())
    if not prices:
        return Decimal(0)
    cost = (Decimal(input_tokens) * prices[0] + Decimal(output_tokens) * prices[1]) / MILLION
    return cost.quantize(CENT_MICROS)


@dataclass(frozen=True)
class CostEstimate:
    model: str
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal

    def __add__(self, other: CostEstimate) -> CostEstimate:
        return CostEstimate(
            self.model,
            self.calls + other.calls,
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cost_usd + other.cost_usd,
        )


def estimate_calls(calls: list[tuple[int, int]], model: str | None = None) -> CostEstimate:
    """Sum a list of (input_tokens, output_tokens) planned calls."""
    model = model if model is not None else configured_model()
    tin = sum(c[0] for c in calls)
    tout = sum(c[1] for c in calls)
    return CostEstimate(model, len(calls), tin, tout, estimate_cost(tin, tout, model))


def estimate_course(
    requested_hours: float,
    *,
    model: str | None = None,
    parts: int | None = None,
    section_minutes: int = 15,
    context_tokens: int = 6_000,
    include_lectures: bool = False,
    words_per_minute: int = 130,
    lecture_context_tokens: int = 8_000,
) -> CostEstimate:
    """Rough tokens and dollars to plan a course (and optionally write every lecture) before starting.

    Planning = one "generate parts" call, one "expand part" call per part, one "review" call; each
    reads about `context_tokens` of summaries. Lectures = one call per section writing
    minutes x words_per_minute words (~1.35 tokens per word) from `lecture_context_tokens` of passages.
    """
    minutes = max(1, round(requested_hours * 60))
    sections = max(1, math.ceil(minutes / section_minutes))
    parts = parts or max(1, min(8, math.ceil(requested_hours * 2)))
    per_part_sections = math.ceil(sections / parts)
    calls = [(context_tokens, 150 * parts + 200)]  # parts: title + objectives each
    calls += [(context_tokens + 500, 250 * per_part_sections + 200)] * parts
    calls.append((1_000 + 120 * sections, 150 * sections // 2 + 200))  # review
    if include_lectures:
        lecture_out = int(section_minutes * words_per_minute * 1.35) + 300
        calls += [(lecture_context_tokens, lecture_out)] * sections
    return estimate_calls(calls, model)
