"""The offline judge with a semantic embedder: the passages' similarity to the question is one of
its features, and the judge calibrated for that embedder (qa.evidence.SEMANTIC_JUDGES, by the
embedder's name) decides; an embedder without a calibrated judge gets the lexical one. The
semantic embedder is a fake that declares itself semantic (the CI has no torch)."""

import pytest

from docprof.ai.embeddings import HashingEmbedder
from qa import evidence
from qa.answers import LIBRARY, NOT_FOUND
from qa.engine import answer_question
from qa.offline import OfflineAnswerer


class FakeSemantic(HashingEmbedder):
    relevance_threshold = 0.3

    def __init__(self):
        super().__init__()
        self.name = "fake-semantic"


def test_similarity_is_a_feature_only_when_there_is_one():
    terms = evidence.QueryTerms(["option"], {"option": 1.0}, {"option": 5}, {"option": 5}, 100, 10_000)
    best = evidence.Coverage(1.0, ["option"], [])
    assert "similarity" not in evidence.features(terms, best, [])
    assert evidence.features(terms, best, [], similarity=0.42)["similarity"] == pytest.approx(0.42)
    assert evidence.features(terms, best, [], similarity=1.3)["similarity"] == 1.0


def test_the_judge_is_the_one_calibrated_for_the_embedder(monkeypatch):
    assert evidence.judge_constants(None) == (evidence.JUDGE_WEIGHTS, evidence.JUDGE_BIAS)
    assert evidence.judge_constants("an-uncalibrated-model") == (evidence.JUDGE_WEIGHTS, evidence.JUDGE_BIAS)
    calibrated = ({"coverage": 1.0, "similarity": 5.0}, -3.0)
    monkeypatch.setitem(evidence.SEMANTIC_JUDGES, "fake-semantic", calibrated)
    assert evidence.judge_constants("fake-semantic") == calibrated


def test_every_calibrated_semantic_judge_trusts_similarity():
    for weights, _ in evidence.SEMANTIC_JUDGES.values():
        assert weights["similarity"] > 0 and set(weights) >= {"coverage", "absent", "similarity"}


@pytest.mark.django_db
def test_the_offline_answerer_judges_semantic_passages_with_their_embedders_judge(finance_book, monkeypatch):
    ids = [finance_book.pk]
    question = "Which model estimates the terminal value?"
    lexical = answer_question(question, ids, llm=None, embedder=FakeSemantic())
    assert lexical.kind == LIBRARY and 0 < lexical.judgement["similarity"] <= 1
    # a judge for this embedder that asks for more similarity than the passages have
    monkeypatch.setitem(evidence.SEMANTIC_JUDGES, "fake-semantic", ({"similarity": 1.0}, -5.0))
    strict = answer_question(question, ids, llm=None, embedder=FakeSemantic())
    assert strict.kind == NOT_FOUND
    # hashing passages carry no similarity: the lexical judge, whatever is registered
    hashing = answer_question(question, ids, llm=None, embedder=HashingEmbedder())
    assert hashing.kind == LIBRARY and "similarity" not in hashing.judgement
    # given weights (calibration) win over the registered ones
    given = OfflineAnswerer(weights=evidence.JUDGE_WEIGHTS, bias=evidence.JUDGE_BIAS, embedder=FakeSemantic())
    assert answer_question(question, ids, llm=None, answerer=given, embedder=FakeSemantic()).kind == LIBRARY
