"""BM25 over a set of candidate passages (pure arithmetic; the SQL that feeds it is in retrieval).

BM25F-style: a query word in the passage's heading path (chapter title and section headings,
weight A in the full-text vector) counts HEADING_TF times, so a passage under "5.2 Terminal Value"
is about terminal value even where its body says "it".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

K1 = 1.2
B = 0.75
HEADING_TF = 3.0  # one heading occurrence counts as this many body occurrences
EXPANSION_WEIGHT = 0.6  # query words added by acronym expansion or a model rewrite
# A heading that holds several of the query's words names the passage's subject ("5.2 Terminal
# Value" for "how is terminal value estimated?"): those words' idf again, times this.
HEADING_MATCH_BONUS = 1.0
# Of the passages under such a heading, the one that opens the section introduces its subject
# (where "a confidence interval" is first explained, not where its R function is shown): its
# heading bonus counts this much more.
OPENING_BONUS = 0.5
# A passage's neighbourhood (the passages next to it in the book) holds words of the question the
# passage itself lacks: a book explains a subject over consecutive passages, and a question worded
# unlike the book ("how sure can I be ... in some range around my sample's average") matches the
# neighbourhood better than any one passage of it. Added to the fused score (library.retrieval):
# CONTEXT_WEIGHT times the share of the question's idf weight its neighbourhood holds. Dev halves of
# both question sets (bench/qa_eval.py), unlike-worded questions gained / lost against none:
# reach 2 at 0.2-0.3 +3 / -1 and no plain one lost in the whole library; in one-book libraries
# (--one-book) 0.2-0.25 changed nothing and 0.3 lost a plain question; 0.15 +1 / -2, 0.8 lost
# more; reach 1 +2 / -1; the whole section (chapter and heading path) instead +2 / -1.
CONTEXT_REACH = 2  # passages before and after
CONTEXT_WEIGHT = 0.25


def idf(df: int, n: int) -> float:
    """Robertson-Sparck Jones idf, floored at a small positive value."""
    return max(0.01, math.log(1.0 + (n - df + 0.5) / (df + 0.5)))


@dataclass
class QueryTerms:
    """A query's full-text lexemes with their weights and the scope's statistics."""

    lexemes: list[str]  # the query's own words (Postgres 'english' lexemes)
    weights: dict[str, float] = field(default_factory=dict)  # every lexeme searched, with its weight
    df: dict[str, int] = field(default_factory=dict)  # passages in scope containing the lexeme
    global_df: dict[str, int] = field(default_factory=dict)  # passages in the whole library
    chunks: int = 0
    words: int = 0
    expansions: list[tuple[str, str]] = field(default_factory=list)  # (short form, long form) used
    extra_text: str = ""  # text added to the query for the embedder (expansions, a model rewrite)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)  # (short lexeme, long lexemes)
    book_ids: list[int] = field(default_factory=list)  # the scope the statistics are for
    literals: list[str] = field(default_factory=list)  # command-line options and identifiers asked

    @property
    def avgdl(self) -> float:
        return self.words / self.chunks if self.chunks else 1.0

    def idf(self, lexeme: str) -> float:
        return idf(self.df.get(lexeme, 0), max(self.chunks, 1))


def term_frequency(positions: int, heading_positions: int) -> float:
    return (positions - heading_positions) + HEADING_TF * heading_positions


def bm25(terms: QueryTerms, rows) -> dict[int, float]:
    """Scores by passage id from rows of (chunk_id, lexeme, positions, heading positions (a list, or
    their count), words[, whether the passage opens its section])."""
    scores: dict[int, float] = {}
    headings: dict[int, dict[str, tuple[float, list[int]]]] = {}
    openings: set[int] = set()
    avgdl = terms.avgdl
    for chunk_id, lexeme, positions, heading, words, *opens in rows:
        if opens and opens[0]:
            openings.add(chunk_id)
        weight = terms.weights.get(lexeme, 0.0)
        if not weight:
            continue
        in_heading = heading if isinstance(heading, int) else len(heading)
        tf = term_frequency(positions, in_heading)
        norm = K1 * (1.0 - B + B * (words or avgdl) / avgdl)
        saturated = tf * (K1 + 1) / (tf + norm)
        scores[chunk_id] = scores.get(chunk_id, 0.0) + weight * terms.idf(lexeme) * saturated
        if in_heading and not isinstance(heading, int):
            headings.setdefault(chunk_id, {})[lexeme] = (weight * terms.idf(lexeme), list(heading))
    for chunk_id, found in headings.items():
        bonus = HEADING_MATCH_BONUS * (1.0 + OPENING_BONUS * (chunk_id in openings))
        scores[chunk_id] += bonus * heading_phrase_weight(found)
    return scores


def heading_phrase_weight(found: dict[str, tuple[float, list[int]]]) -> float:
    """The weight of the query words that stand next to another query word in a heading: the
    heading names the passage's subject in the query's words ("5.2 Terminal Value")."""
    total = 0.0
    for lexeme, (weight, positions) in found.items():
        others = [p for other, (_, ps) in found.items() if other != lexeme for p in ps]
        if any(abs(p - q) == 1 for p in positions for q in others):
            total += weight
    return total


def context_bonus(
    terms: QueryTerms, held: dict[int, set[str]], weight: float | None = None
) -> dict[int, float]:
    """Per passage: `weight` times the share of the query's idf weight (each lexeme's weight times
    its idf, over the lexemes found in scope) that its neighbourhood holds; `held`: the query
    lexemes in each passage's neighbourhood; `weight`: CONTEXT_WEIGHT unless given."""
    weight = CONTEXT_WEIGHT if weight is None else weight
    mass = {t: w * terms.idf(t) for t, w in terms.weights.items() if terms.df.get(t)}
    total = sum(mass.values())
    if not total:
        return {}
    return {i: weight * sum(mass.get(t, 0.0) for t in found) / total for i, found in held.items()}
