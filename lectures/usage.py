"""Spend and savings: per day and per course, lectures served, generations, cache hit rate, model
calls, tokens, money spent (the ledger `docprof.ai.models.LLMCall`, keyed by job id) and money
avoided by the cache (for each cached delivery, what the generation of the version it received cost).

A generation is a `GenerationJob` of kind `lecture` (its target is the Lecture). A version is
attributed to the course in which it was first delivered uncached (the learner who caused it); a
regeneration that no one has received yet counts per day, not per course. A course's own planning
job counts for its course.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from courses.models import Course
from docprof.ai.models import LLMCall
from lectures.models import SectionDelivery
from workers.engine import GenerationJob

ZERO = Decimal("0")


def _ledger_by_job(job_ids) -> dict[int, dict]:
    rows = (
        LLMCall.objects.filter(job_id__in=list(job_ids))
        .values("job_id")
        .annotate(calls=Count("id"), tin=Sum("input_tokens"), tout=Sum("output_tokens"), cost=Sum("cost_usd"))
    )
    return {
        r["job_id"]: {
            "calls": r["calls"],
            "tokens": (r["tin"] or 0) + (r["tout"] or 0),
            "cost": r["cost"] or ZERO,
        }
        for r in rows
    }


def lecture_costs(lecture_ids) -> dict[int, dict]:
    """{lecture_id: {calls, tokens, cost}}: every lecture job's ledger rows (restarts included)."""
    jobs = GenerationJob.objects.filter(kind="lecture", target_id__in=list(lecture_ids)).values_list(
        "id", "target_id"
    )
    ledger = _ledger_by_job(j for j, _ in jobs)
    out: dict[int, dict] = defaultdict(lambda: {"calls": 0, "tokens": 0, "cost": ZERO})
    for job_id, lecture_id in jobs:
        row = ledger.get(job_id)
        if row:
            for k in ("calls", "tokens", "cost"):
                out[lecture_id][k] += row[k]
    return out


def _row(served: int, cached: int, generations: int, spend: dict, avoided: Decimal) -> dict:
    return {
        "lectures_served": served,
        "cached": cached,
        "generations": generations,
        "cache_hit_rate": round(cached / served, 4) if served else None,
        "model_calls": spend["calls"],
        "tokens": spend["tokens"],
        "spent_usd": float(spend["cost"]),
        "avoided_usd": float(avoided),
    }


def _sum(rows) -> dict:
    total = {"calls": 0, "tokens": 0, "cost": ZERO}
    for r in rows:
        for k in total:
            total[k] += r[k]
    return total


def course_usage(courses, since=None) -> list[dict]:
    """Per course (in the given queryset): served, generations, hit rate, calls, tokens, spent, avoided."""
    courses = list(courses)
    deliveries = SectionDelivery.objects.filter(section__course__in=courses, lecture__isnull=False)
    if since is not None:
        deliveries = deliveries.filter(delivered_at__gte=since)
    rows = list(deliveries.values_list("section__course_id", "lecture_id", "was_cached"))
    costs = lecture_costs({lecture for _, lecture, _ in rows})
    planning = _ledger_by_job(c.job_id for c in courses if c.job_id)
    out = []
    for course in courses:
        mine = [(lecture, cached) for cid, lecture, cached in rows if cid == course.pk]
        generated = {lecture for lecture, cached in mine if not cached}
        spend = _sum(
            [costs[lec] for lec in generated]
            + ([planning[course.job_id]] if course.job_id in planning else [])
        )
        avoided = sum((costs[lec]["cost"] for lec, cached in mine if cached), ZERO)
        out.append(
            {
                "course_id": course.pk,
                "title": str(course),
                "owner": course.owner.username,
                "published": course.published,
                **_row(len(mine), sum(1 for _, c in mine if c), len(generated), spend, avoided),
            }
        )
    return out


def daily_usage(days: int = 30) -> list[dict]:
    """Per day (newest first): deliveries, cached share, lecture generations, and the whole ledger."""
    since = timezone.now() - timedelta(days=days)
    served = {
        r["day"]: r
        for r in SectionDelivery.objects.filter(delivered_at__gte=since, lecture__isnull=False)
        .annotate(day=TruncDate("delivered_at"))
        .values("day")
        .annotate(n=Count("id"), cached=Count("id", filter=Q(was_cached=True)))
    }
    generations = dict(
        GenerationJob.objects.filter(kind="lecture", created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    ledger = {
        r["day"]: {
            "calls": r["calls"],
            "tokens": (r["tin"] or 0) + (r["tout"] or 0),
            "cost": r["cost"] or ZERO,
        }
        for r in LLMCall.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(calls=Count("id"), tin=Sum("input_tokens"), tout=Sum("output_tokens"), cost=Sum("cost_usd"))
    }
    cached_by_day: dict = defaultdict(list)
    for day, lecture in (
        SectionDelivery.objects.filter(delivered_at__gte=since, was_cached=True, lecture__isnull=False)
        .annotate(day=TruncDate("delivered_at"))
        .values_list("day", "lecture_id")
    ):
        cached_by_day[day].append(lecture)
    costs = lecture_costs({lec for lectures in cached_by_day.values() for lec in lectures})
    out = []
    for day in sorted(set(served) | set(generations) | set(ledger), reverse=True):
        s = served.get(day, {"n": 0, "cached": 0})
        avoided = sum((costs[lec]["cost"] for lec in cached_by_day.get(day, [])), ZERO)
        spend = ledger.get(day, {"calls": 0, "tokens": 0, "cost": ZERO})
        out.append(
            {"day": day.isoformat(), **_row(s["n"], s["cached"], generations.get(day, 0), spend, avoided)}
        )
    return out


def usage_report(days: int = 30) -> dict:
    since = timezone.now() - timedelta(days=days)
    active = (
        Course.objects.filter(sections__deliveries__delivered_at__gte=since)
        .distinct()
        .select_related("owner")
    )
    courses = course_usage(active, since=since)
    daily = daily_usage(days)
    totals = {
        k: sum(d[k] for d in daily)
        for k in (
            "lectures_served",
            "cached",
            "generations",
            "model_calls",
            "tokens",
            "spent_usd",
            "avoided_usd",
        )
    }
    totals["cache_hit_rate"] = (
        round(totals["cached"] / totals["lectures_served"], 4) if totals["lectures_served"] else None
    )
    return {"days": days, "totals": totals, "per_day": daily, "per_course": courses}


def course_cost(course) -> dict:
    """What a course has cost so far (for its owner): planning plus the lectures it caused."""
    return course_usage(Course.objects.filter(pk=course.pk).select_related("owner"))[0]
