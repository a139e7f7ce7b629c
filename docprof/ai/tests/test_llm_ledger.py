from decimal import Decimal

import pytest

from docprof.ai import errors, ledger
from docprof.ai.factory import get_llm
from docprof.ai.fake import FakeLLM
from docprof.ai.models import LLMCall
from docprof.ai.prompts import BOOK_TEXT_IS_DATA
from docprof.ai.tests.conftest import Outline

OUTLINE = {"parts": [{"title": "Cash flows", "minutes": 30}, {"title": "Discounting", "minutes": 30}]}
USER = [{"role": "user", "content": "Plan 1 hour of DCF."}]


def usage(job) -> dict:
    """What the job has paid for, summed from the ledger."""
    return ledger.usage_for_job(job.pk)


def ask(llm, job=None, **kw):
    kw.setdefault("schema", Outline)
    return llm.complete(
        "Plan a course.", USER, max_tokens=500, purpose="courses.generate_parts", job=job, **kw
    )


def test_get_llm_none_means_offline(settings):
    settings.DOCPROF_LLM = "none"
    assert get_llm() is None


@pytest.mark.django_db
def test_structured_output_validated_and_recorded(job, settings):
    settings.DOCPROF_LLM_PRICES = {"fake-model": [1.0, 2.0]}
    llm = FakeLLM([OUTLINE])
    result = ask(llm, job)
    assert isinstance(result.parsed, Outline) and result.value.parts[0].title == "Cash flows"
    assert BOOK_TEXT_IS_DATA in llm.calls[0]["system"]
    row = LLMCall.objects.get(pk=result.call_id)
    assert row.outcome == "ok" and row.job_id == job.pk and row.purpose == "courses.generate_parts"
    assert row.input_tokens == result.usage.input_tokens > 0
    expected = (Decimal(row.input_tokens) * 1 + Decimal(row.output_tokens) * 2) / Decimal(1_000_000)
    assert row.cost_usd == expected.quantize(Decimal("0.000001")) == result.cost_usd


@pytest.mark.django_db
def test_same_request_in_same_job_is_replayed_not_paid(job):
    llm = FakeLLM([OUTLINE])  # only one scripted answer: a second provider call would fail
    first = ask(llm, job)
    second = ask(llm, job)
    assert len(llm.calls) == 1
    assert second.replayed and not first.replayed
    assert second.parsed == first.parsed
    job.refresh_from_db()
    assert usage(job)["calls"] == 1
    assert usage(job)["input_tokens"] == first.usage.input_tokens
    assert usage(job)["output_tokens"] == first.usage.output_tokens
    assert usage(job)["cost_usd"] == first.cost_usd
    assert list(LLMCall.objects.filter(job_id=job.pk).order_by("id").values_list("outcome", flat=True)) == [
        "ok",
        "replayed",
    ]


@pytest.mark.django_db
def test_no_replay_across_jobs_or_prompt_versions(job, alice):
    from workers.models import GenerationJob

    other = GenerationJob.objects.create(owner=alice, kind="course")
    llm = FakeLLM([OUTLINE, OUTLINE, OUTLINE])
    ask(llm, job)
    ask(llm, other)
    ask(llm, job, prompt_version="parts@2")
    assert len(llm.calls) == 3


@pytest.mark.django_db
def test_invalid_json_is_repaired_once(job):
    llm = FakeLLM(['{"parts": [{"title": "x"}]}', OUTLINE])
    result = ask(llm, job)
    assert result.repaired and result.parsed.parts[1].title == "Discounting"
    repair_prompt = llm.calls[1]["messages"][-1]["content"]
    assert "minutes" in repair_prompt and "did not validate" in repair_prompt
    job.refresh_from_db()
    assert usage(job)["calls"] == 1  # one logical call; its tokens include the repair
    assert usage(job)["input_tokens"] == result.usage.input_tokens
    assert result.usage.input_tokens > LLMCall.objects.get(pk=result.call_id).input_tokens // 2


@pytest.mark.django_db
def test_second_invalid_output_fails_with_error_recorded(job):
    llm = FakeLLM(["not json at all", '{"parts": "nope"}'])
    with pytest.raises(errors.StructuredOutputError, match="after one repair"):
        ask(llm, job)
    row = LLMCall.objects.get(job_id=job.pk)
    assert row.outcome == "error" and "StructuredOutputError" in row.error
    assert row.output_tokens > 0
    job.refresh_from_db()
    assert usage(job)["calls"] == 1 and usage(job)["output_tokens"] == row.output_tokens


@pytest.mark.django_db
def test_json_in_code_fences_is_accepted():
    llm = FakeLLM(['Here it is:\n```json\n{"parts": []}\n```'])
    assert ask(llm).parsed == Outline(parts=[])


