"""The time contract: a deterministic rebalancing of a proposed outline.

Whatever a planner (or a model) proposes, `rebalance` returns an outline whose section minutes are
whole numbers within [SECTION_MIN, SECTION_MAX], whose parts hold at least one section, and whose
total is exactly the requested minutes (so always within the 5% promised). Part lengths are kept
within [PART_MIN, PART_MAX] whenever the requested time allows it.
"""

from __future__ import annotations

import math
from copy import deepcopy
from dataclasses import dataclass, field

SECTION_MIN, SECTION_MAX = 10, 90
PART_MIN, PART_MAX = 30, 120
OBJECTIVES_MIN, OBJECTIVES_MAX = 2, 6
TOLERANCE = 0.05


class BudgetError(ValueError):
    pass


@dataclass
class SectionPlan:
    title: str
    minutes: float
    learning_objectives: list[str] = field(default_factory=list)
    content_summary: str = ""
    source_chunk_ids: list[int] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)


@dataclass
class PartPlan:
    title: str
    sections: list[SectionPlan]
    summary: str = ""

    @property
    def minutes(self) -> int:
        return sum(int(s.minutes) for s in self.sections)


def part_count_range(total_minutes: int) -> tuple[int, int]:
    """Under 2 hours: 1 part; 2-4 hours: 2-3; more: 3-5 -- widened so parts stay <= 2 hours."""
    hours = total_minutes / 60
    if hours < 2:
        low, high = 1, 1
    elif hours <= 4:
        low, high = 2, 3
    else:
        low, high = 3, 5
    needed = math.ceil(total_minutes / PART_MAX)
    return max(low, min(needed, 10_000)), max(high, needed)


def allocate(weights: list[float], total: int, low: int, high: int) -> list[int]:
    """Whole numbers in [low, high], proportional to `weights` as far as the bounds allow, summing
    to exactly `total`. Requires len(weights) * low <= total <= len(weights) * high."""
    n = len(weights)
    if not n * low <= total <= n * high:
        raise BudgetError(f"cannot split {total} into {n} pieces of {low}-{high}")
    clean = [w if isinstance(w, int | float) and math.isfinite(w) and w > 0 else 0.0 for w in weights]
    if sum(clean) <= 0:
        clean = [1.0] * n
    # Water-filling: find the scale s with sum(clamp(w * s)) == total (monotone in s).
    lo, hi = 0.0, 1.0
    while sum(min(high, max(low, w * hi)) for w in clean) < total:
        hi *= 2
        if hi > 1e18:
            break
    for _ in range(200):
        mid = (lo + hi) / 2
        if sum(min(high, max(low, w * mid)) for w in clean) < total:
            lo = mid
        else:
            hi = mid
    exact = [min(high, max(low, w * hi)) for w in clean]
    result = [min(high, max(low, math.floor(x))) for x in exact]
    # Hand out the remaining minutes by largest remainder, respecting the bounds.
    remainder = total - sum(result)
    order = sorted(range(n), key=lambda i: (-(exact[i] - math.floor(exact[i])), i))
    while remainder != 0:
        progressed = False
        for i in order:
            if remainder > 0 and result[i] < high:
                result[i] += 1
                remainder -= 1
                progressed = True
            elif remainder < 0 and result[i] > low:
                result[i] -= 1
                remainder += 1
                progressed = True
            if remainder == 0:
                break
        if not progressed:
            raise BudgetError("allocation did not converge")
    return result


