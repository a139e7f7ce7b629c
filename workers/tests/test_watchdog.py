"""The watchdog: jobs that stopped heartbeating are re-driven from their last completed phase, up to
DOCPROF_JOB_MAX_ATTEMPTS, then failed with a message a person can read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.models import Course
from workers import engine, watchdog
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db

STALE = 60
DONE_UP_TO_PARTS = {"embed": {}, "search": {}, "parts": {"parts": [{}, {}]}}


@pytest.fixture(autouse=True)
def limits(settings):
    settings.DOCPROF_JOB_STALE_AFTER = STALE
    settings.DOCPROF_JOB_MAX_ATTEMPTS = 3


@pytest.fixture
def enqueued(monkeypatch):
    """The jobs the watchdog sends to the broker, recorded instead of sent."""
    sent = []
    monkeypatch.setattr(engine, "_enqueue_on_commit", lambda job: sent.append(job.pk))
    return sent


def course_job(owner, *, status, seconds_ago, attempts=1, state=None):
    course = Course.objects.create(owner=owner, original_query="Learn DCF valuation", requested_hours=2)
    job = GenerationJob.objects.create(owner=owner, kind="course", target_id=course.pk, progress_total=6)
    GenerationJob.objects.filter(pk=job.pk).update(
        status=status,
        attempts=attempts,
        state=state or {},
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago),
    )
    Course.objects.filter(pk=course.pk).update(job=job)
    job.refresh_from_db()
    return course, job


def test_a_stale_processing_job_is_queued_again(alice, enqueued):
    _, job = course_job(alice, status="processing", seconds_ago=STALE + 5, state=DONE_UP_TO_PARTS)

    result = watchdog.sweep()

    assert result == {"redriven": [job.pk], "failed": []}
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED
    assert job.attempts == 1  # counted when a runner starts it again
    assert "stopped responding" in job.message
    assert job.heartbeat_at > timezone.now() - timedelta(seconds=5)
    assert job.state == DONE_UP_TO_PARTS  # the runner resumes at the first unfinished step
    assert enqueued == [job.pk]


def test_a_redriven_job_is_not_redriven_again_at_once(alice, enqueued):
    course_job(alice, status="processing", seconds_ago=STALE + 5)
    assert len(watchdog.sweep()["redriven"]) == 1
    assert watchdog.sweep() == {"redriven": [], "failed": []}
    assert len(enqueued) == 1


def test_after_max_attempts_the_job_fails_with_a_message_and_the_course_is_marked_error(alice, enqueued):
    course, job = course_job(alice, status="processing", seconds_ago=STALE + 5, attempts=3)

    result = watchdog.sweep()

    assert result == {"redriven": [], "failed": [job.pk]}
    job.refresh_from_db()
    course.refresh_from_db()
    assert job.status == GenerationJob.Status.ERROR
    assert job.finished_at is not None
    assert "stopped responding" in job.error and "3 times" in job.error and "Resume" in job.error
    assert course.status == Course.Status.ERROR
    assert enqueued == []


def test_a_job_with_a_fresh_heartbeat_is_left_alone(alice, enqueued):
    _, job = course_job(alice, status="processing", seconds_ago=STALE - 10)
    before = GenerationJob.objects.values().get(pk=job.pk)

    assert watchdog.sweep() == {"redriven": [], "failed": []}
    assert GenerationJob.objects.values().get(pk=job.pk) == before
    assert enqueued == []


@pytest.mark.parametrize("status", ["complete", "error", "cancelled"])
def test_finished_jobs_are_left_alone_however_old(alice, enqueued, status):
    course, job = course_job(alice, status=status, seconds_ago=STALE * 100, attempts=1)
    before = GenerationJob.objects.values().get(pk=job.pk)

    assert watchdog.sweep() == {"redriven": [], "failed": []}
    assert GenerationJob.objects.values().get(pk=job.pk) == before
    course.refresh_from_db()
    assert course.status == Course.Status.GENERATING
    assert enqueued == []


def test_a_queued_job_never_picked_up_is_sent_again(alice, enqueued):
    _, waiting = course_job(alice, status="queued", seconds_ago=STALE - 5, attempts=0)
    _, lost = course_job(alice, status="queued", seconds_ago=STALE + 5, attempts=0)

    assert watchdog.sweep() == {"redriven": [lost.pk], "failed": []}
    lost.refresh_from_db()
    assert lost.status == GenerationJob.Status.QUEUED and lost.attempts == 0
    assert enqueued == [lost.pk]


def test_a_queued_job_without_any_heartbeat_is_sent_again(alice, enqueued):
    _, job = course_job(alice, status="queued", seconds_ago=0, attempts=0)
    GenerationJob.objects.filter(pk=job.pk).update(heartbeat_at=None)
    assert watchdog.sweep()["redriven"] == [job.pk]


def test_the_celery_task_runs_the_sweep(alice, enqueued):
    from workers.tasks import watchdog_sweep

    _, job = course_job(alice, status="processing", seconds_ago=STALE + 5)
    watchdog_sweep.apply()
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.QUEUED and enqueued == [job.pk]


@pytest.mark.django_db
def test_state_checkpoints_are_merged_and_counted_once(alice):
    from workers import jobs as job_writes

    job = GenerationJob.objects.create(
        owner=alice, kind="course", status="processing", state={"embed": {"topic": "x"}}
    )
    job_writes.checkpoint(job.pk, "parts", {"parts": [1, 2]}, done=3, total=7)
    job_writes.save_item(job.pk, "expand:items", "0", [{"title": "a"}])
    job_writes.save_item(job.pk, "expand:items", "1", [{"title": "b"}])
    job_writes.save_item(job.pk, "expand:items", "0", [{"title": "a2"}])  # a re-run of part 0
    job.refresh_from_db()
    assert job.state == {
        "embed": {"topic": "x"},
        "parts": {"parts": [1, 2]},
        "expand:items": {"0": [{"title": "a2"}], "1": [{"title": "b"}]},
    }
    assert (job.progress_done, job.progress_total) == (5, 7)