@pytest.mark.django_db
def test_max_tokens_stop_is_an_error_never_truncated_json(job):
    llm = FakeLLM(['{"parts": [{"title": "Cash'], stop_reason="max_tokens")
    with pytest.raises(errors.OutputTruncated, match="max_tokens=500"):
        ask(llm, job)
    assert len(llm.calls) == 1  # not "repaired"
    llm = FakeLLM(["A lecture that stops mid"], stop_reason="max_tokens")
    with pytest.raises(errors.OutputTruncated):
        ask(llm, schema=None)
    llm = FakeLLM(["A lecture that stops mid"], stop_reason="max_tokens")
    assert ask(llm, schema=None, allow_truncated=True).stop_reason == "max_tokens"


@pytest.mark.django_db
def test_transient_errors_retry_then_succeed(job):
    llm = FakeLLM([errors.Throttled("slow down"), errors.Unavailable("503"), "done"])
    assert ask(llm, job, schema=None).text == "done"
    assert len(llm.calls) == 3
    job.refresh_from_db()
    assert usage(job)["calls"] == 1


@pytest.mark.django_db
def test_non_retryable_error_fails_at_once_and_is_recorded(job):
    llm = FakeLLM([errors.ContextTooLong("too long"), "never"])
    with pytest.raises(errors.ContextTooLong):
        ask(llm, job, schema=None)
    assert len(llm.calls) == 1
    row = LLMCall.objects.get(job_id=job.pk)
    assert row.outcome == "error" and row.error.startswith("ContextTooLong")


@pytest.mark.django_db
def test_fallback_model_after_retries_exhausted():
    llm = FakeLLM([errors.Unavailable("down")] * 3 + ["from fallback"], fallback_model="backup")
    result = ask(llm, schema=None)
    assert result.text == "from fallback" and result.model == "backup"
    assert [c["model"] for c in llm.calls] == ["fake-model"] * 3 + ["backup"]
    assert LLMCall.objects.get(pk=result.call_id).model == "backup"


@pytest.mark.django_db
def test_response_over_the_cap_is_stored_truncated_and_not_replayed(job, settings):
    settings.DOCPROF_LEDGER_MAX_CHARS = 50
    llm = FakeLLM(["x" * 100, "y" * 100])
    ask(llm, job, schema=None)
    row = LLMCall.objects.get(job_id=job.pk)
    assert row.response["truncated"] is True and row.request["truncated"] is True
    assert ask(llm, job, schema=None).text == "y" * 100  # not replayed


def test_max_tokens_required():
    with pytest.raises(ValueError):
        FakeLLM(["x"], ledger_enabled=False).complete("s", USER, max_tokens=0, purpose="t")


def test_ledger_can_be_off_for_pure_tests():
    llm = FakeLLM([OUTLINE], ledger_enabled=False)
    assert ask(llm).call_id is None


@pytest.mark.django_db(transaction=True)
def test_ledger_write_outside_a_transaction(alice):
    from django.db import connection

    from workers.models import GenerationJob

    job = GenerationJob.objects.create(owner=alice, kind="course")
    llm = FakeLLM(["a", "b"])
    first = ask(llm, job, schema=None)
    ask(llm, job, schema=None)  # replayed
    job.refresh_from_db()
    assert usage(job)["calls"] == 1 and usage(job)["output_tokens"] == first.usage.output_tokens
    assert LLMCall.objects.filter(job_id=job.pk).count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the ledger's setting was local to its own statement


def _drop_this_threads_connection() -> None:
    """What a Postgres restart does to this thread's connection: the server ends it (from another
    connection, as the server's shutdown would), and its next statement fails."""
    import threading
    import time

    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def terminate():
        try:
            with connections["default"].cursor() as cursor:  # this thread's own connection
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                for _ in range(100):
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                    if cursor.fetchone()[0] == 0:
                        return
                    time.sleep(0.05)
        finally:
            connections.close_all()

    thread = threading.Thread(target=terminate)
    thread.start()
    thread.join()


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_recorded_when_the_database_dropped_the_connection_during_the_call(alice):
    """Postgres restarted while the model answered: the ledger row is the first statement on a dead
    connection. It is written on a new one, so the step's retry replays the answer, not pays again
    (bench/faults.py found answers billed twice after a Postgres restart)."""
    from workers.models import GenerationJob

    job = GenerationJob.objects.create(owner=alice, kind="course")

    def answer_while_the_database_restarts(system, messages, schema):
        _drop_this_threads_connection()
        return OUTLINE

    llm = FakeLLM([answer_while_the_database_restarts])  # one answer: a second provider call fails
    first = ask(llm, job)
    again = ask(llm, job)  # the step, retried
    assert len(llm.calls) == 1
    assert again.replayed and again.parsed == first.parsed
    assert usage(job)["calls"] == 1
