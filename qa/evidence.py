"""Offline evidence that passages answer a question: coverage of the question's key terms, and a
calibrated judge over several such signals.

A key term is a content lexeme of the question (Postgres 'english' lexemes, as the index has them)
that is not a question word ("explain", "difference"). It is covered by a passage that holds it,
a close variant of it (the same snowball stem, an inflection, or a British/American spelling:
"normalise"/"normalize"; a longer word that merely starts like it, "monad" for "mona", is not),
or, for an acronym the books define, its expansion (or the short form, for an expanded phrase). A
name (a capitalised word inside the question, or an all-capitals one) is covered only by the same
word, never by a variant or by another word with the same lexeme ("Sharpe" is indexed as "sharp":
qa.offline checks the passage's text, and whether the books in scope use the word at all). A key
term's weight is its idf over the books in scope (times its rarity in general English, `rarity`,
when RARITY_WEIGHTING is on: "learn", "play", "car" would weigh little, "convexity", "Scholes"
fully). Coverage is the share of key-term weight that the best window of the best passage covers.

Coverage alone cannot tell a question worded unlike the book (its everyday words scattered over the
right passage) from a near miss (on topic, but asking about something the books never treat). The
judge (`judge`) therefore combines coverage with the signals of a near miss: a key term the books in
scope never use at all, not even as a close variant (strong evidence: "Black-Scholes" asked of a
corporate-finance book); a rare key term (rare in the books, or in general English) that is not in
the window of the best passage where the other key terms meet (the books mention it only in passing,
elsewhere or apart from the rest); and a name the books use, however often, that the best passage's
window lacks ("the capital city of Australia": the books speak of capital and cities, and of
Australia elsewhere). A logistic model turns them into the probability that
the passages answer; its constants are fitted on the development half of
bench/data/qa_questions.json (`bench/qa_eval.py --calibrate`), never on the reported half.
Rank-fusion scores play no part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from docprof.ai.rarity import RARITY_FLOOR, rarity  # noqa: F401 (RARITY_FLOOR: for callers)
from docprof.ai.text import stem
from library.ranking import QueryTerms

# Calibrated by `bench/qa_eval.py --calibrate` on the development half (see the module docstring).
COVERAGE_THRESHOLD = 0.55

# Lexemes of words that ask rather than say what is asked about.
QUESTION_LEXEMES = frozenset(
    """
    explain describ defin mean differ exampl tell show see give way happen work use mani much
    someth anyth thing someon anyon kind sort type els need want know think say said make get
    good best better like happen question answer chapter book lectur section
    would could might must may shall ought instead rather versus vs wherea also realli actual
    """.split()
)


def key_terms(terms: QueryTerms) -> list[str]:
    return [lex for lex in terms.lexemes if lex not in QUESTION_LEXEMES and not lex.isdigit()]


# Spelling variants (British -> American) tried on both words before comparing them.
SPELLINGS = (("our", "or"), ("is", "iz"), ("ys", "yz"), ("tre", "ter"), ("ogu", "og"), ("ll", "l"))
INFLECTIONS = ("s", "es", "ed", "ing")  # endings a lexeme may keep that the stemmer left on


def _spelled(word: str) -> str:
    for british, american in SPELLINGS:
        word = word.replace(british, american)
    return word


def _close(a: str, b: str) -> bool:
    """Close variants: the same snowball stem, an inflection of the other, or the same word in
    British and American spelling. Not merely one word starting like the other ("sharpe" is not
    "sharp", "monad" is not "mona")."""
    if a == b:
        return True
    if stem(a) == stem(b) or _spelled(a) == _spelled(b):
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and any(long == short + ending for ending in INFLECTIONS)


# Endings an English word takes in its inflections (plural, third person, past, participle).
INFLECTION_ENDINGS = ("ies", "ied", "es", "s", "ed", "d", "ing")
STEM_MIN = 3  # letters a word keeps without its ending


def _bases(word: str) -> set[str]:
    """The forms `word` may be an inflection of: itself, and itself without an inflection's ending
    (restoring a dropped "e", a "y" turned into "i", or undoubling a doubled consonant)."""
    word = _spelled(word.lower().removesuffix("'s").removesuffix("’s").strip("'’"))
    out = {word}
    for ending in INFLECTION_ENDINGS:
        base = word.removesuffix(ending)
        if base == word or len(base) < STEM_MIN:
            continue
        if ending in ("ies", "ied"):
            out.add(base + "y")
            continue
        out.update((base, base + "e"))
        if ending in ("ed", "ing") and len(base) > STEM_MIN and base[-1] == base[-2]:
            out.add(base[:-1])  # "stopped", "running"
    return out


def inflected(a: str, b: str) -> bool:
    """Whether two words are the same word, inflected or spelled differently."""
    return bool(_bases(a) & _bases(b))


DERIVED_MIN = 4  # letters of the shorter word a derived word must begin with


def same_word_family(a: str, b: str) -> bool:
    """Whether two words with one lexeme are close in their surface forms: inflections of one word
    ("compute", "computed"), or one derived from the other whole ("measure" -> "measurement",
    "compute" -> "computation": the longer begins with the shorter, less a final "e" or with "y" as
    "i"). Not two words the stemmer cut to the same stump: "capital" and "capitation" ("capit"),
    "general" and "generous"."""
    bases_a, bases_b = _bases(a), _bases(b)
    if bases_a & bases_b:
        return True
    for x in bases_a:
        for y in bases_b:
            short, long = sorted((x, y), key=len)
            heads = {short, short.removesuffix("e"), short[:-1] + "i" if short.endswith("y") else short}
            if any(len(h) >= DERIVED_MIN and long.startswith(h) for h in heads):
                return True
    return False


# letters and digits: "asn1", "x509" and "utf8" are words (an identifier's parts: asn1_create_element)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def holds_variant(text: str, word: str) -> bool:
    """Whether `text` has `word` or a word of its family (see `same_word_family`), in any case: a
    passage that holds a question's key term only as another word the stemmer gave the same lexeme
    ("capitation" for "capital") does not cover it."""
    start = word[:STEM_MIN].lower()
    return any(same_word_family(word, w) for w in _WORD.findall(text) if w[:STEM_MIN].lower() == start)


def covered(term: str, lexemes: set[str], names: Iterable[str] = ()) -> bool:
    """Whether `lexemes` hold the key term or a close variant of it (a name: only itself)."""
    if term in lexemes:
        return True
    if term in names:
        return False
    return any(_close(term, lex) for lex in lexemes if lex[:2] == term[:2])


# -- Names and rarity -----------------------------------------------------------------------


def name_words(question: str) -> list[str]:
    """The words of a question that name something: capitalised inside a sentence ("Sharpe",
    "Cayley"), or written in capitals ("GPG"); not a sentence's first word, nor "I"."""
    names, first = [], True
    for token in re.finditer(r"[A-Za-z][A-Za-z0-9'\-]*|[.?!:;]", question):
        word = token.group()
        if word in ".?!:;":
            first = True
            continue
        for part in word.split("-"):
            capitals = part.isupper() and len(part) > 1
            if part and part != "I" and (capitals or (part[0].isupper() and not first)):
                names.append(part.removesuffix("'s").rstrip("'"))  # "Bayes' rule": Bayes
        first = False
    return names


