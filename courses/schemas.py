"""Pydantic models for what the model planner must return (validated before it touches the DB)."""

from pydantic import BaseModel, Field


class PartProposal(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=2000)
    minutes: float = Field(gt=0)
    chapter_ids: list[int] = Field(
        default_factory=list, description="ids of the candidate chapters it draws on"
    )
    unit_keys: list[str] = Field(default_factory=list, description="keys of the candidate units it teaches")


class PartsOutline(BaseModel):
    """The course title and its parts, ordered from foundations to advanced."""

    title: str = Field(min_length=1, max_length=200)
    parts: list[PartProposal] = Field(min_length=1, max_length=12)
    missing_topics: list[str] = Field(default_factory=list, description="requested topics the sources lack")


class SectionProposal(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    minutes: float = Field(gt=0)
    learning_objectives: list[str] = Field(min_length=2, max_length=6)
    content_summary: str = Field(default="", max_length=2000)
    source_chunk_ids: list[int] = Field(default_factory=list)


class ExpandedPart(BaseModel):
    """The timed sections of one part."""

    sections: list[SectionProposal] = Field(min_length=1, max_length=20)


class ReviewedSection(BaseModel):
    title: str
    minutes: float = Field(gt=0)


class ReviewedPart(BaseModel):
    title: str
    sections: list[ReviewedSection]


class OutlineReview(BaseModel):
    """Suggested minutes per section so the outline fits the requested time; notes on balance."""

    parts: list[ReviewedPart]
    notes: str = ""
