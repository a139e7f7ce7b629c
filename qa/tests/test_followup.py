"""Follow-up rewriting and meta questions (pure functions, no database)."""

import pytest

from qa.classify import is_meta, meta_answer, refers_to_lecture
from qa.followup import Turn, is_vague, list_items, rewrite_offline, subject_of
from qa.position import LectureContext


def test_the_subject_of_a_question():
    assert subject_of("What is the Gordon growth model?") == "the Gordon growth model"
    assert subject_of("Explain comparative advantage.") == "comparative advantage"


def test_ordinals_pick_the_item_of_the_previous_answer():
    history = [Turn("What are the types of unemployment?", "They are frictional, structural and cyclical.")]
    assert list_items(history[0].answer) == ["frictional", "structural", "cyclical"]
    rewritten = rewrite_offline("what about the second one?", history)
    assert rewritten.startswith("what about the structural") and "types of unemployment" in rewritten


def test_pronouns_are_replaced_by_the_previous_subject():
    history = [Turn("What is the efficient market hypothesis?", "...")]
    assert rewrite_offline("and its critics?", history) == "and the efficient market hypothesis's critics?"
    assert rewrite_offline("Who proposed it?", history) == "Who proposed the efficient market hypothesis?"


def test_a_chain_of_follow_ups_keeps_the_subject_that_was_asked_about():
    history = [
        Turn("What is a p value?", "...", kind="library"),
        Turn("why is it useful?", "...", "why is a p value useful?", kind="library"),
        Turn("What will we cover next?", "Next comes Reporting.", kind="meta"),
    ]
    assert (
        rewrite_offline("What does Fisher say about it?", history) == "What does Fisher say about a p value?"
    )
    assert rewrite_offline("what about the second definition?", history[:2]).endswith("(about a p value)?")


@pytest.mark.parametrize("question", ["How long is this section?", "How much of this lecture is left?"])
def test_the_course_itself_is_no_reference_to_rewrite(question):
    assert rewrite_offline(question, [Turn("What is a p value?", "...", kind="library")]) is None


@pytest.mark.parametrize(
    "question",
    ["How do I undo a commit that I already pushed?", "What is the law of demand?"],
)
def test_questions_that_stand_alone_are_left_alone(question):
    assert not is_vague(question)
    assert rewrite_offline(question, [Turn("What is GDP?", "...")]) is None
    assert rewrite_offline("why?", []) is None  # no history: nothing to resolve


def test_meta_and_lecture_references():
    assert is_meta("How long is this course?") and is_meta("What's next?")
    assert not is_meta("What is the next best alternative in opportunity cost?")
    assert refers_to_lecture("What did you mean by terminal value?")
    ctx = LectureContext(
        course_title="Valuation",
        section_title="Terminal value",
        section_minutes=12,
        outline=[("Cash flows", 10), ("Terminal value", 12), ("Comparables", 8)],
        section_index=1,
        position_seconds=300,
    )
    answer = meta_answer("How long is this course?", ctx)
    assert "3 sections, 30 min in all" in answer and "about 7 min left" in answer
    assert "Next comes \u201cComparables\u201d" in meta_answer("What's next?", ctx)
