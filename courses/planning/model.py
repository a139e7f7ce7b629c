"""The model planner: the same contracts and the same candidate material as the offline planner
(the chosen units of material.py), with a language model writing the parts, sections and
objectives. Every output is validated (pydantic) and then checked against the library (checks.py):
unknown unit, chapter or passage ids are dropped, every chosen unit is taught, a section's minutes
never exceed what its sources support, templated objectives are replaced by ones taken from the
passages, and the deterministic rebalancing of the time budget runs after the model's review."""

from __future__ import annotations

import json

from courses.budget import PartPlan, part_count_range
from courses.planning.base import PartDraft, PlanContext, Planner
from courses.planning.checks import checked_sections, minutes_follow_material, place_leftovers
from courses.planning.sizing import words_for
from courses.schemas import ExpandedPart, OutlineReview, PartsOutline
from docprof.ai.prompts import book_text, load_prompt

PROMPTS = "courses.prompts"
MAX_UNITS = 40
MAX_PASSAGES_PER_PART = 24
EXCERPT_CHARS = 700


def _prompt(name: str):
    return load_prompt(PROMPTS, name)


class ModelPlanner(Planner):
    name = "model"

    def __init__(self, llm):
        self.llm = llm
        self.version = ",".join(
            _prompt(n).key for n in ("system", "generate_parts", "expand_part", "review_outline")
        )

    def _ask(self, ctx: PlanContext, prompt_name: str, schema, max_tokens: int, **values):
        prompt = _prompt(prompt_name)
        result = self.llm.complete(
            _prompt("system").render(),
            [{"role": "user", "content": prompt.render(**values)}],
            max_tokens=max_tokens,
            temperature=0.2,
            schema=schema,
            purpose=f"courses.{prompt_name}",
            job=ctx.job_id,
            prompt_version=f"{_prompt('system').key}+{prompt.key}",
        )
        return result.parsed

    def _common(self, ctx: PlanContext) -> dict:
        return {
            "query": ctx.query,
            "topic": ctx.topic,
            "minutes": ctx.minutes,
            "depth": ctx.depth,
            "style": ctx.preferences.get("presentation_style", "lecture"),
            "notes": ctx.preferences.get("notes", "") or "(none)",
        }

    def generate_parts(self, ctx: PlanContext) -> tuple[str, list[PartDraft], list[str]]:
        """Parts from the same chosen units the offline planner gets (ctx.units), with their sizes,
        the topics each teaches and an excerpt; the model must cover every named topic or say so."""
        low, high = part_count_range(ctx.minutes)
        units = ctx.units[:MAX_UNITS]
        excerpts = {p["chunk_id"]: p["excerpt"] for p in ctx.passages}
        summaries = {c["chapter_id"]: c.get("summary", "") for c in ctx.chapters}
        listing = "\n".join(
            book_text(
                f"{u['title']}\n{summaries.get(u['chapter_id'], '')[:400]}\n"
                f"{excerpts.get(u['chunk_ids'][0], '')[:300] if u['chunk_ids'] else ''}",
                unit=u["key"],
                chapter_id=u["chapter_id"],
                book=u["book_title"],
                chapter=u["chapter_title"],
                words=u["words"],
                max_minutes=round(u["supported_minutes"]),
                topics="; ".join(u.get("topics", [])),
            )
            for u in units
        )
        outline: PartsOutline = self._ask(
            ctx,
            "generate_parts",
            PartsOutline,
            max_tokens=2_000,
            part_rule=str(low) if low == high else f"{low} to {high}",
            chapters=listing,
            named_topics="; ".join(ctx.topics) or ctx.topic,
            **self._common(ctx),
        )
        by_key = {u["key"]: u for u in units}
        assigned: list[list[dict]] = []
        for p in outline.parts:
            mine = [by_key[k] for k in p.unit_keys if k in by_key]
            if not mine:
                mine = [u for u in units if u["chapter_id"] in set(p.chapter_ids)]
            assigned.append(mine)
        place_leftovers(assigned, units)
        parts = [
            PartDraft(
                p.title, p.summary, p.minutes, list(dict.fromkeys(u["chapter_id"] for u in mine)), units=mine
            )
            for p, mine in zip(outline.parts, assigned, strict=True)
            if mine
        ]
        minutes_follow_material(parts, ctx.minutes)
        missing = list(dict.fromkeys([*ctx.missing_terms, *outline.missing_topics]))
        return outline.title, parts, missing

    def expand_part(self, ctx: PlanContext, parts: list[PartDraft], index: int) -> list[dict]:
        part = parts[index]
        keys = {u["key"] for u in part.units}
        passages = [p for p in ctx.passages if p.get("unit") in keys][:MAX_PASSAGES_PER_PART]
        if not passages:
            chapter_ids = set(part.chapter_ids)
            passages = [p for p in ctx.passages if p["chapter_id"] in chapter_ids][:MAX_PASSAGES_PER_PART]
        listing = "\n".join(
            book_text(
                p["excerpt"][:EXCERPT_CHARS],
                chunk_id=p["chunk_id"],
                book=p["book_title"],
                chapter=p["chapter"],
                pages=f"{p['page_start']}-{p['page_end']}",
                words=p.get("words", ""),
            )
            for p in passages
        )
        all_parts = "\n".join(
            f"{i + 1}. {p.title} ({round(p.minutes)} min): {p.summary}" for i, p in enumerate(parts)
        )
        expanded: ExpandedPart = self._ask(
            ctx,
            "expand_part",
            ExpandedPart,
            max_tokens=3_000,
            all_parts=all_parts,
            part_number=str(index + 1),
            part_title=part.title,
            part_minutes=str(round(part.minutes)),
            part_summary=part.summary,
            passages=listing,
            words_per_minute=str(round(words_for(1, ctx.depth, ctx.pace))),
            **self._common(ctx),
        )
        return checked_sections(ctx, part, expanded, passages)

    def review(self, ctx: PlanContext, parts: list[PartPlan]) -> list[PartPlan]:
        outline = json.dumps(
            [
                {
                    "title": p.title,
                    "sections": [{"title": s.title, "minutes": round(float(s.minutes))} for s in p.sections],
                }
                for p in parts
            ],
            indent=1,
        )
        current = round(sum(float(s.minutes) for p in parts for s in p.sections))
        review: OutlineReview = self._ask(
            ctx,
            "review_outline",
            OutlineReview,
            max_tokens=2_000,
            title=ctx.topic,
            minutes=str(ctx.minutes),
            current=str(current),
            outline=outline,
        )
        suggested = {(rp.title, rs.title): rs.minutes for rp in review.parts for rs in rp.sections}
        for part in parts:
            for section in part.sections:
                section.minutes = suggested.get((part.title, section.title), section.minutes)
        return parts


def _chapters_of(units: list[dict]) -> list[int]:
    return list(dict.fromkeys(u["chapter_id"] for u in units))
