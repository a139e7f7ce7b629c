"""The generic job engine, driven through a toy kind: one runner, guarded transitions, checkpoints,
cancellation, fan-out items, readable errors, transient retries, concurrent Resume."""

import threading

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from docprof.ai.errors import Unavailable
from workers import engine, jobs, runner
from workers.models import GenerationJob
from workers.registry import JobKind, Step, register
from workers.tests.factories import JobFactory

Status = GenerationJob.Status
calls_made: list[str] = []
behaviour: dict = {}
hook_calls: list[tuple] = []


class ToyError(Exception):
    pass


def first(ctx):
    calls_made.append("first")
    return {"n": 1}


def fan(ctx):
    calls_made.append("fan")
    ctx.expect_items(3)
    for i in range(3):
        if str(i) in ctx.items:
            continue
        if behaviour.get("cancel_at") == i:
            engine.cancel(ctx.job_id)
        ctx.save_item(str(i), {"i": i})
        calls_made.append(f"item{i}")
    return dict(ctx.items)


def last(ctx):
    calls_made.append("last")
    effect = behaviour.get("last")
    if callable(effect):
        effect()
    elif effect is not None:
        raise effect
    return {"done": True}


TOY = register(
    JobKind(
        name="toy",
        label="Toy job",
        target_key="toy_id",
        steps=[
            Step("first", "Doing the first thing", first),
            Step("fan", "Fanning out", fan, fan_out=True),
            Step("last", "Finishing", last),
        ],
        errors={ToyError: "The toy broke."},
        on_complete=lambda job: hook_calls.append(("complete", job.pk)) or "Toy ready",
        on_error=lambda job, message: hook_calls.append(("error", job.pk, message)),
        on_cancel=lambda job: hook_calls.append(("cancel", job.pk)),
        on_resume=lambda job: hook_calls.append(("resume", job.pk)),
    )
)


@pytest.fixture(autouse=True)
def clean(settings):
    calls_made.clear()
    behaviour.clear()
    hook_calls.clear()
    settings.DOCPROF_JOB_TRANSIENT_DELAYS = [0.01, 0.01]


@pytest.fixture
def toy(alice):
    return engine.submit(alice, "toy", 7)


pytestmark = pytest.mark.django_db


def test_a_job_runs_every_step_in_order_and_completes_once(toy):
    assert engine.run_inline(toy.pk) == "ran"
    toy.refresh_from_db()
    assert calls_made == ["first", "fan", "item0", "item1", "item2", "last"]
    assert toy.status == Status.COMPLETE and toy.message == "Toy ready" and toy.attempts == 1
    assert (toy.progress_done, toy.progress_total) == (5, 5)  # 1 + 3 items + 1
    assert toy.state["fan"] == {"0": {"i": 0}, "1": {"i": 1}, "2": {"i": 2}}
    assert hook_calls == [("complete", toy.pk)]
    assert engine.run_inline(toy.pk) == "skipped"  # a re-delivered task does nothing
    assert calls_made.count("first") == 1


def test_status_payload_comes_from_the_registry(toy):
    payload = engine.status(toy)
    assert payload["status"] == "processing" and payload["toy_id"] == 7 and payload["course_id"] is None
    assert [p["name"] for p in payload["phases"]] == ["first", "fan", "last"]
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert all(p["state"] == "done" for p in engine.status(toy)["phases"])


def test_checkpointed_steps_and_items_are_skipped_on_a_rerun(toy):
    GenerationJob.objects.filter(pk=toy.pk).update(
        status=Status.PROCESSING, state={"first": {"n": 1}, "fan:items": {"0": {"i": 0}}}
    )
    engine.run_inline(toy.pk)
    assert calls_made == ["fan", "item1", "item2", "last"]


def test_cancel_between_items_ends_cancelled_with_the_hook(toy):
    behaviour["cancel_at"] = 1
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert toy.status == Status.CANCELLED and "last" not in calls_made
    assert hook_calls == [("cancel", toy.pk)]
    assert engine.cancel(toy.pk) is False  # already finished: nothing to cancel


