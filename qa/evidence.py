"""Offline evidence that passages answer a question: coverage of the question's key terms, and a
calibrated judge over several such signals.

A key term is a content lexeme of the question (Postgres 'english' lexemes, as the index has them)
that is not a question word ("explain", "difference"). It is covered by a passage that holds it,
a close variant of it ("normalise"/"normalize", "eigenvalue"/"eigenvalues"), or, for an acronym the
books define, its expansion (or the short form, for an expanded phrase). Coverage is the share of
key-term weight (idf over the books in scope: rare words matter most) that the best passage covers.

Coverage alone cannot tell a question worded unlike the book (its everyday words scattered over the
right passage) from a near miss (on topic, but asking about something the books never treat). The
judge (`judge`) therefore combines coverage with the signals of a near miss: a key term the books in
scope never use at all, not even as a close variant (strong evidence: "Black-Scholes" asked of a
corporate-finance book), and a rare key term the best passage lacks (the books mention it only in
passing, elsewhere). A logistic model turns them into the probability that the passages answer;
its constants are fitted on the development half of bench/data/qa_questions.json
(`bench/qa_eval.py --calibrate`), never on the reported half. Rank-fusion scores play no part.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from library.ranking import QueryTerms

# Calibrated by `bench/qa_eval.py --calibrate` on the development half (see the module docstring).
COVERAGE_THRESHOLD = 0.55

# Lexemes of words that ask rather than say what is asked about.
QUESTION_LEXEMES = frozenset(
    """
    explain describ defin mean differ exampl tell show give way happen work use mani much
    someth anyth thing someon anyon kind sort type els need want know think say said make get
    good best better like happen question answer chapter book lectur section
    """.split()
)


def key_terms(terms: QueryTerms) -> list[str]:
    return [lex for lex in terms.lexemes if lex not in QUESTION_LEXEMES and not lex.isdigit()]


def _close(a: str, b: str) -> bool:
    """Close variants: one a short extension of the other, or one edit apart (long words only)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= 5 and long.startswith(short) and len(long) - len(short) <= 3:
        return True
    if len(short) >= 6 and len(long) - len(short) <= 1:
        return _one_edit(short, long)
    return False


def _one_edit(a: str, b: str) -> bool:
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def covered(term: str, lexemes: set[str]) -> bool:
    if term in lexemes:
        return True
    return any(_close(term, lex) for lex in lexemes if lex[:2] == term[:2])


@dataclass
class Coverage:
    score: float  # 0..1: share of key-term weight covered
    covered: list[str]
    missing: list[str]


PHRASE_GAP = 2  # question words this close (a stopword between) form a phrase ...
NEAR = 3  # ... that a passage must keep this close, or each of its words counts half
SCATTERED = 0.5
WINDOW = 40  # text positions (about two sentences) in which the key terms must come together


