"""The answer shape (a contract: API, `manage.py ask --json`, stored QAMessage) and the extractive
pieces both answerers share: the sentences of a passage that best cover the question's key terms."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field

from docprof.ai.text import (
    CODE_DENSITY,
    code_marks_per_word,
    content_terms,
    cut_by_edge,
    prose_share,
    split_sentences,
    word_count,
)
from library.quotes import as_in_passage, verify_quote
from library.retrieval import SearchHit
from qa import evidence

META, LECTURE, LIBRARY, NOT_FOUND = "meta", "lecture", "library", "not_found"
KINDS = (META, LECTURE, LIBRARY, NOT_FOUND)


@dataclass
class Source:
    n: int
    chunk_id: int
    book_id: int
    book_title: str
    chapter: str
    page_start: int | None
    page_end: int | None
    quote: str
    verified: bool


@dataclass
class Answer:
    kind: str
    answer: str
    sources: list[Source] = field(default_factory=list)
    rewritten_question: str | None = None
    evidence: float | None = None  # offline: the judge's probability that the passages answer
    judgement: dict | None = None  # the judge's inputs (offline), for the record and calibration
    later_in_lecture: bool = False
    answerer: str = ""  # which answerer wrote it (offline-extractive-v2, model-v1, meta, lecture)

    def as_dict(self) -> dict:
        """The contract's fields: kind, answer, rewritten_question, sources."""
        data = asdict(self)
        for private in ("evidence", "judgement", "later_in_lecture", "answerer"):
            data.pop(private)
        return data


def source_for(n: int, hit: SearchHit, quote: str) -> Source:
    """A numbered source; a verified quote is shown as the passage writes it (its dashes, marks)."""
    verified = verify_quote(quote, hit.text)
    return Source(
        n,
        hit.chunk_id,
        hit.book_id,
        hit.book_title,
        hit.chapter,
        hit.page_start,
        hit.page_end,
        as_in_passage(quote, hit.text) if verified else quote,
        verified,
    )


PROSE_SHARE = 0.75
QUESTION_FACTOR = 0.3
# "Figure 10.10: A demonstration of the central limit theorem." names the topic and explains nothing;
# "Exercise 1.3: Define a procedure that ..." sets a task
CAPTION_RE = re.compile(
    r"^(?:Figure|Fig\.|Table|Listing|Exhibit|Chart|Exercise|Problem)\s+(?:\d+|[A-Z])(?:[.\-]\d+)*\s*[:.](?!\d)",
    re.I,
)
CAPTION_FACTOR = 0.3


# A sentence that holds an option or identifier the question names to the letter ("What does the
# -v option do?") is about it: full text and key terms cannot tell "-v" from "-c".
LITERAL_FACTOR = 3.0
OPENS_WITH_FACTOR = 2.0  # ... and one that opens with it is its entry in a list of options


def holds_literal(sentence: str, literal: str) -> bool:
    return re.search(r"(?<![\w-])" + re.escape(literal) + r"(?![\w-])", sentence) is not None


def opens_with_literal(sentence: str, literal: str) -> bool:
    return re.match(r"[\s'\"`‘“*•]*" + re.escape(literal) + r"(?![\w-])", sentence) is not None


# The options an entry of a list of options opens with: "‘-k’ ‘--keep’ Keep (don't delete) input files",
# after the category of a Texinfo definition line, if any ("-- Test: -empty True if the file is empty").
_LEADING_OPTIONS_RE = re.compile(r"\s*(?:--\s+[A-Z][\w ]{0,30}:)?(?:[\s'\"`‘’“”*•,]*--?[A-Za-z][\w-]*)+")
_OPTION_RE = re.compile(r"--?([A-Za-z][\w-]*)")


def names_an_option(sentence: str, keys: Collection[str]) -> bool:
    """The sentence is the entry of an option the question names in its own words ("How do I keep
    the original file?": "‘-k’ ‘--keep’ Keep ...", "find empty files": "-empty True if ...")."""
    lead = _LEADING_OPTIONS_RE.match(sentence)
    if not lead:
        return False
    for name in _OPTION_RE.findall(lead.group(0)):
        words = content_terms(name.replace("-", " "))
        if words and all(any(evidence.covered(k, {w}) for k in keys) for w in words):
            return True  # every word of the option's name is asked for ("--invert-match" needs both)
    return False


# A key term from the book's title frames every sentence of the book ("What license is libtasn1
# under?" in the book "Libtasn1"): a sentence that names it says little more on the question.
FRAMED_FACTOR = 0.1


