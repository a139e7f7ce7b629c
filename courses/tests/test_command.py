import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.models import Course
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db

QUERY = "Learn about discounting and terminal value"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("course", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_inline_builds_a_course_and_prints_the_outline(alice, library):
    out, err = run(
        QUERY, "--hours", "1", "--user", "alice", "--inline", "--depth", "overview", "--pace", "140"
    )
    course = Course.objects.get()
    assert course.status == Course.Status.READY
    assert course.preferences["depth"] == "overview" and course.preferences["pace_wpm"] == 140
    section = course.sections.filter(parent_section__isnull=False).first()
    assert "Part 1:" in out and f"{section.title} — {section.estimated_minutes} min" in out
    assert section.learning_objectives[0] in out and "Sources:" in out
    assert "Searching your library" in err  # progress shown with the phase names


def test_json_prints_the_outline_json(alice, library):
    out, _ = run(QUERY, "--hours", "1.5", "--user", "alice", "--inline", "--json")
    outline = json.loads(out)
    assert outline["course_id"] == Course.objects.get().pk
    assert outline["requested_hours"] == 1.5 and outline["parts"]
    assert outline["parts"][0]["sections"][0]["learning_objectives"]
    total = sum(s["minutes"] for p in outline["parts"] for s in p["sections"])
    assert abs(total - 90) <= 90 * 0.05


def test_falls_back_to_inline_when_no_worker_picks_the_job_up(alice, library):
    # In tests nothing is sent to Celery (on_commit never fires), so no worker will start the job.
    out, err = run(QUERY, "--hours", "1", "--user", "alice", "--wait-for-worker", "0")
    assert "No worker picked the job up" in err
    assert Course.objects.get().status == Course.Status.READY and "Part 1:" in out


def test_no_wait_returns_at_once(alice, library):
    out, _ = run(QUERY, "--hours", "1", "--user", "alice", "--no-wait", "--json")
    body = json.loads(out)
    job = GenerationJob.objects.get(pk=body["job_id"])
    assert job.status == GenerationJob.Status.QUEUED and body["course_id"] == Course.objects.get().pk


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hours", "0"], "hours: A course needs at least"),
        (["--hours", "-1"], "hours"),
        (["--hours", "two"], "hours"),
        (["--hours", "nan"], "hours"),
        (["--hours", "1000"], "at most"),
        (["--hours", "1", "--pace", "5"], "pace_wpm"),
    ],
)
def test_bad_input_is_a_command_error_and_creates_nothing(alice, library, args, message):
    with pytest.raises(CommandError, match=message):
        run(QUERY, "--user", "alice", "--inline", *args)
    assert not Course.objects.exists() and not GenerationJob.objects.filter(kind="course").exists()


def test_empty_query_unknown_user_and_empty_library(alice, bob, library):
    with pytest.raises(CommandError, match="query"):
        run("   ", "--hours", "1", "--user", "alice")
    with pytest.raises(CommandError, match="No user named"):
        run(QUERY, "--hours", "1", "--user", "nobody")
    with pytest.raises(CommandError, match="no readable books"):
        run(QUERY, "--hours", "1", "--user", "bob")
    assert not Course.objects.exists()


def test_a_failed_job_exits_1_with_the_human_error(alice, library):
    with pytest.raises(CommandError, match="no material on") as info:
        run("Learn quantum chromodynamics", "--hours", "1", "--user", "alice", "--inline")
    assert info.value.returncode == 1
    assert Course.objects.get().status == Course.Status.ERROR


def test_runs_inline_when_the_task_queue_is_unreachable(alice, library, monkeypatch):
    from courses.management.commands import course as command
    from courses.services import create_course
    from workers import jobs

    def create_then_fail_to_enqueue(owner, request):
        course, job = create_course(owner, request)
        jobs.fail(job.pk, "The job could not be queued: the task queue is unavailable.", "ConnectionError")
        return course, job

    monkeypatch.setattr(command, "create_course", create_then_fail_to_enqueue)
    out, err = run(QUERY, "--hours", "1", "--user", "alice")
    assert "task queue is unavailable" in err and "Running the phases in this process" in err
    assert Course.objects.get().status == Course.Status.READY and "Part 1:" in out
