"""The model planner: the same contracts as the offline planner, with a language model writing the
parts, sections and objectives. Every output is validated (pydantic) and then checked against the
library: unknown chapter or passage ids are dropped, and the deterministic rebalancing of the time
budget runs after the model's review regardless of what it says."""

from __future__ import annotations

import json

from courses.budget import PartPlan, part_count_range
from courses.planning.base import PartDraft, PlanContext, Planner
from courses.schemas import ExpandedPart, OutlineReview, PartsOutline
from docprof.ai.prompts import book_text, load_prompt

PROMPTS = "courses.prompts"
MAX_CHAPTERS = 30
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
        low, high = part_count_range(ctx.minutes)
        chapters = ctx.chapters[:MAX_CHAPTERS]
        listing = "\n".join(
            book_text(
                f"{c['title']}\n{c['summary']}",
                chapter_id=c["chapter_id"],
                book=c["book_title"],
                pages=f"{c['page_start']}-{c['page_end']}",
            )
            for c in chapters
        )
        outline: PartsOutline = self._ask(
            ctx,
            "generate_parts",
            PartsOutline,
            max_tokens=2_000,
            part_rule=str(low) if low == high else f"{low} to {high}",
            chapters=listing,
            **self._common(ctx),
        )
        known = {c["chapter_id"] for c in chapters}
        fallback = [c["chapter_id"] for c in chapters[:3]]
        parts = [
            PartDraft(
                p.title, p.summary, p.minutes, [cid for cid in p.chapter_ids if cid in known] or fallback
            )
            for p in outline.parts
        ]
        missing = list(dict.fromkeys([*ctx.missing_terms, *outline.missing_topics]))
        return outline.title, parts, missing

    def expand_part(self, ctx: PlanContext, parts: list[PartDraft], index: int) -> list[dict]:
        part = parts[index]
        chapter_ids = set(part.chapter_ids)
        passages = [p for p in ctx.passages if p["chapter_id"] in chapter_ids][:MAX_PASSAGES_PER_PART]
        if not passages:
            passages = ctx.passages[:MAX_PASSAGES_PER_PART]
        listing = "\n".join(
            book_text(
                p["excerpt"][:EXCERPT_CHARS],
                chunk_id=p["chunk_id"],
                book=p["book_title"],
                chapter=p["chapter"],
                pages=f"{p['page_start']}-{p['page_end']}",
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
            **self._common(ctx),
        )
        allowed = {p["chunk_id"] for p in passages}
        default_sources = [p["chunk_id"] for p in passages[:4]]
        return [
            {
                "title": s.title,
                "minutes": s.minutes,
                "learning_objectives": s.learning_objectives,
                "content_summary": s.content_summary,
                "source_chunk_ids": [c for c in s.source_chunk_ids if c in allowed] or default_sources,
            }
            for s in expanded.sections
        ]

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
