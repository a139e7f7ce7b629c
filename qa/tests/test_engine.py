"""Answering as pure services over retrieval (no HTTP): offline and with a scripted model."""

import pytest

from docprof.ai.fake import FakeLLM
from library.quotes import verify_quote
from qa.answers import LECTURE, LIBRARY, META, NOT_FOUND
from qa.engine import answer_question
from qa.followup import Turn
from qa.position import LectureContext, split_script, word_offset
from qa.tests.books import SCRIPT

pytestmark = pytest.mark.django_db


def ask(question, books, **kw):
    return answer_question(question, [b.pk for b in books], llm=kw.pop("llm", None), **kw)


def test_library_answer_cites_verified_quotes(finance_book, garden_book):
    answer = ask("How is the terminal value estimated?", [finance_book, garden_book])
    assert answer.kind == LIBRARY
    assert "[1]" in answer.answer
    first = answer.sources[0]
    assert first.n == 1 and first.book_id == finance_book.pk and first.verified
    assert "Gordon growth model" in first.quote
    assert all(s.verified for s in answer.sources)
    from library.models import Chunk

    assert verify_quote(first.quote, Chunk.objects.get(pk=first.chunk_id).text)


@pytest.mark.parametrize(
    "question",
    [
        "What is the Black-Scholes formula for pricing options?",  # on topic, not covered
        "How do I repair a bicycle puncture?",  # off topic
    ],
)
def test_questions_the_library_does_not_answer_are_not_found(finance_book, question):
    answer = ask(question, [finance_book])
    assert answer.kind == NOT_FOUND
    assert answer.answer.startswith("Your library does not cover this")
    assert answer.sources and all(s.verified for s in answer.sources)  # the closest passages


def test_acronym_questions_are_answered_from_the_expansion(finance_book):
    answer = ask("What does WACC blend?", [finance_book])
    assert answer.kind == LIBRARY and "weighted average cost of capital" in answer.sources[0].quote


def test_vague_follow_up_is_rewritten_from_the_history(finance_book):
    history = [Turn("What is the Gordon growth model?", "It divides next year's free cash flow ...")]
    answer = ask("why?", [finance_book], history=history)
    assert answer.rewritten_question == "Why does the Gordon growth model matter?"
    history = [Turn("Does free cash flow include interest?", "No.")]
    assert ask("why?", [finance_book], history=history).rewritten_question == (
        "Why does free cash flow include interest?"
    )


def test_position_splits_the_script_by_pace():
    assert word_offset(60, 150, 1000) == 150 and word_offset(None, 150, 1000) == 1000
    said, to_come = split_script("one two three four", 60, 2)
    assert (said, to_come) == ("one two", "three four")


def context(position):
    return LectureContext(
        course_title="Valuation in two hours",
        section_title="Valuing a firm",
        section_minutes=10,
        objectives=["Explain free cash flow"],
        outline=[("Valuing a firm", 10), ("Comparables", 20)],
        section_index=0,
        script=SCRIPT,
        pace_wpm=150,
        position_seconds=position,
    )


def test_meta_questions_are_answered_from_the_course(finance_book):
    answer = ask("What's next after this section?", [finance_book], context=context(120))
    assert answer.kind == META and "Comparables" in answer.answer and not answer.sources


def test_answer_knows_what_is_still_to_come(finance_book):
    early = ask("How is the terminal value estimated?", [finance_book], context=context(20))
    assert early.kind == LIBRARY and early.later_in_lecture
    assert early.answer.startswith("This comes up later in this lecture")
    late = ask("How is the terminal value estimated?", [finance_book], context=context(None))
    assert not late.later_in_lecture


def test_a_question_about_what_the_lecture_said_is_answered_from_it(finance_book):
    answer = ask("What did you mean by free cash flow?", [finance_book], context=context(60))
    assert answer.kind == LECTURE and "free cash flow is the cash a business" in answer.answer


def test_the_model_judges_the_passages_before_answering(finance_book):
    def reply(system, messages, schema):
        if schema is None:
            return "option pricing formula"  # the vocabulary rewrite
        return {"answers": False, "passages": [], "reason": "no formula in the passages"}

    llm = FakeLLM(default=reply, ledger_enabled=False)
    answer = ask("What is the Black-Scholes formula?", [finance_book], llm=llm)
    assert answer.kind == NOT_FOUND and answer.sources
    assert [c["schema"].__name__ if c["schema"] else None for c in llm.calls] == [None, "Judgement"]


def test_model_answers_cite_and_bad_quotes_are_replaced_by_verified_ones(finance_book):
    def reply(system, messages, schema):
        if schema is None:
            return "terminal value Gordon growth model perpetuity"  # the vocabulary rewrite
        if schema.__name__ == "Judgement":
            return {"answers": True, "passages": [1]}
        return {
            "answer": "It uses the Gordon growth model [1], never the moon [7].",
            "citations": [
                {"n": 1, "quote": "a sentence the passage does not contain"},
                {"n": 7, "quote": "x"},
            ],
        }

    llm = FakeLLM(default=reply, ledger_enabled=False)
    answer = ask("How is the terminal value estimated?", [finance_book], llm=llm)
    assert answer.kind == LIBRARY and answer.answer == "It uses the Gordon growth model [1], never the moon ."
    assert len(answer.sources) == 1 and answer.sources[0].verified
    prompts = " ".join(str(c["messages"]) for c in llm.calls)
    assert "How is the terminal value estimated?" in prompts  # rewrite, judge and answer all saw it
