"""The browser journey's library (a PDF "Bread Dough and Fermentation" and an EPUB "The Baking of
Bread", tiny books): broad requests about what the books are about are planned, the coverage note
agrees with what the sections teach, and objectives name terms of the material."""

import pytest

from courses.planning.base import subject_topics
from courses.planning.material import NoMaterial, find_material
from courses.planning.objectives import is_topic_word
from courses.planning.units import central_stems
from courses.selectors import outline
from courses.tests.bread import build_books
from courses.tests.conftest import request_course, run_chain
from docprof.ai.text import split_sentences
from lectures.tests.books import BAKING_MD
from library.tests.conftest import ingest
from workers.models import GenerationJob

pytestmark = pytest.mark.django_db
PREFS = {"depth": "deep", "pace_wpm": 60}  # the journey's: each tiny chapter holds a section
JOURNEY_QUERY = "Bread: gluten, hydration, fermentation, proofing and oven spring"


@pytest.fixture
def bread_books(alice, tmp_path):
    pdf, epub = build_books(tmp_path)
    return [ingest(alice, p.name, p.read_bytes()) for p in (pdf, epub)]


@pytest.mark.parametrize("query", ["Learn bread baking", "How bread is made"])
def test_a_request_about_what_the_books_are_about_is_planned_from_both(bread_books, query):
    found = find_material(query, [b.id for b in bread_books], 30, PREFS)
    assert {u["book_title"] for u in found.units} == {b.title for b in bread_books}
    assert found.missing == []


def test_a_short_chapter_teaches_what_it_dwells_on_not_what_it_mentions_once(bread_books):
    # Yeast is defined in chapter 2; chapters 1 and 3 mention it once each.
    found = find_material("Learn how yeast works", [b.id for b in bread_books], 30, PREFS)
    assert {u["chapter_title"] for u in found.units} == {"Chapter 2 Fermentation"}
    # A common word ("techniques") is never required next to a content word.
    found = find_material("Learn baking techniques", [b.id for b in bread_books], 30, PREFS)
    assert "Chapter 3 Baking" in {u["chapter_title"] for u in found.units}


def test_a_request_whose_central_term_the_library_lacks_is_still_refused(bread_books):
    with pytest.raises(NoMaterial, match="no material"):
        find_material("Learn bread machines", [b.id for b in bread_books], 30, PREFS)


def test_central_terms_weigh_in_library_and_general_rarity():
    shares = {"bread": 0.3, "made": 0.3, "bretton": 0.001, "wood": 0.001, "system": 0.2}
    assert central_stems(["bread", "made"], shares) == ["bread"]  # "made" says little in English
    assert central_stems(["bretton", "wood", "system"], shares) == ["bretton", "wood"]
    assert central_stems(["bread", "bake"], {"bread": 0.3, "bake": 0.6}) == ["bread", "bake"]


def test_the_coverage_note_agrees_with_what_the_sections_teach(alice, bread_books):
    course, job = request_course(alice, JOURNEY_QUERY, "0.5", depth="deep", pace_wpm=60)
    run_chain(job.pk)
    course.refresh_from_db()
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.COMPLETE, job.error
    assert course.coverage["missing_topics"] == []
    sections = [s for p in outline(course) for s in p["sections"]]
    objectives = [o for s in sections for o in s.learning_objectives]
    for term in ("gluten", "hydration", "proofing", "oven spring"):
        assert f"Define {term}" in objectives, objectives
    assert {src["chapter"] for s in sections for src in s.sources} >= {"Chapter 3 Baking"}
    for bad in ("Define minutes", "Define longer", "Explain Bread"):
        assert bad not in objectives


def test_a_term_to_define_is_one_the_passage_defines_or_is_about():
    prose = "\n".join(line for line in BAKING_MD.splitlines() if not line.startswith(("#", "*")))
    sentences = split_sentences(prose)
    for word in ("gluten", "hydration", "yeast", "proofing"):
        assert is_topic_word(word, sentences), word
    for word in ("minutes", "longer", "degrees", "percent"):
        assert not is_topic_word(word, sentences), word


def test_the_course_subject_is_no_section_objective():
    topics = [{"label": "Bread", "sub": False}, {"label": "gluten", "sub": True}]
    assert subject_topics(topics) == ["Bread"]
    assert subject_topics([{"label": "bread baking", "sub": False}]) == ["bread baking"]
    assert subject_topics([{"label": "ownership"}, {"label": "borrowing"}]) == []
