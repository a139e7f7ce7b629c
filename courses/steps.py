"""The six steps of the course job kind. Each reads what earlier steps stored (`ctx.state`) and
returns what it adds; none holds a transaction across a model call or writes the job row."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from courses import services
from courses.budget import PartPlan, SectionPlan, rebalance
from courses.models import Course
from courses.planning import PartDraft, PlanContext, get_planner
from courses.request import topic_of, topic_terms
from docprof.ai.factory import get_embedder
from library import retrieval, selectors

EXPAND_CONCURRENCY = 4


class NoMaterial(Exception):
    """The library holds nothing relevant: the job ends with this message."""


def _course(ctx) -> Course:
    return Course.objects.get(pk=ctx.target_id)


def plan_context(ctx, course: Course) -> PlanContext:
    search = ctx.state.get("search", {})
    return PlanContext(
        query=course.original_query,
        topic=ctx.state["embed"]["topic"],
        minutes=course.requested_minutes,
        preferences=course.preferences,
        chapters=search.get("chapters", []),
        passages=search.get("passages", []),
        job_id=ctx.job_id,
        missing_terms=search.get("missing_terms", []),
    )


# --- 1. embed ---------------------------------------------------------------------------------
def embed(ctx) -> dict:
    topic = topic_of(_course(ctx).original_query)
    return {"topic": topic, "vector": list(map(float, get_embedder().embed_one(topic)))}


# --- 2. search --------------------------------------------------------------------------------
def search(ctx) -> dict:
    course = _course(ctx)
    found = search_library(
        ctx.state["embed"]["topic"], ctx.state["embed"]["vector"], selectors.ready_book_ids(course.owner)
    )
    ctx.progress(f"Found {len(found['passages'])} passages in {len(found['chapters'])} chapters")
    return found


def search_library(topic: str, vector: list[float], book_ids: list[int]) -> dict:
    if not book_ids:
        raise NoMaterial("Your library is empty; add a book before asking for a course.")
    terms = topic_terms(topic)
    covered, missing = retrieval.term_coverage(terms, book_ids)
    no_material = NoMaterial(f"Your library has no material on “{topic}”; add a book that covers it.")
    if terms and not covered:
        raise no_material
    passages = retrieval.search_chunks(topic, book_ids, k=120, vector=vector)
    chapter_hits = retrieval.search_chapters(topic, book_ids, k=40, vector=vector)
    passages = [p for p in passages if not retrieval.looks_like_index(p.text)]
    relevant = retrieval.relevant_chunk_ids(
        [p.chunk_id for p in passages], covered, vector, get_embedder().relevance_threshold
    )
    passages = [p for p in passages if p.chunk_id in relevant]
    if not passages:
        raise no_material
    passage_chapters = {p.chapter_id for p in passages}
    chapter_hits = [c for c in chapter_hits if c.chapter_id in passage_chapters]
    known = [c.chapter_id for c in chapter_hits]
    extra = [cid for cid in passage_chapters if cid not in set(known)]
    chapters = selectors.chapter_rows(known + extra)
    scores = {c.chapter_id: c.score for c in chapter_hits}
    return {
        "covered_terms": covered,
        "missing_terms": missing,
        "chapters": [
            {**chapters[cid], "score": scores.get(cid, 0.0)} for cid in known + extra if cid in chapters
        ],
        "passages": [
            {
                "chunk_id": p.chunk_id,
                "chapter_id": p.chapter_id,
                "book_id": p.book_id,
                "book_title": p.book_title,
                "chapter": p.chapter,
                "heading_path": p.heading_path,
                "page_start": p.page_start,
                "page_end": p.page_end,
                "score": p.score,
                "matched_terms": relevant[p.chunk_id],
                "excerpt": p.text[:600],
            }
            for p in passages
        ],
    }


# --- 3. parts ---------------------------------------------------------------------------------
def parts(ctx) -> dict:
    pctx = plan_context(ctx, _course(ctx))
    title, drafts, missing = get_planner().generate_parts(pctx)
    if not drafts:
        raise NoMaterial(f"Your library has no material on “{pctx.topic}”; add a book that covers it.")
    ctx.progress(f"{len(drafts)} part(s) planned")
    return {"title": title, "parts": [p.as_dict() for p in drafts], "missing_topics": missing}


def part_drafts(state: dict) -> list[PartDraft]:
    return [PartDraft(**p) for p in state["parts"]["parts"]]


# --- 4. expand: parts concurrently, each checkpointed as an item ------------------------------
def expand(ctx) -> dict:
    drafts = part_drafts(ctx.state)
    ctx.expect_items(len(drafts))
    todo = [i for i in range(len(drafts)) if str(i) not in ctx.items]
    planner, pctx = get_planner(), plan_context(ctx, _course(ctx))

    def work(index: int) -> None:
        sections = planner.expand_part(pctx, drafts, index)
        ctx.save_item(str(index), sections, message=f"Planned part {index + 1}: {drafts[index].title}")

    def in_thread(index: int) -> None:
        try:
            work(index)
        finally:
            connection.close()  # each thread has its own database connection

    if len(todo) == 1:
        work(todo[0])
    elif todo:
        with ThreadPoolExecutor(max_workers=min(EXPAND_CONCURRENCY, len(todo))) as pool:
            for future in [pool.submit(in_thread, i) for i in todo]:
                future.result()  # re-raise the first failure
    return {str(i): ctx.items[str(i)] for i in range(len(drafts))}


# --- 5. review --------------------------------------------------------------------------------
def review(ctx) -> dict:
    plans = to_plans(part_drafts(ctx.state), ctx.state["expand"])
    pctx = plan_context(ctx, _course(ctx))
    final = rebalance(get_planner().review(pctx, plans), pctx.minutes)
    ctx.progress("Outline fits the time budget")
    return {"parts": [plan_to_dict(p) for p in final]}


def to_plans(drafts: list[PartDraft], expanded: dict[str, list[dict]]) -> list[PartPlan]:
    plans = []
    for i, part in enumerate(drafts):
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
def store(ctx) -> dict:
    return {"minutes": services.store_course(_course(ctx), ctx.state)}