def test_cancelling_a_queued_job_calls_the_hook_at_once(toy):
    assert engine.cancel(toy.pk) is True
    toy.refresh_from_db()
    assert toy.status == Status.CANCELLED and hook_calls == [("cancel", toy.pk)]
    assert engine.run_inline(toy.pk) == "skipped" and calls_made == []


def test_a_kind_error_is_the_kinds_message(toy):
    behaviour["last"] = ToyError("internal detail")
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert toy.status == Status.ERROR and toy.error == "The toy broke." and toy.message == "The toy broke."
    assert "internal detail" in toy.error_detail
    assert hook_calls == [("error", toy.pk, "The toy broke.")]


def test_a_provider_error_never_shows_urls_or_raw_bodies(toy):
    behaviour["last"] = Unavailable('fake-model at http://127.0.0.1:18902/v1/: HTTP 500: {"error": "boom"}')
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert toy.status == Status.ERROR
    assert "http" not in toy.error and "127.0.0.1" not in toy.error and "boom" not in toy.error
    assert "language model service is unavailable" in toy.error and "Resume" in toy.error
    assert "127.0.0.1:18902" in toy.error_detail


def test_an_unexpected_error_is_a_readable_message(toy):
    behaviour["last"] = KeyError("x")
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert toy.error == "Something went wrong while finishing. Resume to try again."


def test_transient_errors_are_retried_then_named(toy):
    failures = iter([redis.exceptions.ConnectionError("gone"), redis.exceptions.ConnectionError("gone")])

    def flaky():
        error = next(failures, None)
        if error:
            raise error

    behaviour["last"] = flaky
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert toy.status == Status.COMPLETE and calls_made.count("last") == 3

    other = engine.submit(toy.owner, "toy", 8)
    behaviour["last"] = redis.exceptions.ConnectionError("still gone")
    engine.run_inline(other.pk)
    other.refresh_from_db()
    assert other.status == Status.ERROR and "the task queue was unreachable" in other.error


@pytest.mark.parametrize("status", [Status.COMPLETE, Status.ERROR, Status.CANCELLED])
def test_terminal_jobs_are_never_changed_by_late_transitions(status):
    toy = JobFactory(status=status)
    assert not jobs.start(toy.pk)
    assert not jobs.complete(toy.pk, "late")
    assert not jobs.fail(toy.pk, "late")
    assert not jobs.mark_cancelled(toy.pk)
    assert jobs.request_cancel(toy.pk) == "finished"
    toy.refresh_from_db()
    assert toy.status == status and toy.message != "late"


def test_complete_needs_a_running_job(toy):
    assert not jobs.complete(toy.pk, "Done")  # queued: nobody ran it
    jobs.start(toy.pk)
    assert jobs.complete(toy.pk, "Done") and not jobs.complete(toy.pk, "Done")


def test_resume_only_from_error_or_cancelled(toy, monkeypatch):
    sent = []
    monkeypatch.setattr(engine, "_enqueue_on_commit", lambda job: sent.append(job.pk))
    with pytest.raises(engine.JobConflict):
        engine.resume(toy.pk)
    behaviour["last"] = ToyError()
    engine.run_inline(toy.pk)
    job = engine.resume(toy.pk)
    assert job.status == Status.QUEUED and job.attempts == 0 and sent == [toy.pk]
    behaviour.clear()
    engine.run_inline(toy.pk)
    toy.refresh_from_db()
    assert toy.status == Status.COMPLETE and calls_made.count("first") == 1  # resumed at its last step


def test_a_busy_lock_means_another_runner_drives_the_job(toy):
    lock = runner.job_lock(toy.pk)
    assert lock.acquire(blocking=False)
    try:
        assert engine.run_inline(toy.pk) == "busy" and calls_made == []
    finally:
        lock.release()


