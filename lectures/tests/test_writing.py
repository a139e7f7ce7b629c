"""The writers' contracts: verified citations, the length contract, the quiz -- offline and model."""

import pytest

from lectures import sources
from lectures.models import Lecture
from lectures.tests.support import ScriptedLectureLLM, make_course
from lectures.writing.model import ModelWriter
from lectures.writing.offline import OfflineWriter
from library.models import Chunk
from library.quotes import quote_in
from library.selectors import ready_book_ids
from workers import engine

pytestmark = pytest.mark.django_db


def keyed_lecture(section, user, writer):
    inputs = sources.gather(
        section,
        sources.objectives_of(section),
        ready_book_ids(user),
        style=section.course.preferences["presentation_style"],
        depth=section.course.preferences["depth"],
        pace=section.course.preferences["pace_wpm"],
        writer=writer.spec(),
    )
    lecture = Lecture.objects.create(
        cache_key=inputs.key,
        version=1,
        key_inputs=inputs.as_dict(),
        objectives=inputs.objectives,
        generated_by=user,
    )
    lecture.job = engine.submit(user, "lecture", lecture.pk)
    lecture.save(update_fields=["job"])
    return lecture


def run_steps(lecture):
    """The lecture job, run to the end in this process as a worker would."""
    engine.run_inline(lecture.job_id)
    lecture.refresh_from_db()


def check_contracts(lecture, section):
    assert lecture.status == Lecture.Status.READY
    target = section.estimated_minutes * section.course.preferences["pace_wpm"]
    assert 0.9 * target <= lecture.word_count <= 1.1 * target, (lecture.word_count, target)
    assert lecture.length_check["ok"] is True
    assert lecture.citations and all(c["verified"] for c in lecture.citations)
    texts = dict(
        Chunk.objects.filter(id__in=[c["chunk_id"] for c in lecture.citations]).values_list("id", "text")
    )
    for c in lecture.citations:
        assert quote_in(c["quote"], texts[c["chunk_id"]])
        assert f"[{c['n']}]" in lecture.script
    assert lecture.citation_check["ok"] is True
    assert 3 <= len(lecture.quiz) <= 5
    objectives = set(section.learning_objectives)
    for q in lecture.quiz:
        assert q["objective"] in objectives and q["answer"] and q["explanation"]
        assert q["citation"]["verified"]
        if q["choices"]:
            assert q["answer"] in q["choices"]


@pytest.mark.parametrize("style", ["lecture", "socratic"])
def test_offline_writer_frames_quotes_and_keeps_the_contracts(alice, book, style):
    _, section = make_course(alice, book, minutes=4, pace=120, style=style)
    lecture = keyed_lecture(section, alice, OfflineWriter())
    run_steps(lecture)
    check_contracts(lecture, section)
    assert "In the book's words" in lecture.script or "The book answers" in lecture.script
    assert [s["kind"] for s in lecture.segments] == [
        "introduction",
        "objective",
        "objective",
        "objective",
        "recap",
    ]


def test_model_writer_keeps_the_contracts_and_repairs_citations(alice, book, monkeypatch):
    llm = ScriptedLectureLLM(bad_quotes=True)
    monkeypatch.setattr("lectures.writing.current_llm", lambda: llm)
    _, section = make_course(alice, book, minutes=4, pace=120)
    lecture = keyed_lecture(section, alice, ModelWriter(llm))
    run_steps(lecture)
    check_contracts(lecture, section)
    assert lecture.citation_check["repaired"] >= 1
    assert lecture.citation_check["removed"] >= 1
    assert "moon" not in lecture.script
    assert len(llm.calls) == 3 + 1  # one call per objective and the finishing pass