def mentions(text: str, word: str) -> bool:
    """Whether `text` has `word` as a whole word (any case, possessive allowed)."""
    pattern = rf"(?<![A-Za-z0-9]){re.escape(word)}(?:'s)?(?![A-Za-z0-9])"
    return re.search(pattern, text, re.IGNORECASE) is not None


RARITY_WEIGHTING = False  # dev (leave-one-out) did not gain from it; kept for `rare_apart`


def weight(terms: QueryTerms, term: str) -> float:
    """A key term's weight: idf over the books in scope (times its rarity in general English when
    RARITY_WEIGHTING is on)."""
    return terms.idf(term) * (rarity(term) if RARITY_WEIGHTING else 1.0)


@dataclass
class Coverage:
    score: float  # 0..1: share of key-term weight covered
    covered: list[str]
    missing: list[str]
    outside: list[str] = field(default_factory=list)  # held, but not in the best window


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


# A question that writes two key terms side by side names a thing ("singular value decomposition",
# "partial clone", "random forest"); when no passage in scope has them side by side, the books may
# use both words and still not hold that thing (the near miss). Everyday pairs ("loud music",
# "extra worker") are how unlike-worded questions talk, so only pairs of words that are both at
# least this rare in general English count (dev, leave-one-out over both question sets' dev
# halves: 0.3 of 0.2-0.5).
COMPOUND_RARITY_MIN = 0.3


