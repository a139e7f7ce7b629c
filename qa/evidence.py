"""Offline evidence that passages answer a question: coverage of the question's key terms.

A key term is a content lexeme of the question (Postgres 'english' lexemes, as the index has them)
that is not a question word ("explain", "difference"). It is covered by a passage that holds it,
a close variant of it ("normalise"/"normalize", "eigenvalue"/"eigenvalues"), or, for an acronym the
books define, its expansion (or the short form, for an expanded phrase). Coverage is the share of
key-term weight (idf over the books in scope: rare words matter most) that the best passage covers.
The threshold is calibrated on the development half of bench/data/qa_questions.json
(`bench/qa_eval.py --calibrate`), never on the reported half; rank-fusion scores play no part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from library.ranking import QueryTerms

# Calibrated by `bench/qa_eval.py --calibrate` on the development half (see the module docstring).
COVERAGE_THRESHOLD = 0.6

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
    for i in range(len(b)):
        if b[:i] + b[i + 1 :] == a:
            return True
    return False


def covered(term: str, lexemes: set[str]) -> bool:
    if term in lexemes:
        return True
    return any(_close(term, lex) for lex in lexemes if lex[:2] == term[:2])


@dataclass
class Coverage:
    score: float  # 0..1: share of key-term weight covered
    covered: list[str]
    missing: list[str]


def coverage(
    terms: QueryTerms, lexemes: Iterable[str], groups: Sequence[tuple[str, list[str]]] = ()
) -> Coverage:
    """How much of the question's key-term weight `lexemes` (a passage's) cover.

    `groups` are acronym alternatives (short lexeme, long-form lexemes): a key term that belongs to
    one counts as covered when the passage has the short form or every word of the long form."""
    have = set(lexemes)
    keys = key_terms(terms)
    if not keys:
        return Coverage(0.0, [], [])
    total = got = 0.0
    hit, miss = [], []
    for term in keys:
        weight = terms.idf(term)
        total += weight
        ok = covered(term, have)
        if not ok:
            for short, long in groups:
                if term == short or term in long:
                    ok = short in have or all(covered(w, have) for w in long)
                    if ok:
                        break
        if ok:
            got += weight
            hit.append(term)
        else:
            miss.append(term)
    return Coverage(got / total if total else 0.0, hit, miss)


def answers(score: float, threshold: float = COVERAGE_THRESHOLD) -> bool:
    return score >= threshold
