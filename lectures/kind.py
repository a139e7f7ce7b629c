"""The `lecture` job kind: two steps over the engine's one runner, and the hooks that set
`Lecture.status` (the store step sets it to ready together with the content)."""

from __future__ import annotations

from workers.engine import JobKind, Step

from docprof.ai.errors import AIError, NotConfigured
from lectures import steps
from lectures.models import Lecture
from lectures.writing import LectureWritingError


def _failed(job, message: str) -> None:
    # Nothing of the version is stored: its content stays empty; the segments written so far stay
    # in the job's checkpoints, so a retry resumes instead of starting over.
    Lecture.objects.filter(pk=job.target_id, status=Lecture.Status.GENERATING).update(
        status=Lecture.Status.FAILED, error=message[:2000]
    )


def _complete(job) -> str:
    return "Lecture ready"


def _cancelled(job) -> None:
    _failed(job, "The lecture was cancelled before it was finished.")


LECTURE_KIND = JobKind(
    name="lecture",
    label="Write lecture",
    steps=[
        Step("segments", "Writing the lecture", steps.write_segments, waits_on_model=True, weight=4),
        Step("finish", "Introduction, recap and citation check", steps.finish, waits_on_model=True),
    ],
    errors={
        LectureWritingError: None,
        NotConfigured: None,
        AIError: "The model could not write this lecture just now. Try again in a few minutes.",
    },
    on_complete=_complete,
    on_error=_failed,
    on_cancel=_cancelled,
)
