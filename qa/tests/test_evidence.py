"""The offline abstention judge (qa.evidence): its features and its verdicts, on small fixtures."""

import pytest

from library.ranking import QueryTerms
from library.retrieval import analyse_query, scope_vocabulary_near, search_chunks
from qa import evidence
from qa.answers import LIBRARY, NOT_FOUND
from qa.engine import answer_question
from qa.offline import OfflineAnswerer


def terms_of(df: dict[str, int], chunks: int = 100) -> QueryTerms:
    lexemes = sorted(df)
    return QueryTerms(lexemes, dict.fromkeys(lexemes, 1.0), df, df, chunks, chunks * 100)


def test_a_key_term_the_books_never_use_is_absent_unless_a_close_variant_is_there():
    terms = terms_of({"neighbour": 0, "cuda": 0, "loud": 5, "self-cal": 0, "self": 9, "call": 9})
    # "neighbor" is a variant of "neighbour"; "self-cal" is judged through its parts
    assert evidence.absent_terms(terms, {"neighbor", "cudgel"}) == ["cuda"]
    assert evidence.absent_terms(terms, set()) == ["cuda", "neighbour"]


def test_features_measure_absent_weight_and_rare_terms_the_best_passage_lacks():
    terms = terms_of({"option": 40, "price": 40, "schole": 0, "taylor": 2})
    best = evidence.Coverage(0.5, ["option", "price"], ["schole", "taylor"])
    values = evidence.features(terms, best, ["schole"])
    idf = {t: terms.idf(t) for t in terms.lexemes}
    assert values["coverage"] == 0.5
    assert values["absent"] == pytest.approx(idf["schole"] / sum(idf.values()))
    assert values["rare_missing"] == 1.0  # "taylor": in two passages, not in the best one
    assert 0 < values["missing_idf"] <= 1
    nothing_lacking = evidence.features(terms, evidence.Coverage(1.0, terms.lexemes, []), [])
    assert nothing_lacking == {"coverage": 1.0, "absent": 0.0, "missing_idf": 0.0, "rare_missing": 0.0}


def test_the_judge_answers_covered_questions_and_abstains_on_absent_or_rare_terms():
    terms = terms_of({"termin": 5, "valu": 30, "estim": 20, "schole": 0, "taylor": 2})
    covered = evidence.judge(terms, [evidence.Coverage(1.0, ["termin", "valu", "estim"], [])], [])
    assert covered.answers and covered.probability > 0.8
    partly = evidence.Coverage(0.4, ["termin", "valu"], ["schole"])
    one_absent = evidence.judge(terms, [partly], ["schole"])
    assert one_absent.absent == ["schole"] and one_absent.features["absent"] > 0
    nothing_absent = evidence.Coverage(0.4, ["termin", "valu"], [])
    assert one_absent.probability < evidence.judge(terms, [nothing_absent], []).probability
    off_topic = terms_of({"bicycl": 0, "punctur": 0, "repair": 0})
    assert not evidence.judge(off_topic, [evidence.Coverage(0.0, [], [])], off_topic.lexemes).answers
    in_passing = evidence.judge(terms, [evidence.Coverage(0.6, ["termin", "valu"], ["taylor"])], [])
    assert not in_passing.answers and in_passing.missing == ["taylor"]
    assert evidence.judge(terms, [], []).probability < evidence.ANSWER_PROBABILITY


def test_the_fitted_judge_weighs_each_signal_the_right_way():
    weights = evidence.JUDGE_WEIGHTS
    assert weights["coverage"] > 0
    assert all(weights[k] < 0 for k in ("absent", "missing_idf", "rare_missing"))
    assert evidence.probability({"coverage": 0.9}) > evidence.probability({"coverage": 0.4})


@pytest.mark.django_db
def test_the_scope_vocabulary_near_a_word_comes_from_the_books_in_scope(finance_book, garden_book):
    near = scope_vocabulary_near(["terminus", "tomatoe"], [finance_book.pk])
    assert "termin" in near and not any(w.startswith("tomat") for w in near)
    assert any(w.startswith("tomat") for w in scope_vocabulary_near(["tomatoe"], [garden_book.pk]))
    assert scope_vocabulary_near([], [finance_book.pk]) == set()


@pytest.mark.django_db
def test_the_offline_answerer_records_its_judgement(finance_book):
    ids = [finance_book.pk]
    question = "What does the Black-Scholes model price?"
    terms = analyse_query(question, ids)
    judged, verdict = OfflineAnswerer().judge(question, search_chunks(question, ids, 8, terms=terms), terms)
    assert "schole" in verdict.absent and verdict.features["absent"] > 0
    answer = answer_question(question, ids, llm=None)
    assert answer.kind == NOT_FOUND and "Black-Scholes" in answer.answer
    assert answer.evidence == pytest.approx(verdict.probability)
    covered = answer_question("Which model estimates the terminal value?", ids, llm=None)
    assert covered.kind == LIBRARY and covered.judgement["absent"] == 0.0
    assert "judgement" not in covered.as_dict() and "evidence" not in covered.as_dict()
