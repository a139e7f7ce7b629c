"""Pydantic models of what the model writer must return (validated before anything is stored)."""

from typing import Literal

from pydantic import BaseModel, Field


class CitationDraft(BaseModel):
    n: int = Field(ge=1, le=500)
    chunk_id: int
    quote: str = Field(min_length=1, max_length=600)


class QuestionDraft(BaseModel):
    kind: Literal["multiple_choice", "short_answer"]
    question: str = Field(min_length=5, max_length=600)
    choices: list[str] | None = Field(default=None, max_length=6)
    answer: str = Field(min_length=1, max_length=200)
    explanation: str = Field(min_length=1, max_length=1200)
    chunk_id: int
    quote: str = Field(min_length=1, max_length=600)


class SegmentDraft(BaseModel):
    """One objective's part of the lecture: Markdown text with [n] markers, its citations, quiz questions."""

    text: str = Field(min_length=1)
    citations: list[CitationDraft] = Field(default_factory=list, max_length=200)
    quiz: list[QuestionDraft] = Field(default_factory=list, max_length=3)


class Removal(BaseModel):
    segment: int = Field(ge=1)
    sentence: str = Field(min_length=1)


class RefinedLecture(BaseModel):
    """Introduction and recap; a transition into each segment; repeated sentences to remove."""

    introduction: str = Field(min_length=1)
    recap: str = Field(min_length=1)
    transitions: list[str] = Field(default_factory=list)
    remove: list[Removal] = Field(default_factory=list)
