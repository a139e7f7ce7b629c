"""The offline planner: a course from the library's own structure, no model.

It plans from the units chosen for the request (material.py: the same material the model planner
gets): their sections and minutes follow the text they draw on (outline.py), parts are cut at
chapter changes and titled as a teacher would (titles.py), and each section's objectives are taken
from its own passages (objectives.py).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from courses.budget import PartPlan
from courses.planning.base import PartDraft, PlanContext, Planner
from courses.planning.objectives import MIN_OBJECTIVES, objectives_for, without_repeats
from courses.planning.outline import group_into_parts, merge_sections, sections_from_units, titled_parts
from courses.planning.request import subject_of
from courses.planning.sizing import SECTION_MAX
from courses.planning.titles import course_title
from docprof.ai.factory import get_embedder
from docprof.ai.text import split_sentences, word_count
from library.models import Chunk

MAX_SUMMARY_PASSAGES = 12


class OfflinePlanner(Planner):
    name = "offline"
    version = "2"

    def generate_parts(self, ctx: PlanContext) -> tuple[str, list[PartDraft], list[str]]:
        """Parts from the chosen units (ctx.units, the same material the model planner gets)."""
        sections = sections_from_units(ctx.units, ctx.minutes)
        if not sections:
            return course_title(ctx.query), [], list(ctx.missing_terms)
        groups = group_into_parts(sections, ctx.minutes)
        titles = titled_parts(groups, subject_of(ctx.query))
        parts = []
        for title, group in zip(titles, groups, strict=True):
            covers = "; ".join(dict.fromkeys(s["title"] for s in group))
            parts.append(
                PartDraft(
                    title,
                    f"Covers {covers}.",
                    sum(s["minutes"] for s in group),
                    list(dict.fromkeys(s["chapter_id"] for s in group)),
                    units=group,
                )
            )
        return course_title(ctx.query), parts, list(ctx.missing_terms)

    def expand_part(self, ctx: PlanContext, parts: list[PartDraft], index: int) -> list[dict]:
        part = parts[index]
        texts = dict(
            Chunk.objects.filter(id__in=[c for s in part.units for c in s["chunk_ids"]]).values_list(
                "id", "text"
            )
        )

        found: dict[tuple, list[str]] = {}  # with_objectives asks again after every merge

        def objectives(section: dict, taken: set[str]) -> list[str]:
            key = (
                section["title"],
                tuple(section["chunk_ids"]),
                tuple(section.get("lead_out", [])),
                tuple(section["subheadings"]),
                tuple(section["topics"]),
                frozenset(taken),
            )
            if key not in found:
                source = [texts[c] for c in section["chunk_ids"] if c in texts]
                # passages a section continues into (material.py: top_up) belong to the next one's objectives
                lead_out = set(section.get("lead_out", []))
                own = [texts[c] for c in section["chunk_ids"] if c in texts and c not in lead_out]
                topics = ctx.section_topics(section["topics"])
                found[key] = objectives_for(
                    section["title"], section["subheadings"], own or source, topics, set(taken)
                )
            taken.update(f.lower() for f in found[key])  # as objectives_for adds a section's own
            return list(found[key])

        result = []
        taken: set[str] = set()  # no objective twice in a part
        for section in with_objectives(list(part.units), objectives):
            source = [texts[c] for c in section["chunk_ids"] if c in texts]
            result.append(
                {
                    "title": section["title"][:200],
                    "minutes": section["minutes"],
                    "learning_objectives": objectives(section, taken),
                    "content_summary": " ".join(
                        key_sentences(source[:MAX_SUMMARY_PASSAGES], f"{ctx.topic} {section['title']}", 2)
                    ),
                    "source_chunk_ids": section["chunk_ids"],
                }
            )
        return result

    def review(self, ctx: PlanContext, parts: list[PartPlan]) -> list[PartPlan]:
        """No objective asked twice in a course (objectives.without_repeats)."""
        sections = [s for p in parts for s in p.sections]
        rows = [(s.title, s.learning_objectives, partial(passages, s.source_chunk_ids)) for s in sections]
        for section, objectives in zip(sections, without_repeats(rows), strict=True):
            section.learning_objectives = objectives
        return parts


def passages(chunk_ids: list[int]) -> list[str]:
    """The passages' texts, in the order of `chunk_ids`."""
    texts = dict(Chunk.objects.filter(id__in=chunk_ids).values_list("id", "text"))
    return [texts[c] for c in chunk_ids if c in texts]


def with_objectives(sections: list[dict], objectives) -> list[dict]:
    """A section whose passages give fewer than two objectives of their own (a chapter's opening
    around a data listing) joins its neighbour in the same chapter: it is taught with it. A chapter
    of its own (a sample configuration file) joins a neighbour of its part, one they fit a section
    with if there is one (a longer section is split in two by the time budget, each half keeping
    the objectives)."""
    while True:
        for i, section in enumerate(sections):
            if len(objectives(section, set())) >= MIN_OBJECTIVES:
                continue
            near = [j for j in (i + 1, i - 1) if 0 <= j < len(sections)]
            same = [j for j in near if sections[j]["chapter_id"] == section["chapter_id"]]
            fits = [j for j in near if sections[j]["minutes"] + section["minutes"] <= SECTION_MAX]
            near = same or fits or near
            if near:
                a, b = sorted((i, near[0]))
                sections[a : b + 1] = [merge_sections(sections[a], sections[b])]
                break
        else:
            return sections


def key_sentences(texts: list[str], focus: str, limit: int) -> list[str]:
    """The sentences most similar to `focus` and to the passage as a whole, in reading order."""
    sentences = [s for t in texts for s in split_sentences(t) if 6 <= word_count(s) <= 45]
    if not sentences:
        return []
    embedder = get_embedder()
    vectors = np.asarray(embedder.embed(sentences), dtype=np.float32)
    centroid = vectors.mean(axis=0)
    focus_vec = np.asarray(embedder.embed_one(focus), dtype=np.float32)
    scores = vectors @ focus_vec + 0.5 * (vectors @ centroid)
    best = sorted(np.argsort(-scores)[:limit].tolist())
    return [sentences[i] for i in best]
