"""The JSON shapes of lectures (a contract: the API, the command line and other tools read them)."""

from __future__ import annotations

import json
from functools import lru_cache

from django.core.serializers.json import DjangoJSONEncoder

from lectures import sources
from lectures.models import Lecture
from lectures.writing.assemble import citation_entry, compose, heading
from workers import engine


def public_quiz(lecture: Lecture) -> list[dict]:
    """The quiz without answers, explanations or citations (those come after submission)."""
    out = []
    for q in lecture.quiz:
        item = {"id": q["id"], "objective": q["objective"], "kind": q["kind"], "question": q["question"]}
        if q.get("choices"):
            item["choices"] = q["choices"]
        out.append(item)
    return out


def lecture_data(lecture: Lecture, versions: int | None = None) -> dict:
    if versions is None:
        versions = (
            Lecture.objects.filter(cache_key=lecture.cache_key).exclude(status=Lecture.Status.FAILED).count()
        )
    data = {
        "id": lecture.pk,
        "version": lecture.version,
        "status": lecture.status,
        "title": lecture.title,
        "script": lecture.script,
        "segments": [
            {"objective": s["objective"], "text": s["text"], "kind": s["kind"]} for s in lecture.segments
        ],
        "citations": lecture.citations,
        "quiz": public_quiz(lecture),
        "word_count": lecture.word_count,
        "minutes": float(lecture.minutes),
        "style": lecture.style,
        "depth": lecture.depth,
        "pace_wpm": lecture.pace_wpm,
        "target_words": lecture.target_words,
        "length_check": lecture.length_check,
        "citation_check": lecture.citation_check,
        "writer": lecture.writer,
        "model": lecture.model,
        "approval_status": lecture.approval_status,
        "upvotes": lecture.upvotes,
        "downvotes": lecture.downvotes,
        "stale": lecture.stale,
        "stale_citations": lecture.stale_citations,
        "versions": versions,
    }
    if lecture.status != Lecture.Status.READY:
        data.update(partial_lecture(lecture))
    return data


def partial_lecture(lecture: Lecture) -> dict:
    """While a lecture is written (or after it failed): the segments checkpointed so far, numbered
    and cited like the finished lecture, the job's status, and the error a person reads."""
    job = lecture.job
    written = list(engine.items(job.pk, "segments").values()) if job else []
    draft = compose(written)
    passages = sources.load_passages({c["chunk_id"] for c in draft["citations"]})
    citations = [
        citation_entry(c["n"], c["chunk_id"], c["quote"], passages)
        for c in draft["citations"]
        if c["chunk_id"] in passages
    ]
    segments = [
        {"objective": s["objective"], "text": s["text"], "kind": "objective"} for s in draft["segments"]
    ]
    script = "\n\n".join(f"## {heading(s)}\n\n{s['text']}" for s in segments)
    return {
        "script": script,
        "segments": segments,
        "citations": citations,
        "segments_total": len(lecture.objectives),
        "job": engine.status(job) if job else None,
        "error": lecture.error,
    }


# Fields of a ready version that can still change (curation, staleness: citations are remapped to
# the new passage ids after a re-ingestion); with the id and the number of versions of its key
# (the stamp's last item) they address its JSON.
STAMP_FIELDS = ("status", "approval_status", "upvotes", "downvotes", "stale", "revision")


def stamp_of(lecture: Lecture) -> tuple:
    """The stamp of a loaded ready version (annotated with `versions`, as `servable_version` does)."""
    versions = getattr(lecture, "versions", None)
    if versions is None:
        versions = (
            Lecture.objects.filter(cache_key=lecture.cache_key).exclude(status=Lecture.Status.FAILED).count()
        )
    return (*(getattr(lecture, f) for f in STAMP_FIELDS), versions)


@lru_cache(maxsize=512)
def ready_lecture_json(lecture_id: int, stamp: tuple) -> str:
    """A ready version's payload as JSON text, built once per process and per stamp: the text of a
    ready version never changes, and the stamp holds everything about it that may."""
    lecture = Lecture.objects.get(pk=lecture_id)
    data = lecture_data(lecture, versions=stamp[-1])
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