def _split_section(section: SectionPlan) -> tuple[SectionPlan, SectionPlan]:
    objectives = section.learning_objectives
    half = len(objectives) // 2
    if half >= OBJECTIVES_MIN and len(objectives) - half >= OBJECTIVES_MIN:
        first_obj, second_obj = objectives[:half], objectives[half:]
    else:
        first_obj, second_obj = list(objectives), list(objectives)
    ids = section.source_chunk_ids
    mid = max(1, len(ids) // 2) if ids else 0
    first = SectionPlan(
        f"{section.title} (1)",
        section.minutes / 2,
        first_obj,
        section.content_summary,
        ids[:mid] if ids else [],
        section.sources,
    )
    second = SectionPlan(
        f"{section.title} (2)",
        section.minutes / 2,
        second_obj,
        section.content_summary,
        ids[mid:] if ids else [],
        section.sources,
    )
    return first, second


def _merge_sections(a: SectionPlan, b: SectionPlan) -> SectionPlan:
    combined = a.learning_objectives + b.learning_objectives
    objectives = list(dict.fromkeys(combined))[:OBJECTIVES_MAX]
    if len(objectives) < OBJECTIVES_MIN:  # duplicates collapsed below the minimum: keep them
        objectives = combined[:OBJECTIVES_MAX]
    sources = a.sources + [s for s in b.sources if s not in a.sources]
    return SectionPlan(
        a.title if b.title.startswith(a.title) else f"{a.title}; {b.title}",
        a.minutes + b.minutes,
        objectives,
        " ".join(x for x in (a.content_summary, b.content_summary) if x),
        list(dict.fromkeys(a.source_chunk_ids + b.source_chunk_ids)),
        sources,
    )


def _fit_section_count(sections: list[SectionPlan], minutes: int) -> list[SectionPlan]:
    """Merge or split sections until `minutes` can be shared out at 10-90 minutes each."""
    sections = list(sections)
    while len(sections) * SECTION_MIN > minutes and len(sections) > 1:
        # merge the shortest neighbouring pair
        i = min(range(len(sections) - 1), key=lambda j: _weight(sections[j]) + _weight(sections[j + 1]))
        sections[i : i + 2] = [_merge_sections(sections[i], sections[i + 1])]
    while len(sections) * SECTION_MAX < minutes:
        i = max(range(len(sections)), key=lambda j: (_weight(sections[j]), -j))
        sections[i : i + 1] = list(_split_section(sections[i]))
    return sections


def _weight(section: SectionPlan) -> float:
    m = section.minutes
    return float(m) if isinstance(m, int | float) and math.isfinite(m) and m > 0 else 0.0


def _fit_part_count(parts: list[PartPlan], total: int) -> list[PartPlan]:
    low, high = part_count_range(total)
    parts = [p for p in parts if p.sections] or parts[:1]
    while len(parts) > high:
        i = min(range(len(parts) - 1), key=lambda j: _part_weight(parts[j]) + _part_weight(parts[j + 1]))
        merged = PartPlan(parts[i].title, parts[i].sections + parts[i + 1].sections, parts[i].summary)
        parts[i : i + 2] = [merged]
    while len(parts) < low:
        i = max(range(len(parts)), key=lambda j: (len(parts[j].sections), _part_weight(parts[j]), -j))
        part = parts[i]
        if len(part.sections) < 2:
            part.sections = list(_split_section(part.sections[0]))
        half = len(part.sections) // 2
        parts[i : i + 1] = [
            PartPlan(f"{part.title} (1)" if low > 1 else part.title, part.sections[:half], part.summary),
            PartPlan(f"{part.title} (2)", part.sections[half:], part.summary),
        ]
    return parts


def _part_weight(part: PartPlan) -> float:
    return sum(_weight(s) for s in part.sections)


def rebalance(parts: list[PartPlan], requested_minutes: int) -> list[PartPlan]:
    """Return a new outline that honours the time contract (see module docstring)."""
    total = int(requested_minutes)
    if total < SECTION_MIN:
        raise BudgetError(f"a course needs at least {SECTION_MIN} minutes")
    parts = deepcopy([p for p in parts if p.sections])
    if not parts:
        raise BudgetError("the outline has no sections")
    parts = _fit_part_count(parts, total)
    n = len(parts)
    part_low, part_high = PART_MIN, PART_MAX
    if n * part_low > total:
        part_low = SECTION_MIN
    if n * part_high < total:
        part_high = math.ceil(total / n)
    part_minutes = allocate([_part_weight(p) for p in parts], total, part_low, part_high)
    for part, minutes in zip(parts, part_minutes, strict=True):
        part.sections = _fit_section_count(part.sections, minutes)
        shares = allocate([_weight(s) for s in part.sections], minutes, SECTION_MIN, SECTION_MAX)
        for section, share in zip(part.sections, shares, strict=True):
            section.minutes = share
    return parts


def check(parts: list[PartPlan], requested_minutes: int) -> list[str]:
    """Every way `parts` breaks the contract (empty when it holds)."""
    problems = []
    total = sum(p.minutes for p in parts)
    if abs(total - requested_minutes) > TOLERANCE * requested_minutes:
        problems.append(f"total {total} min is not within 5% of {requested_minutes}")
    for part in parts:
        if not part.sections:
            problems.append(f"part {part.title!r} has no sections")
        for s in part.sections:
            if not (SECTION_MIN <= s.minutes <= SECTION_MAX) or int(s.minutes) != s.minutes:
                problems.append(f"section {s.title!r} has {s.minutes} minutes")
    return problems