def compounds(terms: QueryTerms, question_positions: dict[str, list[int]]) -> list[tuple[str, str]]:
    """Key terms the question writes next to each other, in its order, that the books in scope use
    and that are not everyday words (COMPOUND_RARITY_MIN)."""
    keys = [
        t for t in key_terms(terms) if checkable(t) and terms.df.get(t) and rarity(t) >= COMPOUND_RARITY_MIN
    ]
    return [
        (a, b)
        for a in keys
        for b in keys
        if a != b
        and any(y - x == 1 for x in question_positions.get(a, ()) for y in question_positions.get(b, ()))
    ]


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
    names: Iterable[str] = (),
) -> Coverage:
    """How much of the question's key-term weight (`weight`) a passage covers.

    `lexemes` are the passage's; `groups` acronym alternatives (short lexeme, long-form lexemes): a
    key term in one counts as covered when the passage has the short form or the whole long form;
    `names` are key terms that only count as themselves (no variants). With `positions` (lexeme ->
    (positions in the text, in the headings?)) the key terms must come together: the score is that
    of the best WINDOW of the text (terms in the headings, or covered through a variant or an
    acronym, count everywhere; the terms the passage holds only outside the window where most key
    terms meet are `outside`),
    and words that form a phrase in the question (`question_positions`) count half when the passage
    has them only far apart."""
    have = set(lexemes)
    names = set(names)
    keys = key_terms(terms)
    if not keys:
        return Coverage(0.0, [], [])
    located: dict[str, list[int] | None] = {}  # None: counts in every window
    hit, miss = [], []
    for term in keys:
        if positions is not None and term in positions:
            body, in_heading = positions[term]
            located[term] = None if in_heading or not body else body
        elif covered(term, have, names) or _covered_by_acronym(term, have, groups):
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
    weights = {t: weight(terms, t) * (SCATTERED if t in scattered else 1.0) for t in located}
    total = sum(weight(terms, t) for t in keys)
    outside: list[str] = []
    if positions is None:
        got = sum(weights.values())
    else:

        def inside(t: str, s: int) -> bool:
            return located[t] is None or any(s <= p < s + WINDOW for p in located[t])

        starts = sorted({p for pos in located.values() if pos for p in pos}) or [0]
        got = max(sum(w for t, w in weights.items() if inside(t, s)) for s in starts)
        # where most key terms meet (the weightiest such window): a term held only elsewhere is
        # mentioned in passing, away from what the question asks about
        meet = max(
            starts,
            key=lambda s: (
                sum(inside(t, s) for t in hit),
                sum(w for t, w in weights.items() if inside(t, s)),
                -s,
            ),
        )
        outside = [t for t in hit if not inside(t, meet)]
    return Coverage(got / total if total else 0.0, hit, miss, outside)


def answers(score: float, threshold: float = COVERAGE_THRESHOLD) -> bool:
    return score >= threshold


# -- The judge --------------------------------------------------------------------------------

