from __future__ import annotations

from dataclasses import dataclass, field

from courses.budget import PartPlan

DEPTH_SECTION_MINUTES = {"overview": 20, "standard": 30, "deep": 45}


@dataclass
class PlanContext:
    """What every planner sees: the request and the library material found for it (phase 2)."""

    query: str
    topic: str
    minutes: int
    preferences: dict
    chapters: list[dict]  # candidate chapters, most relevant first
    passages: list[dict]  # candidate passages, most relevant first
    job_id: int | None = None
    missing_terms: list[str] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)  # the material chosen for the course (material.py)
    topics: list[str] = field(default_factory=list)  # the named topics the course must cover
    # The course's whole subject ("Bread" in "Bread: gluten, proofing", the one topic of "Learn
    # bread baking"): what every section is about, so never one section's objective.
    subject_topics: list[str] = field(default_factory=list)

    @classmethod
    def from_search(cls, query: str, topic: str, minutes: int, preferences: dict, search: dict, job_id=None):
        """The context both planners get from the search phase's output: the same chosen units,
        and the planned minutes (what the library supports, at most the requested time)."""
        return cls(
            query=query,
            topic=topic,
            minutes=search.get("planned_minutes") or minutes,
            preferences=preferences,
            chapters=search.get("chapters", []),
            passages=search.get("passages", []),
            job_id=job_id,
            missing_terms=search.get("missing_topics", search.get("missing_terms", [])),
            units=search.get("units", []),
            topics=[t["label"] for t in (search.get("request") or {}).get("topics", [])],
            subject_topics=subject_topics((search.get("request") or {}).get("topics", [])),
        )

    def section_topics(self, topics: list[str]) -> list[str]:
        """Of a section's topics, those an objective may name (not the course's whole subject)."""
        return [t for t in topics if t not in self.subject_topics]

    @property
    def depth(self) -> str:
        return self.preferences.get("depth", "standard")

    @property
    def pace(self) -> int:
        return int(self.preferences.get("pace_wpm") or 150)

    @property
    def section_minutes(self) -> int:
        return DEPTH_SECTION_MINUTES.get(self.depth, 30)


def subject_topics(topics: list[dict]) -> list[str]:
    """The topics that are the course's whole subject: the one topic of the request, or the ones
    before a colon that lists their parts."""
    if any(t.get("sub") for t in topics):
        return [t["label"] for t in topics if not t.get("sub")]
    return [t["label"] for t in topics] if len(topics) == 1 else []


@dataclass
class PartDraft:
    title: str
    summary: str
    minutes: float
    chapter_ids: list[int]
    units: list[dict] = field(default_factory=list)  # offline planner: the teaching units chosen

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "summary": self.summary,
            "minutes": self.minutes,
            "chapter_ids": self.chapter_ids,
            "units": self.units,
        }


class Planner:
    """Interface: generate parts, expand one part into sections, review the whole outline."""

    name = "abstract"
    version = "0"

    def course_title(self, ctx: PlanContext) -> str:
        raise NotImplementedError

    def generate_parts(self, ctx: PlanContext) -> tuple[str, list[PartDraft], list[str]]:
        """Returns (course title, parts, missing topics)."""
        raise NotImplementedError

    def expand_part(self, ctx: PlanContext, parts: list[PartDraft], index: int) -> list[dict]:
        """Sections of parts[index]: dicts with title, minutes, learning_objectives, content_summary,
        source_chunk_ids."""
        raise NotImplementedError

    def review(self, ctx: PlanContext, parts: list[PartPlan]) -> list[PartPlan]:
        """Suggest adjustments; the deterministic rebalancing runs afterwards regardless."""
        return parts
