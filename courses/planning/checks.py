"""What the model planner's answers must satisfy before they are kept, whatever the model says:
every chosen unit is taught by some part, sections cite only their part's passages, every passage of
the part is cited by some section, a section's minutes follow what its sources support, and its
objectives are concrete (templated ones are replaced by objectives taken from its passages)."""

from __future__ import annotations

from courses.planning.base import PartDraft, PlanContext
from courses.planning.objectives import MIN_OBJECTIVES, is_templated, objectives_for
from courses.planning.sizing import supported_minutes
from courses.schemas import ExpandedPart
from library.models import Chunk


def place_leftovers(assigned: list[list[dict]], units: list[dict]) -> None:
    """Units no part took go to the part that has their chapter, else to the last part."""
    taken = {u["key"] for mine in assigned for u in mine}
    for unit in units:
        if unit["key"] in taken:
            continue
        home = next((m for m in assigned if any(u["chapter_id"] == unit["chapter_id"] for u in m)), None)
        (home if home is not None else assigned[-1]).append(unit)
        taken.add(unit["key"])


def minutes_follow_material(parts: list[PartDraft], minutes: int) -> None:
    """A part's minutes are its share of the material's supported time (the model's split is kept
    only when no part gets more than its units support)."""
    support = [sum(u["supported_minutes"] for u in p.units) for p in parts]
    total = sum(support) or 1.0
    if any(p.minutes > s * minutes / total * 1.05 for p, s in zip(parts, support, strict=True)):
        for part, s in zip(parts, support, strict=True):
            part.minutes = minutes * s / total


def checked_sections(
    ctx: PlanContext, part: PartDraft, expanded: ExpandedPart, passages: list[dict]
) -> list[dict]:
    allowed = [p["chunk_id"] for p in passages]
    words = {p["chunk_id"]: p.get("words", 0) for p in passages}
    excerpts = {p["chunk_id"]: p["excerpt"] for p in passages}
    sections = []
    used: set[int] = set()
    for s in expanded.sections:
        ids = [c for c in dict.fromkeys(s.source_chunk_ids) if c in set(allowed) and c not in used]
        used.update(ids)
        sections.append(
            {
                "title": s.title,
                "minutes": s.minutes,
                "learning_objectives": list(s.learning_objectives),
                "content_summary": s.content_summary,
                "source_chunk_ids": ids,
            }
        )
    sections = [s for s in sections if s["source_chunk_ids"]] or sections[:1]
    for chunk_id in allowed:  # every passage of the part is taught by the section next to it
        if chunk_id not in used:
            position = allowed.index(chunk_id)
            nearest = min(
                sections,
                key=lambda s: min(
                    (abs(allowed.index(c) - position) for c in s["source_chunk_ids"]), default=1e9
                ),
            )
            nearest["source_chunk_ids"].append(chunk_id)
            used.add(chunk_id)
    for s in sections:
        s["source_chunk_ids"].sort(key=allowed.index)
    support = [
        supported_minutes(sum(words.get(c, 0) for c in s["source_chunk_ids"]), ctx.depth, ctx.pace)
        for s in sections
    ]
    capped = [min(float(s["minutes"]), cap) for s, cap in zip(sections, support, strict=True)]
    weights = capped if sum(capped) >= 0.95 * part.minutes else support
    total = sum(weights) or 1.0
    taken: set[str] = set()
    full = dict(Chunk.objects.filter(id__in=allowed).values_list("id", "text"))
    for s, weight in zip(sections, weights, strict=True):
        s["minutes"] = part.minutes * weight / total
        good = [o for o in s["learning_objectives"] if not is_templated(o, s["title"])]
        if len(good) < MIN_OBJECTIVES:
            texts = [full.get(c) or excerpts.get(c, "") for c in s["source_chunk_ids"]]
            extra = objectives_for(s["title"], [], texts, ctx.section_topics(ctx.topics), taken)
            good = list(dict.fromkeys(good + extra))[:6]
        s["learning_objectives"] = good
    return sections


def _distance(section: dict, position: int, allowed: list[int]) -> float:
    return min((abs(allowed.index(c) - position) for c in section["source_chunk_ids"]), default=1e9)