# A key term in at most this share of the passages in scope (and at least RARE_MIN_DF) is rare: the
# books mention it in passing (dev: 0.13% is ten passages of the 7,572 in the corpus).
RARE_SHARE = 0.0013
RARE_MIN_DF = 2
# Logistic model of "the passages answer the question", fitted on the development half by
# `bench/qa_eval.py --calibrate` (which prints these constants).
JUDGE_WEIGHTS = {
    "coverage": 0.36,
    "absent": -6.28,
    "missing_idf": -2.34,
    "rare_missing": -0.06,
    "name_missing": -2.39,
    "compound_unseen": -2.31,
}
JUDGE_BIAS = 2.07
ANSWER_PROBABILITY = 0.5  # answer at or above this probability, abstain below

# Judges for semantic embedders, by the embedder's recorded name (Embedder.name: the model's identity):
# the same features and `similarity`, the cosine of the question and the nearest of the judged
# passages, which a model makes evidence of a match in meaning (a question worded unlike the book
# still lands near the passage that answers it; a near miss lands near passages on its topic, less
# near). Each is fitted on the development half with that embedder's retrieval
# (`DOCPROF_EMBEDDINGS=... bench/qa_eval.py --calibrate`): a cosine's scale is the model's own, so
# a semantic embedder without an entry here is judged by the lexical judge above.
# all-MiniLM-L6-v2 (the bundled model), fitted on the dev halves of both question sets (180 questions;
# `bench/qa_eval.py --calibrate`): leave-one-out abstention precision 0.918, recall 0.747 (0.873 /
# 0.733 without compound_unseen); in sample 0.938 / 0.813. The similarity carries what coverage did
# (the two agree on most questions, hence coverage's small, negative weight): it separates off-topic
# questions (median 0.25) from answerable ones (0.54 worded unlike the book, 0.65 plainly), not near
# misses (0.52) from the unlike-worded.
SEMANTIC_JUDGES: dict[str, tuple[dict[str, float], float]] = {
    "st-all-MiniLM-L6-v2-384-53aa51172d": (
        {
            "coverage": -0.56,
            "absent": -5.43,
            "missing_idf": -2.47,
            "rare_missing": 0.01,
            "name_missing": -2.88,
            "compound_unseen": -2.39,
            "similarity": 5.04,
        },
        0.11,
    ),
}


def judge_constants(embedder_name: str | None) -> tuple[dict[str, float], float]:
    """(weights, bias) of the judge for passages retrieved with this embedder (None: no similarity)."""
    return SEMANTIC_JUDGES.get(embedder_name or "", (JUDGE_WEIGHTS, JUDGE_BIAS))


def checkable(term: str) -> bool:
    """Whether a key term can be looked for on its own: a hyphenated compound ("mixed-effect",
    "self-cal") is judged through its parts, which are key terms too."""
    return "-" not in term


def absent_terms(
    terms: QueryTerms, vocabulary: Iterable[str], names: Iterable[str] = (), unused: Iterable[str] = ()
) -> list[str]:
    """Key terms that no passage in scope holds, nor a close variant of them (`vocabulary`: the
    scope's lexemes that start like them, library.retrieval.scope_vocabulary_near); `names` have
    no variants, and `unused` are names whose lexeme the books hold only as another word ("sharp"
    for "Sharpe")."""
    near, names, unused = set(vocabulary), set(names), set(unused)
    return [
        t
        for t in key_terms(terms)
        if checkable(t) and (t in unused or (not terms.df.get(t) and not covered(t, near, names)))
    ]


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


