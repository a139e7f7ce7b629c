"""Questions that compare two things ("What is the difference between a merge and a rebase?", "How
are streams different from lists?", "When should I use Rc<T> instead of Box<T>?") are best answered by
a sentence that names both and sets them against each other ("Rebasing replays changes ..., whereas
merging takes the endpoints ..."), which is rarely the passage that says most about either one.
The answer leads with the passage that holds the best such sentence, quoting it (`most_contrasting`).
The search's order is left alone: moving such passages to the front of the retrieved ones found the
right page for one more development question and for two fewer of the reported ones."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docprof.ai.text import content_terms, split_sentences, word_count
from qa import evidence
from qa.answers import sentence_score
from qa.definitions import unqualified

SIDES_RES = [
    re.compile(p, re.I)
    for p in (
        r"\bdifferences?\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+?)\s*\??$",
        r"^how\s+(?:is|are|does|do)\s+(?P<a>.+?)\s+(?:different|differ)\s+from\s+(?P<b>.+?)\s*\??$",
        r"^(?:what\s+is\s+|what\s+are\s+)?(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+?)\s*\??$",
        r"^(?:when|why)\s+(?:should|would|do|does|can|might)\s+(?:i|you|we|one|someone)\s+(?:use|choose|prefer)\s+"
        r"(?P<a>.+?)\s+(?:instead\s+of|rather\s+than|over)\s+(?P<b>.+?)\s*\??$",
        r"^compare\s+(?P<a>.+?)\s+(?:and|with|to)\s+(?P<b>.+?)\s*[.?]?$",
    )
]
# Words that set two things against each other within one sentence, and weaker ones that often do.
STRONG_CONTRAST_RE = re.compile(
    r"\b(?:whereas|unlike|in\s+contrast|by\s+contrast|on\s+the\s+other\s+hand|differs?|different|"
    r"difference|compared\s+(?:to|with)|versus|vs\.?|while)\b",
    re.I,
)
WEAK_CONTRAST_RE = re.compile(r"\b(?:instead|rather\s+than|than|but|however)\b", re.I)
STRONG_BONUS, WEAK_BONUS = 1.5, 1.2
LEADS_IN_FACTOR = 0.5  # "... we run git rebase teamone/master, Git will:" introduces, it does not answer
SIDE_SHARE = 0.5  # a sentence names a side when it holds this share of the side's key-term weight
MIN_WORDS, MAX_WORDS = 6, 60


def compared_sides(question: str, keys: Sequence[str]) -> tuple[set[str], set[str]] | None:
    """The key terms only the first side names and those only the second names, or None when the
    question compares nothing (or its sides differ in no key term: "a Type I and a Type II error")."""
    text = " ".join(question.split())
    for pattern in SIDES_RES:
        m = pattern.search(text)
        if not m:
            continue
        a = {k for k in content_terms(m["a"]) if k in keys}
        # "a merge and a rebase in Git": the qualifier says where, it is not part of the second side
        b = {k for k in content_terms(unqualified(m["b"]) or m["b"]) if k in keys}
        a, b = a - b, b - a
        return (a, b) if a and b else None
    return None


def _weight(key: str, terms) -> float:
    return terms.idf(key) * evidence.rarity(key)


def contrast_score(sentence: str, sides, terms) -> float:
    """How well a sentence compares the two sides: the weight of the sides' key terms it holds (0
    unless it names both and sets them against each other), more for a strong contrast ("whereas")
    than a weak one ("instead"), less when it only leads in to a list or code."""
    if not MIN_WORDS <= word_count(sentence) <= MAX_WORDS:
        return 0.0
    have = set(content_terms(sentence))
    for side in sides:
        held = sum(_weight(k, terms) for k in side if evidence.covered(k, have))
        if held <= 0 or held < SIDE_SHARE * sum(_weight(k, terms) for k in side):
            return 0.0
    score = sentence_score(sentence, [k for side in sides for k in side], terms)
    if STRONG_CONTRAST_RE.search(sentence):
        score *= STRONG_BONUS
    elif WEAK_CONTRAST_RE.search(sentence):
        score *= WEAK_BONUS
    else:
        return 0.0  # names both, compares nothing: "... a merge conflict during rebasing in ch07 ..."
    if sentence.rstrip().endswith(":"):
        score *= LEADS_IN_FACTOR
    return score


def best_contrast(text: str, sides, terms) -> tuple[float, list[str]]:
    """The best comparing sentence of a passage with its score, or (0, [])."""
    best, found = 0.0, []
    for sentence in split_sentences(text):
        score = contrast_score(sentence, sides, terms)
        if score > best:
            best, found = score, [sentence]
    return best, found


def most_contrasting(question: str, hits: Sequence, terms) -> tuple[object, list[str]] | None:
    """Of `hits`, the passage with the best sentence comparing the question's two sides, and that
    sentence; None when the question compares nothing or no passage compares its sides."""
    sides = compared_sides(question, evidence.key_terms(terms))
    if sides is None:
        return None
    best = None
    for hit in hits:
        score, sentences = best_contrast(hit.text, sides, terms)
        if score > 0 and (best is None or score > best[0]):
            best = (score, hit, sentences)
    return (best[1], best[2]) if best else None
