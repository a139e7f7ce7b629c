"""The lecture job's steps (see kind.py): passages -> segments (concurrent, each checkpointed) ->
finishing pass -> store. Each step is idempotent: the engine skips a step whose output is saved,
and the segment step skips objectives already in `ctx.items`. No transaction is held across a
model call; the lecture row is written once, by `store`, when everything verified."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.utils import timezone

from lectures import sources
from lectures.models import Lecture
from lectures.writing import Brief, LectureWritingError, writer_for
from lectures.writing.assemble import assemble, compose


def _lecture(ctx) -> Lecture:
    return Lecture.objects.get(pk=ctx.target_id)


def _brief(lecture: Lecture, state: dict) -> Brief:
    return Brief.from_state(lecture.key_inputs, state["passages"]["passages"])


def gather_passages(ctx) -> dict:
    """The passages the lecture was keyed on, with book, chapter and pages; unchanged since keying."""
    lecture = _lecture(ctx)
    inputs = lecture.key_inputs
    passages = sources.load_passages(int(i) for i in inputs["hashes"])
    changed = [i for i, h in inputs["hashes"].items() if passages.get(int(i), {}).get("hash") != h]
    if changed:
        raise LectureWritingError(
            "A book this lecture draws on changed while it was being prepared; open the section again."
        )
    return {"passages": {str(k): v for k, v in passages.items()}}


def write_segments(ctx) -> dict:
    """One segment per objective, concurrently (bounded); each saved the moment it is written."""
    lecture = _lecture(ctx)
    brief = _brief(lecture, ctx.state)
    writer = writer_for(lecture.key_inputs["writer"])
    total = len(brief.objectives)
    done = dict(ctx.items)
    todo = [i for i in range(total) if str(i) not in done]

    def work(index: int) -> None:
        try:
            ctx.check_cancelled()
            segment = writer.write_segment(brief, index, ctx.job_id)
            ctx.save_item(
                str(index), segment, message=f"Wrote part {index + 1} of {total}: {brief.objectives[index]}"
            )
            done[str(index)] = segment
        finally:
            connection.close()  # each pool thread has its own database connection

    workers = min(settings.DOCPROF_LECTURE_CONCURRENCY, len(todo)) if writer.kind == "model" else 1
    if workers <= 1:  # the offline writer is CPU-bound: threads would not help it
        for index in todo:
            ctx.check_cancelled()
            segment = writer.write_segment(brief, index, ctx.job_id)
            ctx.save_item(str(index), segment, message=f"Wrote part {index + 1} of {total}")
            done[str(index)] = segment
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work, i) for i in todo]:
                future.result()  # the first failure fails the step; saved segments stay saved
    return {"segments": [done[str(i)] for i in range(total)]}


def finish(ctx) -> dict:
    """Introduction, recap and transitions (one model call with a model; deterministic offline)."""
    lecture = _lecture(ctx)
    brief = _brief(lecture, ctx.state)
    ctx.progress("Writing the introduction and recap")
    draft = compose(ctx.state["segments"]["segments"])
    return {"finished": writer_for(lecture.key_inputs["writer"]).finish(brief, draft, ctx.job_id)}


def store(ctx) -> dict:
    """Check citations, fit the length, build the quiz; store the version as ready in one UPDATE."""
    lecture = _lecture(ctx)
    brief = _brief(lecture, ctx.state)
    segments = ctx.state["segments"]["segments"]
    result = assemble(brief, compose(segments), ctx.state["finish"]["finished"], segments)
    updated = Lecture.objects.filter(pk=lecture.pk, status=Lecture.Status.GENERATING).update(
        **result,
        status=Lecture.Status.READY,
        error="",
        completed_at=timezone.now(),
    )
    if not updated and not Lecture.objects.filter(pk=lecture.pk, status=Lecture.Status.READY).exists():
        raise LectureWritingError("This lecture is no longer waiting to be written.")
    return {"words": result["word_count"], "citations": len(result["citations"]), "quiz": len(result["quiz"])}
