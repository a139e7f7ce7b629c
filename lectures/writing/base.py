"""What every lecture writer receives and returns (plain JSON-able dicts, checkpointed by the job).

A segment (one per objective, written concurrently with a model)::

    {"index": 0, "objective": "...", "text": "Markdown with [1] [2]",
     "citations": [{"n": 1, "chunk_id": 12, "quote": "verbatim words"}],
     "quiz": [{"kind": "multiple_choice" | "short_answer", "question": "...", "choices": [...] | None,
               "answer": "...", "explanation": "...", "chunk_id": 12, "quote": "..."}]}

Citation numbers are local to a segment; `compose` numbers them across the lecture.
The finishing pass returns {"introduction": str, "recap": str, "segments": [str, ...]} where the
texts use the lecture-wide numbers of the composed draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from courses.planning.titles import without_parameters
from docprof.ai.text import (
    CODE_DENSITY,
    SHELL_PROMPT_RE,
    STOPWORDS,
    UNCUT_END_RE,
    code_marks_per_word,
    content_terms,
    cut_by_edge,
    split_sentences,
)

CITE_RE = re.compile(r"\[(\d{1,3})\]")
INTRO_SHARE = 0.06  # of the lecture's words, for the introduction
RECAP_SHARE = 0.06


class LectureWritingError(Exception):
    """A lecture that cannot be written (too little material, a model that will not cite)."""


@dataclass
class Brief:
    """The lecture to write: objectives, style, the passages planned for each objective."""

    title: str
    objectives: list[str]
    style: str
    depth: str
    pace_wpm: int
    target_words: int
    plan: list[list[int]]
    reserve: list[int]
    passages: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def from_state(cls, inputs: dict, passages: dict) -> Brief:
        passages = {int(k): v for k, v in passages.items()}
        return cls(
            title=inputs["title"],
            objectives=inputs["objectives"],
            style=inputs["style"],
            depth=inputs["depth"],
            pace_wpm=inputs["pace_wpm"],
            target_words=max(1, round(inputs["minutes"] * inputs["pace_wpm"])),
            plan=[[i for i in ids if int(i) in passages] for ids in inputs["plan"]],
            reserve=[i for i in inputs["reserve"] if int(i) in passages],
            passages=passages,
        )

    def segment_target(self, index: int) -> int:
        body = self.target_words * (1 - INTRO_SHARE - RECAP_SHARE)
        return max(40, round(body / len(self.objectives)))

    def intro_target(self) -> int:
        return max(30, round(self.target_words * INTRO_SHARE))

    def recap_target(self) -> int:
        return max(30, round(self.target_words * RECAP_SHARE))

    def source_label(self, chunk_id: int) -> str:
        p = self.passages[int(chunk_id)]
        pages = ""
        if p.get("page_start"):
            end = p.get("page_end")
            pages = (
                f", p. {p['page_start']}"
                if not end or end == p["page_start"]
                else f", pp. {p['page_start']}–{end}"
            )
        return f"*{p['book_title']}* ({without_parameters(p['chapter'])}{pages})"


def count_words(text: str) -> int:
    """Words a listener hears: citation markers and Markdown symbols are not words."""
    cleaned = CITE_RE.sub(" ", text or "")
    return sum(1 for token in cleaned.split() if any(ch.isalnum() for ch in token))


@lru_cache(maxsize=4096)
def quotable_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a passage worth quoting (whole sentences, not headings or list debris, nor the
    pieces of a sentence the passage's edges cut: it may open mid-sentence and stop mid-sentence)."""
    out = []
    sentences = split_sentences(text)
    for i, sentence in enumerate(sentences):
        s = sentence.strip()
        if s.startswith("#") or "|" in s:
            continue
        if CITE_RE.search(s):
            continue  # "... is taken as ARGV[0]": read back as a citation marker, it would cite nothing
        if cut_by_edge(sentences, i):
            continue  # "possesses unique features that ..." / "... represented and manipulated as"
        words = s.split()
        if not 7 <= len(words) <= 70 or sum(1 for w in words if w.isalpha() and len(w) > 2) < 5:
            continue  # too short, too long, or mostly figures and symbols
        if code_marks_per_word(s) > CODE_DENSITY or SHELL_PROMPT_RE.search(s):
            continue  # code, or console output run into the prose: nothing to read aloud or quiz on
        if proof_step(s) or EXERCISE_RE.match(s) or heading_line(s) or FUSED_HEADING_RE.match(s):
            continue
        if formula_line(s) or display_lost(s) or not_the_texts_sentence(s) or LEAD_IN_END_RE.search(s):
            continue
        if not UNCUT_END_RE.search(s) and any(
            0 <= j < len(sentences) and sentences[j].strip() == s for j in (i - 1, i + 1)
        ):
            continue  # a figure's text and its caption: the same words twice, with no sentence end
            continue  # symbols to read, not sentences; or the lead into a display the text lost
        out.append(s)
    return tuple(out)


