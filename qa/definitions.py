"""Questions that ask what something is ("What is a closure?", "Define opportunity cost", "What does
EBITDA mean?") are best answered by the passage that defines it, which is often not the passage
that mentions it most: the definition comes once, at the start of a section, while later passages
use the word again and again. `promote_definitions` moves the retrieved passages that hold a
definition of the asked term ahead of the others, keeping the search's order otherwise."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docprof.ai.definitions import defining_run, definition_re
from docprof.ai.text import split_sentences
from library.retrieval import passages_matching

ASKED_RES = [
    re.compile(p, re.I)
    for p in (
        r"^what\s+is\s+meant\s+by\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s*\??$",
        r"^what\s+do\s+(?:we|you|they)\s+mean\s+by\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s*\??$",
        r"^(?:so\s+)?(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s*\??$",
        r"^(?:please\s+)?define\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s*[.?]?$",
        r"^what\s+(?:does|do)\s+(?:an?\s+|the\s+)?(?P<term>.+?)\s+mean\s*\??$",
    )
]
MAX_TERM_WORDS = 5
DIFFERENCE_RE = re.compile(r"\b(?:the|a|an)\s+difference\b", re.I)
PROMOTED = 2  # at most this many defining passages move to the front
LOOKED_AT = 20  # among the search's first passages
CONTRACTED_IS = re.compile(r"\b(what|who)[’']s\b", re.I)  # "What's a closure?"


def asked_term(question: str) -> str | None:
    """The term a definition question asks about, or None for any other question."""
    text = CONTRACTED_IS.sub(r"\1 is", " ".join(question.split()))
    for pattern in ASKED_RES:
        m = pattern.match(text)
        if m:
            term = m["term"].strip(" \"'“”‘’")
            words = term.split()
            if 1 <= len(words) <= MAX_TERM_WORDS and not DIFFERENCE_RE.search(term):
                return term
    return None


# "a trait in Rust", "a branch in Git": the term, then where it is asked about (a book's subject).
QUALIFIED_RE = re.compile(r"^(?P<head>.+?)\s+in\s+(?:an?\s+|the\s+)?\S+(?:\s+\S+){0,2}$", re.I)


def unqualified(term: str) -> str | None:
    """The term without a trailing "in <subject>" ("trait" for "trait in Rust"), or None. Books
    define the bare term; the qualifier only says which book's sense is meant."""
    m = QUALIFIED_RE.match(term)
    return m["head"] if m else None


def _coarse_sql_re(term: str) -> str:
    """A Postgres regular expression that every definition of `term` matches (checked again, exactly,
    with `definition_re`): the term next to a defining verb, or after "called"."""
    name = r"[\s-]+".join(re.escape(w) for w in term.split()) + "(e?s)?"
    verbs = r"(is|are|refers?|means?|defines?|describes?|denotes?)"
    return (
        rf"{name},?\s+(\([^)]{{1,80}}\)\s+)?((of|for)\s+(\S+\s+){{1,4}})?{verbs}\s"
        rf"|(called|call|known as|termed|refer|referred to as|name for)\s+(\S+\s+){{0,4}}{name}"
        rf"|definition\s+(\S+\s+)?\(?(\S+\s+and\s+)?{name}|(is|are)\s+(\S+\s+){{0,3}}{name}\s*\("
        rf"|we say\s+(\S+\s+){{1,3}}(is|are)\s+(the\s+|an?\s+)?{name}"
        rf"|define[sd]?\s+(the\s+|an?\s+)?{name}\s+(as|to be)\s"
    )


def in_book_order(hits: Sequence) -> list:
    """`hits` grouped by book (books in the order of their first hit), each book's in page order: a
    book defines a term where it first explains it; later passages that match a defining pattern
    ("A trait is unsafe when ...", "The Stream trait defines ...") are about a special case."""
    books = {h.book_id: i for i, h in reversed(list(enumerate(hits)))}
    return sorted(hits, key=lambda h: (books[h.book_id], h.page_start or 0))


def promote_definitions(question: str, hits: Sequence, book_ids: Sequence[int] = ()) -> list:
    """`hits` with up to PROMOTED passages that define the asked term first: those among the first
    LOOKED_AT, or else the first such passages of the books (`book_ids`), in book order."""
    hits = list(hits)
    term = asked_term(question)
    if term is None:
        return hits

    def defining_hits(candidates, term: str) -> list:
        pattern = definition_re(term)
        return in_book_order([h for h in candidates if pattern.search(" ".join(h.text.split()))])[:PROMOTED]

    defining = defining_hits(hits[:LOOKED_AT], term)
    if not defining and book_ids:
        found = passages_matching(term, _coarse_sql_re(term), book_ids, limit=LOOKED_AT)
        defining = defining_hits(found, term)
    # The bare term of "a trait in Rust" only among the passages found for the whole question:
    # in the whole library it may be defined in another sense.
    if not defining and (head := unqualified(term)):
        defining = defining_hits(hits[:LOOKED_AT], head)
    if not defining:
        return hits
    ids = {h.chunk_id for h in defining}
    return defining + [h for h in hits if h.chunk_id not in ids]


def defining_sentences(question: str, text: str) -> list[str] | None:
    """The sentences of `text` that define what a definition question asks about (see
    `defining_run`), or None."""
    term = asked_term(question)
    if term is None:
        return None
    sentences = split_sentences(text)
    return (
        defining_run(term, sentences)
        or ((head := unqualified(term)) and defining_run(head, sentences))
        or None
    )