def features(
    terms: QueryTerms,
    best: Coverage | None,
    absent: Sequence[str],
    names: Iterable[str] = (),
    unseen_compounds: Sequence[tuple[str, str]] = (),
    similarity: float | None = None,
) -> dict[str, float]:
    """The judge's inputs, each in 0..1 (a key term's weight: `weight`; `names`: the key terms that
    are names, see name_words):
    coverage     the best passage's key-term coverage (windowed, weighted);
    absent       the share of key-term weight the books in scope never use;
    missing_idf  the weight of the weightiest key term the books use but the best passage lacks,
                 over the largest idf possible in scope;
    rare_missing 1 if a key term rare in the books (see rare_df) is not in the best passage's best
                 window: the books mention it in passing, not together with the rest;
    name_missing 1 if a name the books use is not in the best passage's best window;
    rare_apart   1 if a key term rare in general English (rarity 1) that the books use is not in the
                 best passage's best window (not in the fitted judge: kept for the record);
    compound_unseen  of the question's compounds (see `compounds`) no passage in scope writes side
                 by side, the rarity in general English of the commoner word of the rarest pair;
    similarity   (semantic embedders only) the largest cosine of the question and a judged passage."""
    keys = key_terms(terms)
    names = set(names)
    total = sum(weight(terms, t) for t in keys)
    gone = set(absent)
    lacking = [t for t in (best.missing if best else keys) if t not in gone and checkable(t)]
    apart = lacking + [t for t in (best.outside if best else ()) if t not in gone and checkable(t)]
    used_apart = [t for t in apart if terms.df.get(t, 0)]
    top_idf = math.log(1.0 + max(terms.chunks, 1))
    values = {
        "coverage": best.score if best else 0.0,
        "absent": sum(weight(terms, t) for t in gone) / total if total else 0.0,
        "missing_idf": min(1.0, max((weight(terms, t) for t in lacking), default=0.0) / top_idf),
        "rare_missing": float(any(terms.df[t] <= rare_df(terms.chunks) for t in used_apart)),
        "name_missing": float(any(t in names for t in used_apart)),
        "rare_apart": float(any(rarity(t) >= 1.0 for t in used_apart)),
        "compound_unseen": max((min(rarity(a), rarity(b)) for a, b in unseen_compounds), default=0.0),
    }
    if similarity is not None:
        values["similarity"] = max(0.0, min(1.0, similarity))
    return values


def probability(values: dict[str, float], weights=None, bias: float | None = None) -> float:
    weights = JUDGE_WEIGHTS if weights is None else weights
    z = (JUDGE_BIAS if bias is None else bias) + sum(w * values.get(k, 0.0) for k, w in weights.items())
    return 1.0 / (1.0 + math.exp(-z))


def judge(
    terms: QueryTerms,
    coverages: Sequence[Coverage],
    absent: Sequence[str],
    weights=None,
    bias=None,
    names: Iterable[str] = (),
    unseen_compounds: Sequence[tuple[str, str]] = (),
    similarity: float | None = None,
) -> Judgement:
    """Whether the best of the judged passages answers the question (see the module docstring)."""
    best = max(coverages, key=lambda c: c.score, default=None)
    values = features(terms, best, absent, names, unseen_compounds, similarity)
    lacking = [t for t in (best.missing if best else key_terms(terms)) if t not in set(absent)]
    chance = probability(values, weights, bias)
    if short_and_lacking(terms, lacking):
        values["short_missing"] = 1.0
        chance = min(chance, SHORT_MISSING_PROBABILITY)
    return Judgement(chance, values, list(absent), lacking)


# A question that names only a few things ("Why is the sky blue?") is not answered by a passage that
# lacks one of them ("sky marshals"): with so few terms, one missing is half the question. Dev: no
# answerable question of at most 3 key terms had one missing from its best passage; 7 of the 11
# unanswerable ones did.
SHORT_QUESTION_TERMS = 3
SHORT_MISSING_PROBABILITY = 0.25


def short_and_lacking(terms: QueryTerms, lacking: Sequence[str]) -> bool:
    keys = [t for t in key_terms(terms) if checkable(t)]
    return len(keys) <= SHORT_QUESTION_TERMS and any(checkable(t) for t in lacking)
