"""The six steps of the course job kind. Each reads what earlier steps stored (`ctx.state`) and
returns what it adds; none holds a transaction across a model call or writes the job row."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from courses import services
from courses.budget import PartPlan, SectionPlan, rebalance
from courses.models import Course
from courses.planning import PartDraft, PlanContext, get_planner, material
from courses.request import topic_of
from docprof.ai.factory import get_embedder
from library import selectors

EXPAND_CONCURRENCY = 4


NoMaterial = material.NoMaterial  # the library does not teach the request: the job ends with its message


def _course(ctx) -> Course:
    return Course.objects.get(pk=ctx.target_id)


def plan_context(ctx, course: Course) -> PlanContext:
    """Both planners plan from the same chosen material and for the planned minutes."""
    return PlanContext.from_search(
        course.original_query,
        ctx.state["embed"]["topic"],
        course.requested_minutes,
        course.preferences,
        ctx.state.get("search", {}),
        job_id=ctx.job_id,
    )


# --- 1. embed ---------------------------------------------------------------------------------
def embed(ctx) -> dict:
    topic = topic_of(_course(ctx).original_query)
    return {"topic": topic, "vector": list(map(float, get_embedder().embed_one(topic)))}


# --- 2. search --------------------------------------------------------------------------------
def search(ctx) -> dict:
    """The units of the library that teach the request, and how much time they support
    (courses/planning/material.py); a shortfall is said here, before planning."""
    course = _course(ctx)
    book_ids = selectors.ready_book_ids(course.owner)
    found = material.find_material(
        course.original_query, book_ids, course.requested_minutes, course.preferences
    )
    state = material.search_state(found)
    ctx.progress(
        " ".join(
            [f"Found {len(state['passages'])} passages in {len(state['chapters'])} chapters.", *found.notes]
        )
    )
    return state


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
