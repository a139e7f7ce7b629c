"""The model planner through the real LLM seam (ledger, validation, repair) with a scripted model."""

import re

import pytest

from courses.models import Course, CourseSection
from courses.planning.model import ModelPlanner
from courses.schemas import ExpandedPart, OutlineReview, PartsOutline
from courses.selectors import outline
from courses.tests.conftest import request_course, run_chain, run_phases
from docprof.ai.fake import FakeLLM
from docprof.ai.models import LLMCall
from workers.models import GenerationJob

# Parts are expanded in threads with their own database connections: use real transactions.
pytestmark = pytest.mark.django_db(transaction=True)


def scripted_model(system, messages, schema):
    """A deterministic stand-in for a model: it reads the ids offered in the prompt."""
    prompt = messages[-1]["content"]
    if schema is PartsOutline:
        chapters = [int(x) for x in re.findall(r'chapter_id="(\d+)"', prompt)]
        minutes = int(re.search(r"Time available: (\d+) minutes", prompt).group(1))
        return {
            "title": "Discounting, from cash flows to terminal value",
            "parts": [
                {
                    "title": "Cash flows",
                    "summary": "What is being discounted.",
                    "minutes": minutes / 2,
                    "chapter_ids": chapters[:1] + [999_999],
                },
                {
                    "title": "Discounting and terminal value",
                    "summary": "Turning cash into value.",
                    "minutes": minutes / 2,
                    "chapter_ids": chapters[1:2] or chapters[:1],
                },
            ],
            "missing_topics": ["real options"],
        }
    if schema is ExpandedPart:
        chunks = [int(x) for x in re.findall(r'chunk_id="(\d+)"', prompt)]
        title = re.search(r'Expand part \d+, "([^"]+)"', prompt).group(1)
        return {
            "sections": [
                {
                    "title": f"{title}: idea {i}",
                    "minutes": 25,
                    "learning_objectives": [f"Explain idea {i}", f"Calculate idea {i}"],
                    "content_summary": f"Idea {i} of {title}.",
                    "source_chunk_ids": chunks[i : i + 2] + [123_456_789],
                }
                for i in range(3)
            ]
        }
    if schema is OutlineReview:
        return {"parts": [], "notes": "Looks balanced."}  # suggestions are optional
    raise AssertionError(f"unexpected schema {schema}")


def test_course_planned_by_a_model(alice, library):
    llm = FakeLLM(default=scripted_model)
    course, job = request_course(alice, "Learn about discounting and terminal value", "3")
    run_chain(job.pk, planner=ModelPlanner(llm))
    job.refresh_from_db()
    course.refresh_from_db()
    assert job.status == GenerationJob.Status.COMPLETE, job.error
    assert course.title == "Discounting, from cash flows to terminal value"
    purposes = list(LLMCall.objects.filter(job_id=job.pk).order_by("id").values_list("purpose", flat=True))
    assert purposes == [
        "courses.generate_parts",
        "courses.expand_part",
        "courses.expand_part",
        "courses.review_outline",
    ]
    assert job.llm_calls == 4 and job.input_tokens > 0
    parts = outline(course)
    assert [p["part"].title for p in parts] == ["Cash flows", "Discounting and terminal value"]
    total = sum(s.estimated_minutes for p in parts for s in p["sections"])
    # The books hold about two hours on this: the course is what they support, not the 3 h asked.
    planned = job.state["search"]["planned_minutes"]
    assert total == planned < 180
    assert "planned" in " ".join(course.coverage["notes"])
    valid_chunks = set(library[0].chunks.values_list("id", flat=True)) | set(
        library[1].chunks.values_list("id", flat=True)
    )
    for p in parts:
        for s in p["sections"]:
            assert s.source_chunk_ids and set(s.source_chunk_ids) <= valid_chunks  # invented ids dropped
            assert 10 <= s.estimated_minutes <= 90
    assert "real options" in course.coverage["missing_topics"]


def test_a_rerun_of_the_job_pays_nothing_twice(alice, library):
    llm = FakeLLM(default=scripted_model)
    course, job = request_course(alice, "Learn about discounting and terminal value", "3")
    planner = ModelPlanner(llm)
    run_phases(job.pk, ["embed", "search", "parts"], planner=planner)
    # Simulate a crash after the model answered but before the parts were checkpointed.
    state = GenerationJob.objects.get(pk=job.pk).state
    state.pop("parts")
    GenerationJob.objects.filter(pk=job.pk).update(state=state)
    calls_before = len(llm.calls)
    run_chain(job.pk, planner=planner)
    assert len(llm.calls) == calls_before + 3  # parts replayed from the ledger; 2 expansions + review
    assert LLMCall.objects.filter(job_id=job.pk, outcome="replayed").count() == 1
    assert GenerationJob.objects.get(pk=job.pk).status == "complete"


def test_invalid_model_output_is_repaired_once(alice, library):
    bad_then_good = iter([{"title": "x", "parts": []}])  # fails validation: parts must not be empty

    def model(system, messages, schema):
        if schema is PartsOutline:
            try:
                return next(bad_then_good)
            except StopIteration:
                pass
        return scripted_model(system, [{"content": _find_original(messages)}], schema)

    llm = FakeLLM(default=model)
    course, job = request_course(alice, "Learn about discounting and terminal value", "1")
    run_chain(job.pk, planner=ModelPlanner(llm))
    job.refresh_from_db()
    assert job.status == "complete", job.error
    assert CourseSection.objects.filter(course=course).exists()


def _find_original(messages):
    return next(
        m["content"]
        for m in messages
        if "Time available" in str(m.get("content", ""))
        or "Expand part" in str(m.get("content", ""))
        or "must last" in str(m.get("content", ""))
    )


def test_a_model_that_keeps_failing_ends_in_a_readable_error(alice, library):
    llm = FakeLLM(default=lambda s, m, schema: {"nonsense": True})
    course, job = request_course(alice, "Learn about discounting and terminal value", "1")
    run_chain(job.pk, planner=ModelPlanner(llm))
    job.refresh_from_db()
    assert job.status == "error" and "language model" in job.error and "Resume" in job.error
    assert Course.objects.get(pk=course.pk).status == "error"
    assert job.phase == "parts"
