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


def test_a_sentence_that_leans_on_the_one_before_brings_it_along():
    from lectures.writing.offline import with_context

    text = (
        "Gluten forms when the proteins in wheat flour meet water and are kneaded. "
        "This elastic network traps the gas that the yeast releases as it ferments. "
        "Salt slows the yeast down and tightens the dough noticeably. "
        "Bakers weigh every ingredient, including the water, before they begin mixing."
    )
    assert with_context(text, {1}, set()) == [
        [
            "Gluten forms when the proteins in wheat flour meet water and are kneaded.",
            "This elastic network traps the gas that the yeast releases as it ferments.",
        ]
    ]
    # Not when another segment already quoted it; neighbours are one quote, others apart.
    first = "Gluten forms when the proteins in wheat flour meet water and are kneaded."
    assert with_context(text, {1}, {first}) == [
        ["This elastic network traps the gas that the yeast releases as it ferments."]
    ]
    assert [len(run) for run in with_context(text, {0, 1, 3}, set())] == [2, 1]


def test_offline_lecture_quotes_each_sentence_once(alice, book):
    from docprof.ai.text import split_sentences
    from library.quotes import clean_quote

    _, section = make_course(alice, book, minutes=4, pace=120)
    lecture = keyed_lecture(section, alice, OfflineWriter())
    run_steps(lecture)
    check_contracts(lecture, section)
    sentences = [clean_quote(s) for c in lecture.citations for s in split_sentences(c["quote"])]
    assert len(sentences) == len(set(sentences))


def test_offline_segment_presents_passages_in_the_books_order():
    from lectures.writing.base import Brief

    texts = {
        1: "Gluten is the protein network that forms when wheat flour is mixed with water.",
        2: "Kneading develops gluten by stretching and folding the dough many times over.",
        3: "Well developed gluten holds the gas from the yeast so the loaf can rise well.",
    }
    passages = {
        i: {"book_title": "Bread", "chapter": "Dough", "chapter_id": 1, "ordinal": i, "page_start": i,
            "page_end": i, "heading_path": ["Dough", f"Step {i}"], "text": t}
        for i, t in texts.items()
    }  # fmt: skip
    brief = Brief(
        title="Gluten",
        objectives=["Explain gluten"],
        style="lecture",
        depth="standard",
        pace_wpm=120,
        target_words=400,
        plan=[[3, 1, 2]],  # most relevant first
        reserve=[],
        passages=passages,
    )
    segment = OfflineWriter().write_segment(brief, 0)
    assert [c["chunk_id"] for c in segment["citations"]] == [1, 2, 3]
    assert "“Step 1” in *Bread* (Dough, p. 1)" in segment["text"]


def test_a_passage_going_on_under_the_same_heading_is_introduced_by_its_pages():
    from lectures.writing.base import Brief

    texts = {
        1: "Gluten is the protein network that forms when wheat flour is mixed with water.",
        2: "Kneading develops gluten by stretching and folding the dough many times over.",
    }
    passages = {
        i: {"book_title": "Bread", "chapter": "Dough", "chapter_id": 1, "ordinal": i, "page_start": i,
            "page_end": i, "heading_path": ["Dough", "Gluten"], "text": t}
        for i, t in texts.items()
    }  # fmt: skip
    brief = Brief("Gluten", ["Explain gluten"], "lecture", "standard", 120, 400, [[1, 2]], [], passages)
    text = OfflineWriter().write_segment(brief, 0)["text"]
    assert "We begin with “Gluten” in *Bread* (Dough, p. 1)" in text
    assert "Reading on (p. 2): “Kneading develops gluten" in text
    assert text.count("Gluten” in *Bread*") == 1


def test_a_definition_is_quoted_under_the_objective_it_defines():
    from lectures.writing.base import Brief

    text = (
        "Flour is the finely ground endosperm of the wheat grain, and most of it is starch. "
        "Hydration is the weight of water divided by the weight of flour, expressed as a percentage. "
        "Strong flour contains more protein, so it builds a stronger network and holds more gas."
    )
    passages = {
        1: {"book_title": "Bread", "chapter": "Dough", "chapter_id": 1, "ordinal": 1, "page_start": 1,
            "page_end": 1, "heading_path": ["Dough"], "text": text}
    }  # fmt: skip
    brief = Brief(
        "Dough",
        ["Define flour", "Define hydration"],
        "lecture",
        "standard",
        120,
        300,
        [[1], [1]],
        [],
        passages,
    )
    writer = OfflineWriter()
    flour, hydration = writer.write_segment(brief, 0), writer.write_segment(brief, 1)
    assert "Hydration is the weight of water" not in flour["text"]
    assert "Hydration is the weight of water" in hydration["text"]
    assert "Flour is the finely ground endosperm" in flour["text"]


def test_a_define_segment_opens_with_the_sentence_that_defines_its_term():
    from lectures.writing.base import Brief

    texts = {
        1: "Bakers watch the dough closely while it rises in a warm room for hours. "
        "The dough doubles in size while the yeast works through the sugars in the flour.",
        2: "Oven spring is the last rise of a loaf in the first minutes of baking, before the crust sets. "
        "A loaf with good oven spring has an open crumb and a tall, rounded shape on the board.",
    }
    passages = {
        i: {"book_title": "Bread", "chapter": "Baking", "chapter_id": 1, "ordinal": i, "page_start": i,
            "page_end": i, "heading_path": ["Baking"], "text": t}
        for i, t in texts.items()
    }  # fmt: skip
    brief = Brief("Baking", ["Define oven spring"], "lecture", "standard", 120, 400, [[1, 2]], [], passages)
    segment = OfflineWriter().write_segment(brief, 0)
    opening = segment["text"].split("\n\n")[1]
    assert opening.startswith("First, what it is. *Bread* puts it this way: “Oven spring is the last rise")
    assert segment["citations"][0] == {"n": 1, "chunk_id": 2, "quote": texts[2].split(". ")[0] + "."}
    assert segment["text"].count("Oven spring is the last rise") == 1  # not quoted again with its passage
    assert "We begin with" in segment["text"]


def test_a_lecture_never_draws_on_a_passage_another_section_of_the_course_is_planned_on(alice, book):
    from lectures.tests.support import add_section

    course, section = make_course(alice, book)
    all_ids = list(Chunk.objects.filter(book=book).order_by("ordinal").values_list("id", flat=True))
    section.source_chunk_ids = all_ids[:1]
    section.save(update_fields=["source_chunk_ids"])
    inputs = lambda: sources.gather(  # noqa: E731
        section,
        sources.objectives_of(section),
        ready_book_ids(alice),
        style="lecture",
        depth="standard",
        pace=120,
        writer={"kind": "offline"},
    )
    drawn = {i for ids in [*inputs().plan, inputs().reserve] for i in ids}
    others = [i for i in all_ids if i not in section.source_chunk_ids]
    assert drawn & set(others)  # without a sibling section, the library's other passages are used
    add_section(course, section.parent_section, "Baking", ["Describe baking"], chunk_ids=others)
    drawn = {i for ids in [*inputs().plan, inputs().reserve] for i in ids}
    assert drawn and not drawn & set(others)