# A sentence that only leads into what follows it (an example or a list the passage sets apart: "...
# separating them with a comma, e.g.", "... you can specify:"): quoted alone, it stops short.
LEAD_IN_END_RE = re.compile(r"(?:\b[eE]\.g\.|\b[iI]\.e\.|:)[\"'”’)]*$")


# A heading run into the sentence after it on one line ("Budget Deficits and Trade Deficits In the
# 1980s, ..."): title-case words, then a sentence opening with a capitalised function word. A
# labelled block ("Definition LICV ... The set of ...") is left to the definition patterns.
FUSED_HEADING_RE = re.compile(
    r"^(?!(?:Definition|Theorem|Lemma|Corollary|Proposition|Example)\b)"
    r"[A-Z][\w'’\-]*(?:\s+(?:[A-Z0-9][\w'’\-]*|and|or|of|the|in|on|for|to|with))+?"
    r"\s+(?:In|The|We|This|These|It|Our|Here|There|When|If|As|For)\s+[a-z]"
)
SECTION_NUMBER_RE = re.compile(r"^(?:\d+(?:\.\d+)*|[IVXL]+\.|[A-Z]\.\d*)\s")
TITLE_CASE_SHARE = 0.6


def heading_line(sentence: str) -> bool:
    """A heading that stands as a line of its own ("2.1 From Future Value to Present Value", "The
    Discount Rate Is Not Arbitrary"): no sentence end, and numbered or written in title case."""
    if UNCUT_END_RE.search(sentence):
        return False
    if SECTION_NUMBER_RE.match(sentence):
        return True
    words = [w for w in re.findall(r"[A-Za-z][\w'\-]*", sentence) if w.lower() not in STOPWORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= TITLE_CASE_SHARE * len(words)


# A step of a proof or a derivation: it opens like one and works on symbols ("Let m be the largest
# integer such that am = 0.", "Then a0x = 0 and by Theorem SMEZV, either a0 = 0 or x = 0"). Read
# aloud out of its proof it teaches nothing; a definition that opens the same way ("Then we say x is
# an eigenvector of A ...") is kept.
PROOF_OPENING_RE = re.compile(
    r"^(?:\([⇐⇒]\)\s*)?(?:let|then|thus|hence|so|now|since|therefore|next|similarly|from\s+the\s+preceding|notice\s+that|"
    r"by\s+(?:theorem|definition|lemma|property|proposition|corollary|induction)|"
    # a hypothesis or a step taken inside a proof: "Suppose that A is a square matrix of size n.", "We
    # can also assume that am = 1, ...", "From this discussion we know that m ≥ 1.", "Define the
    # vector z by z = ..."
    r"suppose|assume|from\s+this|we\s+(?:can|may|will|now)\s+(?:also\s+)?(?:assume|conclude)|"
    r"we\s+know\s+that|define\s+(?:the|a|an)\s+[\w\-]+\s+\w+\s+by|(?:first|second|finally),\s+(?:check|suppose))\b",
    re.I,
)
DEFINES_RE = re.compile(r"\b(?:we\s+say|we\s+call|is\s+called|are\s+called|is\s+defined|we\s+define)\b", re.I)
SYMBOL_RE = re.compile(r"(?<![\w'’])(?:[b-zB-HJ-Z]|[A-Za-z]{1,2}\d+\w*|[=≠≤≥<>±·×∈⊆])(?![\w'’])")
PROOF_SYMBOLS = 2
# An exercise, numbered and set as a task: "C19† Find the eigenvalues ...", "Exercise 2.4: Show that ..."
EXERCISE_LABEL = r"[A-Z]{1,3}\d+\W*\s+"
TASK_VERBS = (
    "find|compute|calculate|show|prove|determine|verify|write|use|give|list|solve|evaluate|sketch|"
    "construct|suppose|consider"
)
EXERCISE_RE = re.compile(
    rf"^(?:(?:{EXERCISE_LABEL}|(?i:exercise|problem)\s+[\w.]+\W*\s+)(?i:{TASK_VERBS}|explain|describe)\b"
    rf"|(?i:exercise|problem)\s+[\w.]*\d[\w.]*\s*:\s)"  # "Exercise 5.4: Specify ...": whatever it asks
)


def proof_step(sentence: str) -> bool:
    return (
        bool(PROOF_OPENING_RE.match(sentence))
        and not DEFINES_RE.search(sentence)
        and len(SYMBOL_RE.findall(ABBREVIATION_RE.sub(" ", sentence))) >= PROOF_SYMBOLS
    )


@lru_cache(maxsize=20_000)
def sentence_terms(sentence: str) -> frozenset[str]:
    return frozenset(content_terms(sentence))


def relevance(sentence: str, terms: set[str]) -> int:
    return len(terms & sentence_terms(sentence))


FORMULA_SHARE = 0.25
FORMULA_OPERATORS = 3
GREEK_RE = re.compile(r"(?<![\w'’])[α-ωΑ-Ω](?![\w'’])")
OPERATOR_RE = re.compile(r"[=≠≤≥<>±·×∈⊆⇐⇒→]")
RELATION_RE = re.compile(r"[=≠≤≥∈⊆⇐⇒⇔]")  # not < and >, which also bracket code ("Ref<T>")
ABBREVIATION_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # "U.S.", "e.g.": letters, not symbols
DISPLAY_TAIL_RE = re.compile(r"^(?:[=≠≤≥<>±·×∈⊆⇐⇒→−+]|[−\-]?\d+(?:\s+[−\-]?\d+)+\s)")
DISPLAY_LEAD_RE = re.compile(r"(?:[=:,]|\b(?:matrix|vector|by|is|are|as|the|an?))\s*$", re.I)


def formula_line(sentence: str) -> bool:
    """A line of symbols rather than words ("⇐⇒ there exists x ≠ 0 so that Ax = λx ...", "set x3 = 1
    and x4 = x5 = 0"): a quarter of its words or more are symbols (four at least), with an operator."""
    if DEFINES_RE.search(sentence) or not OPERATOR_RE.search(sentence):
        return False
    text = ABBREVIATION_RE.sub(" ", sentence)
    symbols = len(SYMBOL_RE.findall(text)) + len(GREEK_RE.findall(text))
    if len(RELATION_RE.findall(text)) >= FORMULA_OPERATORS:
        return True  # "Ax = λx ⇐⇒ Ax − λInx = 0 ⇐⇒ (A − λIn)x = 0 So, ...": a chain of equations
    return symbols >= 4 and symbols >= FORMULA_SHARE * len(sentence.split())


def display_lost(sentence: str) -> bool:
    """A sentence that leads into a display the text lost ("Consider the matrix A, and choose the
    vector x, A =", "... then says that 0 = 16x + 12Ax − 8A"): it stops, with no sentence end, on a
    word that needs it or inside a formula."""
    s = sentence.strip()
    if DISPLAY_TAIL_RE.match(s):
        return True  # "= pAt (x) Definition CP So ...", "1 1 0 1 is shown to ...": what a display left
    if UNCUT_END_RE.search(s):
        return False
    last = s.split()[-1]
    return bool(DISPLAY_LEAD_RE.search(s) or RELATION_RE.search(s) or SYMBOL_RE.fullmatch(last))


# Not a sentence of the text's own: a figure's caption ("(#fig:ttest)Graphical illustration of ...",
# "Figure 3.2: The demand curve ..."), a caption run twice into the sentence before it (an image's
# alternative text, then its caption: "... like this: All the reachable objects All the reachable
# objects"), a comment of a listing (";; Set up for the recursive call", "// retrieves the branch"),
# a review question ("Explain why the short-run aggregate supply curve might be vertical ..."), a
# contents line (LEADERS_RE), a pointer at a display the quote cannot show (POINTS_AT_DISPLAY_RE), a
# field list (FIELD_LIST_RE) or a display flattened into its sentence (DISPLAY_INTRO_RE).
CAPTION_LINE_RE = re.compile(
    r"^(?:\(#(?:fig|tab):[^)]*\)|(?:Figure|Fig\.|Table|Listing|Exhibit)\s+\d+(?:[.\-–]\d+)*\s*[:.]\s)"
)
REPEATED_TAIL_RE = re.compile(r"(\b[A-Z][\w'’\-]*(?:\s+[\w'’\-]+){3,})\s+\1\W*$")
COMMENT_LINE_RE = re.compile(r"^(?:;;|//|--\s|/\*)")
# A sentence whose point is the display after it, which the quote cannot show ("... you get something
# like this:", "To run Clippy's lints on any Cargo project, enter the following:").
POINTS_AT_DISPLAY_RE = re.compile(
    r"\b(?:(?:like|run|type|do|try|see|get)\s+(?:this|these|so)|the\s+following(?:\s+[\w\-]+){0,2}|"
    r"as\s+follows|below|something\s+like(?:\s+this)?)\s*:$",
    re.I,
)
LEADERS_RE = re.compile(r"(?:\.\s*){5,}")  # a contents line's dot leaders: "4.2.1 Normal Order . . . . . ."
REVIEW_QUESTION_RE = re.compile(
    r"^(?:Explain|Describe|Discuss|Justify|Suggest|(?:Prove|Show)\s+that|Give\s+(?:the|an?|some|two|three))\b"
)


# A reference manual's field list run into a sentence ("Option groups: FD,SOCKET,EXEC Useful options:
# path, fdin, fdout, chroot See also: SYSTEM"): a label, then four names or more joined by commas.
FIELD_LIST_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+[a-z]+)?:\s+[\w\-]+(?:,\s*[\w\-]+){3,}")
# Names packed with commas and no spaces ("FD,SOCKET,IP4"; not a number: "1,000,000").
PACKED_LIST_RE = re.compile(r"\b[A-Za-z][\w\-]+(?:,[A-Za-z][\w\-]+){2,}\b")
# A display (a listing, a rule, a command) flattened into the sentence that introduced it: "Use it
# like in the following example: rule cc depfile = $out.d command = gcc -MD ...", "For example:
# default foo bar default baz This causes ..." -- what follows the colon is code, not words to read.
DISPLAY_INTRO_RE = re.compile(
    r"\b(?:(?:for\s+)?example|the\s+following(?:\s+[\w\-]+){0,2}|as\s+follows|like\s+this|e\.g\.)\s*:\s+(?P<tail>.+)$",
    re.I | re.S,  # the display's lines
)
FLATTENED_CODE_RE = re.compile(r"(?:^|\s)(?:[=$]|\$\w|-{1,2}[A-Za-z][\w\-]*)")