@pytest.mark.django_db(transaction=True)
def test_concurrent_resumes_start_exactly_one_run(alice, monkeypatch):
    sent = []
    monkeypatch.setattr(engine, "_enqueue_on_commit", lambda job: sent.append(job.pk))
    job = JobFactory(owner=alice, status=Status.ERROR)
    results, barrier = [], threading.Barrier(8)

    def click_resume():
        barrier.wait()
        try:
            engine.resume(job.pk)
            results.append("resumed")
        except engine.JobConflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=click_resume) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 7 + ["resumed"]
    assert sent == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_during_a_step_is_retried_and_completes(alice, settings):
    if not django_settings.REDIS_EMBEDDED:
        pytest.skip("restarts the embedded Redis only")
    from docprof import embedded
    from docprof.redis_client import get_redis

    settings.DOCPROF_JOB_TRANSIENT_DELAYS = [0.5, 1, 2, 4]
    restarted = threading.Event()

    def restart_redis_mid_step():
        if restarted.is_set():
            get_redis().incr("docprof:test-counter")
            return
        embedded.stop_redis()
        threading.Timer(1.0, lambda: (embedded.ensure_redis(), restarted.set())).start()
        get_redis().incr("docprof:test-counter")  # Redis is down: ConnectionError

    behaviour["last"] = restart_redis_mid_step
    job = engine.submit(alice, "toy", 10)
    engine.run_inline(job.pk)
    job.refresh_from_db()
    assert job.status == Status.COMPLETE, job.error
    assert calls_made.count("last") >= 2 and restarted.is_set()


class FlakyBroker:
    """Celery's send_task, failing its first `fails` calls as kombu does when Redis is down."""

    def __init__(self, fails: int):
        self.fails, self.sent = fails, []

    def send_task(self, name, args):
        if self.fails:
            self.fails -= 1
            raise redis.ConnectionError("Connection refused")
        self.sent.append((name, args))


def submit_through(broker, alice, monkeypatch, capture) -> tuple:
    """Submit a job with `broker` as Celery; (the job, one entry per embedded Redis start)."""
    started = []
    monkeypatch.setattr(engine, "current_app", broker)
    monkeypatch.setattr(engine.embedded, "ensure_redis", lambda: started.append(1))
    with capture(execute=True):
        job = engine.submit(alice, "toy", 1)
    job.refresh_from_db()
    return job, started


@pytest.mark.parametrize("embedded", [True, False])
def test_a_job_is_sent_without_checking_the_broker_first(
    alice, monkeypatch, settings, embedded, django_capture_on_commit_callbacks
):
    settings.REDIS_EMBEDDED = embedded
    broker = FlakyBroker(fails=0)
    job, started = submit_through(broker, alice, monkeypatch, django_capture_on_commit_callbacks)
    assert broker.sent == [(engine.RUN_TASK, [job.pk])] and started == []


def test_a_stopped_embedded_redis_is_started_and_the_job_sent(
    alice, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_EMBEDDED = True
    broker = FlakyBroker(fails=1)
    job, started = submit_through(broker, alice, monkeypatch, django_capture_on_commit_callbacks)
    assert started == [1] and broker.sent == [(engine.RUN_TASK, [job.pk])]
    assert job.status == Status.QUEUED


@pytest.mark.parametrize("embedded, fails", [(True, 2), (False, 1)])
def test_a_job_that_cannot_be_sent_says_so(
    alice, monkeypatch, settings, embedded, fails, django_capture_on_commit_callbacks
):
    settings.REDIS_EMBEDDED = embedded
    broker = FlakyBroker(fails=fails)
    job, _ = submit_through(broker, alice, monkeypatch, django_capture_on_commit_callbacks)
    assert broker.sent == [] and job.status == Status.ERROR and job.message == engine.QUEUE_DOWN
    assert hook_calls == [("error", job.pk, engine.QUEUE_DOWN)]
