"""The offline answerer: extractive (the best sentences of the best passages, with citations),
abstaining when the passages do not cover the question's key terms (qa.evidence)."""

from __future__ import annotations

from library.ranking import QueryTerms
from library.retrieval import SearchHit, chunk_lexemes, chunk_positions, text_positions
from qa import evidence
from qa.answers import LIBRARY, Answer, best_sentences, cite, not_found, source_for

MAX_PASSAGES = 3  # passages quoted in an answer
JUDGED = 5  # passages whose coverage is judged


class OfflineAnswerer:
    name = "offline-extractive-v1"

    def __init__(self, threshold: float | None = None):
        self.threshold = evidence.COVERAGE_THRESHOLD if threshold is None else threshold

    def judge(
        self, question: str, hits: list[SearchHit], terms: QueryTerms
    ) -> list[tuple[SearchHit, evidence.Coverage]]:
        """Key-term coverage of the question by each of the best passages."""
        ids = [h.chunk_id for h in hits[:JUDGED]]
        lexemes = chunk_lexemes(ids)
        positions = chunk_positions(ids, evidence.key_terms(terms))
        asked = text_positions(question)
        return [
            (
                h,
                evidence.coverage(
                    terms,
                    lexemes.get(h.chunk_id, ()),
                    terms.groups,
                    question_positions=asked,
                    positions=positions.get(h.chunk_id, {}),
                ),
            )
            for h in hits[:JUDGED]
        ]

    def answer(
        self, question: str, hits: list[SearchHit], terms: QueryTerms, *, later: bool = False
    ) -> Answer:
        judged = self.judge(question, hits, terms)
        best = max((c.score for _, c in judged), default=0.0)
        if not evidence.answers(best, self.threshold):
            missing = min(judged, key=lambda hc: -hc[1].score)[1].missing if judged else []
            result = not_found(question, hits, terms, missing)
            result.evidence = best
            return result
        support = [h for h, c in judged if evidence.answers(c.score, self.threshold)][:MAX_PASSAGES]
        sources, parts = [], []
        for n, hit in enumerate(support, 1):
            sentences = best_sentences(hit.text, terms, 2 if n == 1 else 1)
            sources.append(source_for(n, hit, " ".join(sentences)))
            lead = "According to" if n == 1 else "See also"
            parts.append(f"{lead} {cite(hit)}: \u201c{' '.join(sentences)}\u201d [{n}]")
        text = "\n".join(parts)
        if later:
            text = "This comes up later in this lecture; briefly: " + text
        return Answer(LIBRARY, text, sources, evidence=best, later_in_lecture=later)
