"""The `lecture` job kind: two steps over the engine's one runner, and the hooks that keep
`Lecture.status` in step with its job (the finish step sets it to ready together with the content)."""

from __future__ import annotations

from docprof.ai.errors import AIError, NotConfigured
from lectures import steps
from lectures.models import Lecture
from lectures.writing import LectureWritingError
from workers.engine import JobKind, Step


def _failed(job, message: str) -> None:
    # Nothing of the version is stored: its content stays empty. The segments written so far stay
    # in the job's checkpoints, so a retry resumes instead of writing (and paying for) them again.
    Lecture.objects.filter(pk=job.target_id, status=Lecture.Status.GENERATING).update(
        status=Lecture.Status.FAILED, error=message[:2000]
    )


def _cancelled(job) -> None:
    _failed(job, "The lecture was cancelled before it was finished.")


def _resumed(job) -> None:
    # Inside the engine's resume transaction: if another version of the key is being written, the
    # single-flight index refuses this one and the resume rolls back (the caller joins the other).
    Lecture.objects.filter(pk=job.target_id, status=Lecture.Status.FAILED).update(
        status=Lecture.Status.GENERATING, error=""
    )


LECTURE_KIND = JobKind(
    name="lecture",
    label="Write lecture",
    target_key="lecture_id",
    steps=[
        Step(
            "segments",
            "Writing the lecture",
            steps.write_segments,
            waits_on_model=True,
            weight=4,
            fan_out=True,
        ),
        Step("finish", "Introduction, recap and citation check", steps.finish, waits_on_model=True),
    ],
    errors={
        LectureWritingError: None,
        Lecture.DoesNotExist: "The lecture was deleted.",
        NotConfigured: None,
        AIError: "The model could not write this lecture just now. Try again in a few minutes.",
    },
    on_complete=lambda job: "Lecture ready",
    on_error=_failed,
    on_cancel=_cancelled,
    on_resume=_resumed,
)
