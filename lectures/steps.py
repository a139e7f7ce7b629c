"""The lecture job's two steps (see kind.py):

- `segments`: one segment per objective, written concurrently (bounded), each checkpointed with
  `ctx.save_item` the moment it is written (the page and the API show it at once); objectives
  already checkpointed are skipped after a crash or a retry.
- `finish`: the introduction and recap (one model call with a model; the ledger replays it if the
  step runs again), then the citation check, the length contract and the quiz, and the version is
  stored as ready in one UPDATE. Nothing is written to the lecture before that.

The passages come from the database each time (not the job state: checkpoints stay small), checked
against the content hashes the lecture was keyed on.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.utils import timezone

from lectures import sources
from lectures.models import Lecture
from lectures.writing import Brief, LectureWritingError, writer_for
from lectures.writing.assemble import assemble, compose


def load(ctx) -> tuple[Lecture, Brief]:
    lecture = Lecture.objects.get(pk=ctx.target_id)
    inputs = lecture.key_inputs
    passages = sources.load_passages(int(i) for i in inputs["hashes"])
    if any(passages.get(int(i), {}).get("hash") != h for i, h in inputs["hashes"].items()):
        raise LectureWritingError(
            "A book this lecture draws on changed while it was being written; open the section again."
        )
    return lecture, Brief.from_state(inputs, passages)


def write_segments(ctx) -> dict:
    lecture, brief = load(ctx)
    writer = writer_for(lecture.key_inputs["writer"])
    total = len(brief.objectives)
    ctx.expect_items(total)
    done = dict(ctx.items)
    todo = [i for i in range(total) if str(i) not in done]

    def write(index: int) -> None:
        segment = writer.write_segment(brief, index, ctx.job_id)
        message = f"Wrote part {index + 1} of {total}: {brief.objectives[index]}"
        ctx.save_item(str(index), segment, message=message)
        done[str(index)] = segment

    def in_thread(index: int) -> None:
        try:
            ctx.check_cancelled()  # not worth a model call if the user cancelled meanwhile
            write(index)
        finally:
            connection.close()  # each pool thread has its own database connection

    workers = min(settings.DOCPROF_LECTURE_CONCURRENCY, len(todo)) if writer.kind == "model" else 1
    if workers <= 1:  # the offline writer is CPU-bound: threads would not help it
        for index in todo:
            ctx.check_cancelled()
            write(index)
    elif todo:
        # The first objective in this thread (its connection is open: the first segment comes
        # soonest); the others on a bounded pool at the same time.
        with ThreadPoolExecutor(max_workers=workers - 1) as pool:
            futures = [pool.submit(in_thread, i) for i in todo[1:]]
            write(todo[0])
            for future in futures:
                future.result()  # the first failure fails the step; saved segments stay saved
    return {str(i): done[str(i)] for i in range(total)}  # the fan-out step's output: every item


def finish(ctx) -> dict:
    lecture, brief = load(ctx)
    segments = list((ctx.state.get("segments") or {}).values())
    if len(segments) != len(brief.objectives):
        raise LectureWritingError("Some parts of this lecture are missing; retry to write them.")
    ctx.progress("Writing the introduction and recap")
    draft = compose(segments)
    finished = writer_for(lecture.key_inputs["writer"]).finish(brief, draft, ctx.job_id)
    ctx.progress("Checking every citation against the books")
    result = assemble(brief, draft, finished, segments)
    updated = Lecture.objects.filter(pk=lecture.pk, status=Lecture.Status.GENERATING).update(
        **result, status=Lecture.Status.READY, error="", completed_at=timezone.now()
    )
    if not updated and not Lecture.objects.filter(pk=lecture.pk, status=Lecture.Status.READY).exists():
        raise LectureWritingError("This lecture is no longer waiting to be written.")
    return {"words": result["word_count"], "citations": len(result["citations"]), "quiz": len(result["quiz"])}
