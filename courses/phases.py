"""The six phases of course generation, as functions over the plan state (a JSON dict kept on the
job). Each takes what earlier phases stored and returns what it adds; none holds a transaction or
writes the job row (workers.runners does both)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.db.models import Count

from courses.budget import PartPlan, SectionPlan, rebalance
from courses.models import Course, CourseSection
from courses.planning import material
from courses.planning.base import PartDraft, PlanContext, Planner
from docprof.ai.embeddings import get_embedder
from docprof.ai.text import STOPWORDS
from library.models import Chapter, Chunk

PHASES = ["embed", "search", "parts", "expand", "review", "store"]
PHASE_LABELS = {
    "embed": "Understanding the request",
    "search": "Searching your library",
    "parts": "Planning the parts",
    "expand": "Planning the sections",
    "review": "Fitting the time budget",
    "store": "Saving the course",
}
# Words that say what kind of request it is, not what it is about.
REQUEST_WORDS = frozenset(
    """learn learning teach teaching me course courses class lesson lessons understand understanding
    intro introduction introductory basic basics fundamentals fundamental overview study studying
    master mastering guide tutorial want wanna like would please help know get started start quick
    hour hours hr hrs minute minutes min mins day days week weeks crash everything all things""".split()
)
EXPAND_CONCURRENCY = 4


NoMaterial = material.NoMaterial  # the library holds nothing relevant: the job ends with its message


def topic_of(query: str) -> str:
    """The subject of a request: 'Learn DCF valuation, 2 hours' -> 'DCF valuation'."""
    text = re.sub(r"\b\d+(\.\d+)?\s*(h|hr|hrs|hours?|min|mins|minutes?)\b", " ", query, flags=re.I)
    words = re.findall(r"[\w'\-]+", text)
    kept = [w for w in words if w.lower() not in REQUEST_WORDS]
    while kept and kept[0].lower() in STOPWORDS:
        kept.pop(0)
    while kept and kept[-1].lower() in STOPWORDS:
        kept.pop()
    topic = " ".join(kept).strip()
    return topic or query.strip()


# --- 1. embed -------------------------------------------------------------------------------
def embed_request(query: str) -> dict:
    topic = topic_of(query)
    return {"topic": topic, "vector": list(map(float, get_embedder().embed_one(topic)))}


# --- 2. search ------------------------------------------------------------------------------
def search_library(
    query: str, topic: str, vector: list[float], book_ids: list[int], minutes: int, preferences: dict
) -> dict:
    """The material for the course (courses/planning/material.py) and its passages, for both planners."""
    found = material.find_material(query, book_ids, minutes, preferences)
    units = found.units
    chunk_ids = [c for u in units for c in u["chunk_ids"]]
    unit_of = {c: u for u in units for c in u["chunk_ids"]}
    rows = Chunk.objects.filter(id__in=chunk_ids).only(
        "id", "text", "heading_path", "page_start", "page_end", "word_count"
    )
    passages = [
        {
            "chunk_id": c.id,
            "chapter_id": unit_of[c.id]["chapter_id"],
            "book_id": unit_of[c.id]["book_id"],
            "book_title": unit_of[c.id]["book_title"],
            "chapter": unit_of[c.id]["chapter_title"],
            "unit": unit_of[c.id]["key"],
            "heading_path": c.heading_path,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "score": unit_of[c.id]["score"],
            "words": c.word_count,
            "excerpt": c.text[:600],
        }
        for c in sorted(rows, key=lambda c: chunk_ids.index(c.id))
    ]
    chapters = _chapter_rows(list(dict.fromkeys(u["chapter_id"] for u in units)))
    return {
        **found.as_dict(),
        "covered_terms": found.covered,
        "missing_terms": found.missing,
        "chapters": [
            {**chapters[cid], "score": 0.0} for cid in dict.fromkeys(u["chapter_id"] for u in units)
        ],
        "passages": passages,
    }


def _chapter_rows(chapter_ids: list[int]) -> dict[int, dict]:
    rows = list(Chapter.objects.filter(id__in=chapter_ids).select_related("book"))
    counts = dict(
        Chapter.objects.filter(book_id__in={c.book_id for c in rows})
        .values("book_id")
        .annotate(n=Count("id"))
        .values_list("book_id", "n")
    )
    result = {}
    for c in rows:
        result[c.id] = {
            "chapter_id": c.id,
            "book_id": c.book_id,
            "book_title": c.book.title,
            "title": c.title,
            "summary": c.summary,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "order": c.order,
            "chapter_count": counts[c.book_id],
        }
    return result


# --- 3. parts -------------------------------------------------------------------------------
def generate_parts(planner: Planner, ctx: PlanContext) -> dict:
    title, parts, missing = planner.generate_parts(ctx)
    if not parts:
        raise NoMaterial(f"Your library has no material on “{ctx.topic}”; add a book that covers it.")
    return {"title": title, "parts": [p.as_dict() for p in parts], "missing_topics": missing}


def part_drafts(state: dict) -> list[PartDraft]:
    return [PartDraft(**p) for p in state["parts"]["parts"]]


# --- 4. expand (parts concurrently; each part checkpointed by the caller) ----------------------
def expand_parts(
    planner: Planner, ctx: PlanContext, parts: list[PartDraft], todo: list[int], on_done
) -> None:
    """Expand the parts in `todo` with bounded threads; `on_done(index, sections)` checkpoints each."""

    def work(index: int) -> None:
        try:
            on_done(index, planner.expand_part(ctx, parts, index))
        finally:
            connection.close()  # each thread has its own database connection

    if len(todo) == 1:
        sections = planner.expand_part(ctx, parts, todo[0])
        on_done(todo[0], sections)
        return
    with ThreadPoolExecutor(max_workers=min(EXPAND_CONCURRENCY, len(todo))) as pool:
        for future in [pool.submit(work, i) for i in todo]:
            future.result()  # re-raise the first failure


# --- 5. review --------------------------------------------------------------------------------
def to_plans(parts: list[PartDraft], expanded: dict[str, list[dict]]) -> list[PartPlan]:
    plans = []
    for i, part in enumerate(parts):
        sections = [
            SectionPlan(
                title=s["title"],
                minutes=s["minutes"],
                learning_objectives=list(s["learning_objectives"]),
                content_summary=s.get("content_summary", ""),
                source_chunk_ids=list(s.get("source_chunk_ids", [])),
            )
            for s in expanded.get(str(i), [])
        ]
        plans.append(PartPlan(part.title, sections, part.summary))
    return plans


def review_outline(planner: Planner, ctx: PlanContext, plans: list[PartPlan]) -> dict:
    suggested = planner.review(ctx, plans)
    final = rebalance(suggested, ctx.minutes)
    return {"parts": [plan_to_dict(p) for p in final]}


def plan_to_dict(part: PartPlan) -> dict:
    return {
        "title": part.title,
        "summary": part.summary,
        "sections": [
            {
                "title": s.title,
                "minutes": int(s.minutes),
                "learning_objectives": s.learning_objectives,
                "content_summary": s.content_summary,
                "source_chunk_ids": s.source_chunk_ids,
            }
            for s in part.sections
        ],
    }


# --- 6. store ---------------------------------------------------------------------------------
def store_course(course: Course, state: dict) -> int:
    """Create the parts and sections in one transaction. Idempotent: a course that already has
    sections is left as it is. Returns the total minutes."""
    parts = state["review"]["parts"]
    sources = _source_rows({cid for p in parts for s in p["sections"] for cid in s["source_chunk_ids"]})
    total = sum(s["minutes"] for p in parts for s in p["sections"])
    coverage = _coverage(parts, sources, state)
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if CourseSection.objects.filter(course=locked).exists():
            return total
        for p_index, part in enumerate(parts):
            part_row = CourseSection.objects.create(
                course=locked,
                order_index=p_index,
                title=part["title"][:300],
                content_summary=part.get("summary", ""),
                estimated_minutes=sum(s["minutes"] for s in part["sections"]),
                learning_objectives=[],
                source_chunk_ids=sorted({c for s in part["sections"] for c in s["source_chunk_ids"]}),
                sources=_merge_sources(
                    [sources[c] for s in part["sections"] for c in s["source_chunk_ids"] if c in sources]
                ),
            )
            CourseSection.objects.bulk_create(
                CourseSection(
                    course=locked,
                    parent_section=part_row,
                    order_index=s_index,
                    title=s["title"][:300],
                    learning_objectives=s["learning_objectives"],
                    content_summary=s["content_summary"],
                    estimated_minutes=s["minutes"],
                    source_chunk_ids=s["source_chunk_ids"],
                    sources=_merge_sources([sources[c] for c in s["source_chunk_ids"] if c in sources]),
                )
                for s_index, s in enumerate(part["sections"])
            )
        Course.objects.filter(pk=locked.pk).update(
            title=(state["parts"].get("title") or locked.original_query)[:300],
            estimated_hours=round(total / 60, 2),
            coverage=coverage,
            status=Course.Status.READY,
        )
    return total


def _source_rows(chunk_ids: set[int]) -> dict[int, dict]:
    rows = (
        Chunk.objects.filter(id__in=chunk_ids)
        .select_related("book", "chapter")
        .only("id", "page_start", "page_end", "book__id", "book__title", "chapter__id", "chapter__title")
    )
    return {
        c.id: {
            "book_id": c.book_id,
            "book_title": c.book.title,
            "chapter_id": c.chapter_id,
            "chapter": c.chapter.title,
            "page_start": c.page_start,
            "page_end": c.page_end,
        }
        for c in rows
    }


def _merge_sources(rows: list[dict]) -> list[dict]:
    """One entry per book chapter, with the page range the section draws on."""
    merged: dict[tuple, dict] = {}
    for r in rows:
        key = (r["book_id"], r["chapter_id"])
        if key not in merged:
            merged[key] = dict(r)
        else:
            m = merged[key]
            m["page_start"] = _bound(min, m["page_start"], r["page_start"])
            m["page_end"] = _bound(max, m["page_end"], r["page_end"])
    return list(merged.values())


def _bound(pick, a, b):
    values = [x for x in (a, b) if x is not None]
    return pick(values) if values else None


def _coverage(parts: list[dict], sources: dict[int, dict], state: dict) -> dict:
    per_part = []
    for part in parts:
        rows = _merge_sources(
            [sources[c] for s in part["sections"] for c in s["source_chunk_ids"] if c in sources]
        )
        per_part.append(
            {
                "part": part["title"],
                "books": sorted({r["book_title"] for r in rows}),
                "chapters": [{"book_title": r["book_title"], "chapter": r["chapter"]} for r in rows],
            }
        )
    taught = {c for p in parts for s in p["sections"] for c in s["source_chunk_ids"]}
    claimed = state["parts"].get("missing_topics", [])
    return {"parts": per_part, **material.coverage(state["search"], taught, claimed)}