def phrases(question_positions: dict[str, list[int]], keys: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of key terms next to each other in the question ("singular value", "cost of capital")."""
    found = []
    for a in keys:
        for b in keys:
            pa, pb = question_positions.get(a, ()), question_positions.get(b, ())
            if a != b and any(0 < y - x <= PHRASE_GAP for x in pa for y in pb):
                found.append((a, b))
    return found


def _near(pa: list[int], pb: list[int]) -> bool:
    return any(abs(x - y) <= NEAR for x in pa for y in pb)


def _covered_by_acronym(term: str, have: set[str], groups) -> bool:
    for short, long in groups:
        if (term == short or term in long) and (short in have or all(covered(w, have) for w in long)):
            return True
    return False


def coverage(
    terms: QueryTerms,
    lexemes: Iterable[str],
    groups: Sequence[tuple[str, list[str]]] = (),
    *,
    question_positions: dict[str, list[int]] | None = None,
    positions: dict[str, tuple[list[int], bool]] | None = None,
) -> Coverage:
    """How much of the question's key-term weight (idf) a passage covers.

    `lexemes` are the passage's; `groups` acronym alternatives (short lexeme, long-form lexemes): a
    key term in one counts as covered when the passage has the short form or the whole long form.
    With `positions` (lexeme -> (positions in the text, in the headings?)) the key terms must come
    together: the score is that of the best WINDOW of the text (terms in the headings, or covered
    through a variant or an acronym, count everywhere), and words that form a phrase in the
    question (`question_positions`) count half when the passage has them only far apart."""
    have = set(lexemes)
    keys = key_terms(terms)
    if not keys:
        return Coverage(0.0, [], [])
    located: dict[str, list[int] | None] = {}  # None: counts in every window
    hit, miss = [], []
    for term in keys:
        if positions is not None and term in positions:
            body, in_heading = positions[term]
            located[term] = None if in_heading or not body else body
        elif covered(term, have) or _covered_by_acronym(term, have, groups):
            located[term] = None
        else:
            miss.append(term)
            continue
        hit.append(term)
    scattered: set[str] = set()
    if question_positions is not None and positions is not None:
        for a, b in phrases(question_positions, keys):
            pa, pb = located.get(a), located.get(b)
            if pa and pb and not _near(pa, pb):
                scattered.update((a, b))
    weight = {t: terms.idf(t) * (SCATTERED if t in scattered else 1.0) for t in located}
    total = sum(terms.idf(t) for t in keys)
    if positions is None:
        got = sum(weight.values())
    else:
        starts = sorted({p for pos in located.values() if pos for p in pos}) or [0]
        got = max(
            sum(
                w
                for t, w in weight.items()
                if located[t] is None or any(s <= p < s + WINDOW for p in located[t])
            )
            for s in starts
        )
    return Coverage(got / total if total else 0.0, hit, miss)


def answers(score: float, threshold: float = COVERAGE_THRESHOLD) -> bool:
    return score >= threshold


# -- The judge --------------------------------------------------------------------------------

# A key term in at most this share of the passages in scope (and at least RARE_MIN_DF) is rare: the
# books mention it in passing (dev: 0.13% is ten passages of the 7,572 in the corpus).
RARE_SHARE = 0.0013
RARE_MIN_DF = 2
# Logistic model of "the passages answer the question", fitted on the development half by
# `bench/qa_eval.py --calibrate` (which prints these constants).
JUDGE_WEIGHTS = {"coverage": 2.27, "absent": -4.84, "missing_idf": -1.01, "rare_missing": -1.7}
JUDGE_BIAS = 0.46
ANSWER_PROBABILITY = 0.5  # answer at or above this probability, abstain below


def checkable(term: str) -> bool:
    """Whether a key term can be looked for on its own: a hyphenated compound ("mixed-effect",
    "self-cal") is judged through its parts, which are key terms too."""
    return "-" not in term


def absent_terms(terms: QueryTerms, vocabulary: Iterable[str]) -> list[str]:
    """Key terms that no passage in scope holds, nor a close variant of them (`vocabulary`: the
    scope's lexemes that start like them, library.retrieval.scope_vocabulary_near)."""
    near = set(vocabulary)
    return [t for t in key_terms(terms) if checkable(t) and not terms.df.get(t) and not covered(t, near)]


@dataclass
class Judgement:
    probability: float  # that the passages answer the question
    features: dict[str, float] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)  # key terms the books never use
    missing: list[str] = field(default_factory=list)  # key terms the best passage lacks

    @property
    def answers(self) -> bool:
        return self.probability >= ANSWER_PROBABILITY


def rare_df(chunks: int) -> int:
    """The most passages a rare term occurs in, in a scope of `chunks` passages."""
    return max(RARE_MIN_DF, math.ceil(RARE_SHARE * chunks))


def features(terms: QueryTerms, best: Coverage | None, absent: Sequence[str]) -> dict[str, float]:
    """The judge's inputs, each in 0..1:
    coverage     the best passage's key-term coverage (windowed, idf-weighted);
    absent       the share of key-term weight the books in scope never use;
    missing_idf  the idf of the weightiest key term the books use but the best passage lacks,
                 over the largest idf possible in scope;
    rare_missing 1 if the best passage lacks a rare key term (see rare_df)."""
    keys = key_terms(terms)
    total = sum(terms.idf(t) for t in keys)
    gone = set(absent)
    lacking = [t for t in (best.missing if best else keys) if t not in gone and checkable(t)]
    top_idf = math.log(1.0 + max(terms.chunks, 1))
    return {
        "coverage": best.score if best else 0.0,
        "absent": sum(terms.idf(t) for t in gone) / total if total else 0.0,
        "missing_idf": min(1.0, max((terms.idf(t) for t in lacking), default=0.0) / top_idf),
        "rare_missing": float(any(0 < terms.df.get(t, 0) <= rare_df(terms.chunks) for t in lacking)),
    }


def probability(values: dict[str, float], weights=None, bias: float | None = None) -> float:
    weights = JUDGE_WEIGHTS if weights is None else weights
    z = (JUDGE_BIAS if bias is None else bias) + sum(w * values.get(k, 0.0) for k, w in weights.items())
    return 1.0 / (1.0 + math.exp(-z))


def judge(
    terms: QueryTerms, coverages: Sequence[Coverage], absent: Sequence[str], weights=None, bias=None
) -> Judgement:
    """Whether the best of the judged passages answers the question (see the module docstring)."""
    best = max(coverages, key=lambda c: c.score, default=None)
    values = features(terms, best, absent)
    lacking = [t for t in (best.missing if best else key_terms(terms)) if t not in set(absent)]
    return Judgement(probability(values, weights, bias), values, list(absent), lacking)
