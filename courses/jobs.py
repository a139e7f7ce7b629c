"""The course job kind: six steps from a request to a stored outline, and the hooks that keep
`Course.status` in step with its job."""

from __future__ import annotations

from courses import steps
from courses.models import Course
from workers.engine import JobKind, Step


def _completed(job) -> str:
    Course.objects.filter(pk=job.target_id).update(status=Course.Status.READY)
    hours = Course.objects.filter(pk=job.target_id).values_list("estimated_hours", flat=True).first()
    return f"Course ready: {hours} hours"


def _set_status(status: str):
    def hook(job, *_args) -> None:
        Course.objects.filter(pk=job.target_id).exclude(status=Course.Status.READY).update(status=status)

    return hook


COURSE_KIND = JobKind(
    name="course",
    label="Generate course",
    target_key="course_id",
    steps=[
        Step("embed", "Understanding the request", steps.embed),
        Step("search", "Searching your library", steps.search),
        Step("parts", "Planning the parts", steps.parts, waits_on_model=True),
        Step("expand", "Planning the sections", steps.expand, waits_on_model=True, fan_out=True),
        Step("review", "Fitting the time budget", steps.review, waits_on_model=True),
        Step("store", "Saving the course", steps.store),
    ],
    errors={steps.NoMaterial: None, Course.DoesNotExist: "The course was deleted."},
    on_complete=_completed,
    on_error=_set_status(Course.Status.ERROR),
    on_cancel=_set_status(Course.Status.CANCELLED),
    on_resume=lambda job: Course.objects.filter(pk=job.target_id).update(status=Course.Status.GENERATING),
)
