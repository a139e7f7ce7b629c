"""Sentences that define a term ("A trait defines ...", "... is called a closure", "Definition ROM
Rank of a Matrix ..."): how a book says what something is. Used by the questions' definition lookup
(qa.definitions) and the lecture writer's opening of a "Define X" segment."""

from __future__ import annotations

import re
from functools import lru_cache

SHORT_DEFINITION_WORDS = 12
NAMING = re.compile(r"(?:called|known\s+as|termed|referred\s+to\s+as)\b", re.I)
GOES_ON = re.compile(r"(?:This|These|It|They|Such)\s+(?:is|are|was|were|means?|refers?)\b")
NAMES_WHAT_CAME_BEFORE = re.compile(r"\b(?:call|refer\s+to|name\s+for)\s+(?:this|these|it|them|that)\b", re.I)

# After "X is": not an adverb, participle or preposition ("the closure is then called", "closures
# are typically short" say something about X, they do not define it).
_NOT_A_DEFINITION = (
    r"(?!one\s+of\s+the\s+(?:most|best|least)\b)"  # "... is one of the most useful concepts" rates it
    r"(?!an?\s+(?:fine|good|great|nice|useful|powerful|handy|convenient|popular|clever|neat)\s)"  # so does
    # "Message passing is a fine way to handle concurrency"
    r"(?!(?:not|also|then|now|still|only|very|so|too|often|usually|typically|always|never|"
    r"in|on|at|of|to|by|for|with|from|into|that|this|these|those|what|how|why|when|where|because|"
    r"there|here|being|called|used|done|available|important|possible|useful|equal|equivalent|given|"
    r"no|zero|greater|less|larger|smaller|similar)\b)(?!(?!simply\b)[\w\-]+(?:ed|ly)\b)"
    r"(?![-−$€£]?\d)"  # "the standard deviation is 15" gives a value, not a definition
)


@lru_cache(maxsize=256)
def definition_re(term: str) -> re.Pattern:
    """A sentence that defines `term`: one that opens with it (after at most an article and two
    modifiers: "Rust's closures are anonymous functions …", "A trait defines …", "The WACC (weighted
    average cost of capital) is the …"), or one that names it ("… is called a closure")."""
    words = [re.escape(w) for w in term.split()]
    name = r"[\s\-]+".join(words) + r"(?:e?s)?"
    modifier = (
        r"(?!(?:this|that|these|those|each|every|our|your|my|its|their|his|her|such|another|"
        r"theorem|lemma|corollary|proposition|figure|table|listing|example|exercise|section|chapter)\b)"
        r"(?!(?-i:[A-Z]{2,})\b)[\w’'\-]+\s+"  # nor a label such as "RMRT"
    )
    # "The median of a set of observations is …": what the term is of, in a few words
    of_what = r"(?:\s+(?:of|for)\s+(?:[\w’'\-]+\s+){0,3}?[\w’'\-]+)"
    opening = rf"(?:^|(?<=[.!?:;]\s))(?:(?:an?|the)\s+)?(?:{modifier}){{0,2}}?"
    # after the name: the end of a clause, its abbreviation ("known as quantitative easing (QE)"), or
    # a clause that goes on about it
    named_end = r"(?=\s*(?:[.,;:!?)\"”']|\((?-i:[A-Z]{2,})s?\)|$)|\s+(?:and|or|which|that|in|of|for)\b)"
    # "We call this ...", "we refer to this range as ...", "the name for this is ..."
    this = r"(?:this|these|it|them|that)(?:\s+\w+)?"
    naming = rf"call\s+{this}|refer\s+to\s+{this}\s+as|(?:the\s+)?name\s+for\s+{this}\s+is"
    verb = r"(?:is|are|refers?\s+to|means?|is\s+defined\s+as|are\s+defined\s+as|defines?|describes?|denotes?)"
    # "... is the Consumer Price Index (CPI)": the term named with the abbreviation it introduces.
    introduced = (
        rf"\b(?:is|are)\s+(?:(?:called|known\s+as)\s+)?(?:(?:an?|the)\s+)?{name}\s*\((?-i:[A-Z]{{2,}}s?)\)"
    )
    return re.compile(
        # "Definition 2.1 (Rank)", "Definition ROM Rank …", "Definition EEM Eigenvalues and Eigenvectors"
        rf"\bdefinition\s+(?:[\w.\-]+\s+)?\(?(?:[\w\-]+\s+and\s+)?{name}\b"
        # "we say x is an eigenvector of A if ...", "we say that f is continuous when ..."
        rf"|\bwe\s+say\s+(?:that\s+)?[^\s,;.]+(?:\s+[^\s,;.]+)?\s+(?:is|are)\s+(?:an?\s+|the\s+)?{name}\b"
        rf"|{introduced}"
        rf"|{opening}{name}\b(?:\s*\([^)]{{1,80}}\))?{of_what}?,?\s+{verb}\s+{_NOT_A_DEFINITION}"
        rf"|\b(?:called|known\s+as|termed|referred\s+to\s+as|{naming})\s+(?:an?\s+|the\s+)?[\"“'*_]*"
        rf"{name}\b{named_end}"
        rf"|\bdefine[sd]?\s+(?:an?\s+|the\s+)?{name}\s+(?:as|to\s+be)\s",  # "we can define the p-value as"
        re.I,
    )


def defining_run(term: str, sentences: list[str], skip=lambda sentence: False) -> list[str] | None:
    """The first of `sentences` (a passage's, in order) that defines `term` and is not `skip`ped,
    with the sentence it needs: a short definition or a "Definition ..." heading goes on in the
    next one, "the name for this is X" names what the one before says, and "... known as
    quantitative easing (QE). This is the purchase of ..." says what it is in the next."""
    pattern = definition_re(term)
    for i, sentence in enumerate(sentences):
        found = None if skip(sentence) else pattern.search(sentence)
        if not found:
            continue
        run = [sentence]
        headed = found.group(0).lower().startswith("definition")
        if i > 0 and NAMES_WHAT_CAME_BEFORE.search(found.group(0)):
            run.insert(0, sentences[i - 1])
        elif (headed or len(sentence.split()) < SHORT_DEFINITION_WORDS) and i + 1 < len(sentences):
            run.append(sentences[i + 1])
        elif NAMING.match(found.group(0)) and i + 1 < len(sentences) and GOES_ON.match(sentences[i + 1]):
            # the sentence names the term, the next one says what it is
            run.append(sentences[i + 1])
        return run
    return None
