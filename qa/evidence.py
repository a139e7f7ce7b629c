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
