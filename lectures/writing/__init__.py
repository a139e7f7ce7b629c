"""Lecture writers: offline (no model) and model, behind the same three calls.

    writer.spec() -> {kind, version, model, prompts}   (part of every lecture's cache key)
    writer.write_segment(brief, index, job_id) -> segment dict       (one objective)
    writer.finish(brief, draft, job_id) -> {introduction, recap, segments}

`current_writer()` picks the model writer when a model is configured (DOCPROF_LLM), else offline.
"""

from __future__ import annotations

from docprof.ai.factory import get_llm
from lectures.writing.base import Brief, LectureWritingError
from lectures.writing.model import ModelWriter
from lectures.writing.offline import OfflineWriter

__all__ = ["Brief", "LectureWritingError", "current_writer", "writer_for"]


def current_llm():
    """The configured model, or None (offline). Tests replace this seam with a scripted model."""
    return get_llm()


def current_writer():
    llm = current_llm()
    return ModelWriter(llm) if llm is not None else OfflineWriter()


def writer_for(spec: dict):
    """The writer a lecture was keyed to; a model that is no longer configured is a clear error."""
    if spec.get("kind") == OfflineWriter.kind:
        return OfflineWriter()
    writer = current_writer()
    if writer.spec() != spec:
        raise LectureWritingError(
            f"This lecture is to be written by {spec.get('model') or spec.get('kind')}, "
            "which is no longer the configured model; ask for the lecture again."
        )
    return writer