def sentence_score(sentence: str, keys: list[str], terms, framed: Collection[str] = ()) -> float:
    """Key-term weight a sentence holds (in-library idf times rarity in general English, so that
    "without" or "look" in a question do not pick the sentence; `framed`: key terms of the book's
    title, see FRAMED_FACTOR), preferring plain prose of sentence length over code and run-on
    paragraphs."""
    have = set(content_terms(sentence))
    score = sum(
        terms.idf(k) * evidence.rarity(k) * (FRAMED_FACTOR if k in framed else 1.0)
        for k in keys
        if evidence.covered(k, have)
    )
    literals = getattr(terms, "literals", ())  # QueryTerms' (a plain terms object has none)
    literal = any(holds_literal(sentence, lit) for lit in literals) or names_an_option(sentence, keys)
    if literal:  # it counts as the question's weightiest term, thrice; an option's line is no code
        strongest = max((terms.idf(k) * evidence.rarity(k) for k in keys), default=1.0)
        score = (score + strongest) * LITERAL_FACTOR
        if any(opens_with_literal(sentence, lit) for lit in literals) or names_an_option(sentence, keys):
            score *= OPENS_WITH_FACTOR
    prose = prose_share(sentence)
    if prose < PROSE_SHARE and not literal:
        score *= prose  # mostly code, figures or symbols
    marks = code_marks_per_word(sentence)
    if marks > CODE_DENSITY:
        score *= CODE_DENSITY / marks  # code whose words are words: "(define (square x) (* x x))"
    if sentence.rstrip(' "”’)').endswith("?"):
        score *= QUESTION_FACTOR  # a review question names the topic but answers nothing
    if CAPTION_RE.match(sentence):
        score *= CAPTION_FACTOR  # a figure's or table's caption, an exercise
    return score / (1.0 + 0.01 * max(0, word_count(sentence) - 35))


def best_sentences(text: str, terms, limit: int = 2, framed: Collection[str] = ()) -> list[str]:
    """A contiguous run of at most `limit` sentences of the passage that covers most key-term weight
    (contiguous, so that the run quoted as one verifies against the passage; `framed`: see
    sentence_score)."""
    keys = evidence.key_terms(terms)
    sentences = split_sentences(text)
    usable = [i for i, s in enumerate(sentences) if 5 <= word_count(s) <= 80]
    whole = [i for i in usable if not cut_by_edge(sentences, i)]
    usable = whole or usable  # the pieces the passage's edges cut only when nothing else is left
    if not usable:
        words = text.split()
        return [" ".join(words[:40])] if words else []
    scores = {i: sentence_score(sentences[i], keys, terms, framed) for i in usable}
    best = min(usable, key=lambda i: (-scores[i], i))
    run = [best]
    while len(run) < limit:
        after, before = run[-1] + 1, run[0] - 1
        options = [i for i in (after, before) if scores.get(i, 0) > 0]
        if not options:
            break
        run = sorted([*run, max(options, key=lambda i: scores[i])])
    return [sentences[i] for i in run]


def cite(hit: SearchHit) -> str:
    pages = ""
    if hit.page_start:
        ranged = hit.page_end and hit.page_end != hit.page_start
        pages = f", pp. {hit.page_start}\u2013{hit.page_end}" if ranged else f", p. {hit.page_start}"
    return f"{hit.book_title} ({hit.chapter}{pages})"


def asked_words(question: str, lexemes: list[str]) -> list[str]:
    """The question's own words behind search stems ("black-schol" -> "Black-Scholes"), each once."""
    words = re.findall(r"[\w'][\w'-]*", question)
    found: list[str] = []
    for lexeme in lexemes:
        match = next((w for w in words if lexeme in w.lower()), None)
        if match and not any(match.lower() in f.lower() for f in found):
            found = [f for f in found if f.lower() not in match.lower()] + [match]
    return found


def not_found(
    question: str,
    hits: list[SearchHit],
    terms,
    missing: list[str] | None = None,
    absent: list[str] | None = None,
) -> Answer:
    """The library does not cover it: say so, show the closest passages, answer nothing. `absent`:
    key terms the books never use; `missing`: those the closest passages lack (the books may use
    them elsewhere, so the answer does not say the library has nothing on them)."""
    sources = [source_for(n, hit, best_sentences(hit.text, terms, 1)[0]) for n, hit in enumerate(hits[:3], 1)]
    text = "Your library does not cover this: none of the passages found answers the question"
    never = asked_words(question, absent or [])
    lacking = [w for w in asked_words(question, missing or []) if w not in never]
    said = []
    if never:
        said.append(f"nothing on {', '.join(never[:4])}")
    if lacking and len(never) < 4:
        said.append(f"the closest passages say nothing on {', '.join(lacking[: 4 - len(never)])}")
    if said:
        text += f" ({'; '.join(said)})"
    text += "."
    if sources:
        text += " The closest passages are listed below; they may help you look further."
    return Answer(NOT_FOUND, text, sources)