FIELD_LABEL_RE = re.compile(r"\b[A-Z][a-z]+(?:\s+[a-z]+)?:\s")


def field_list(sentence: str) -> bool:
    """Names packed with commas ("FD,SOCKET,IP4"), or a list of names under one of two labels or more."""
    if PACKED_LIST_RE.search(sentence):
        return True
    return bool(FIELD_LIST_RE.search(sentence)) and len(FIELD_LABEL_RE.findall(sentence)) >= 2


def display_flattened(sentence: str) -> bool:
    """The sentence runs on past a colon into the display it introduced (code marks follow it)."""
    m = DISPLAY_INTRO_RE.search(sentence)
    if not m:
        return False
    # a lost sentence end after the display: "... default baz This causes Ninja to ..."
    lost_end = re.search(r"[a-z0-9]\s+(?:This|The|It|These|That|Then|Now|Here)\s+[a-z]", m["tail"])
    return bool(lost_end) or len(FLATTENED_CODE_RE.findall(m["tail"])) >= 2


# An API reference's type annotation run into a sentence ("Returns the listeners. type {string}",
# "Type: {boolean} Always returns false."): a signature's field, not words to read aloud.
JSDOC_TYPES = (
    r"string|number|boolean|integer|bigint|symbol|any|null|undefined|object|function|array|buffer|"
    r"promise|error|typedarray|dataview|arraybuffer|url|date|iterable|asynciterable"
)
TYPE_ANNOTATION_RE = re.compile(
    rf"(?<![\w$])\{{(?:(?i:{JSDOC_TYPES})|[A-Z][a-z]\w+|[a-z]+\.[A-Z]\w*)(?:[.<>\[\]|]+[\w.]*)*\}}"
)  # also a class: {Stream}, {net.Socket}


def not_the_texts_sentence(sentence: str) -> bool:
    return bool(
        field_list(sentence)
        or TYPE_ANNOTATION_RE.search(sentence)
        or display_flattened(sentence)
        or CAPTION_LINE_RE.match(sentence)
        or REPEATED_TAIL_RE.search(sentence)
        or COMMENT_LINE_RE.match(sentence)
        or REVIEW_QUESTION_RE.match(sentence)
        or LEADERS_RE.search(sentence)
        or (POINTS_AT_DISPLAY_RE.search(sentence) and not DEFINES_RE.search(sentence))
    )
