"""Vague follow-ups ("why?", "what about the second one?") rewritten into self-contained questions
from the session history. Offline: the previous question's subject replaces the pronoun, an
ordinal picks the item of the previous answer's list; with a model, the model rewrites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docprof.ai.text import STOPWORDS, content_terms

# "this section", "the next lecture": the course itself, not something said before
_COURSE_NOUN = r"(?!\s+(?:section|lecture|lesson|course|chapter|part|quiz|video|book|page|week|session)s?\b)"
ANAPHORA = re.compile(
    rf"\b(it|its|this|that|these|those|they|them|their|one|ones|former|latter)\b{_COURSE_NOUN}", re.I
)
# Pronouns that stand for the previous subject (not "that", usually a relative pronoun).
SUBJECT_PRONOUN = re.compile(rf"\b(its|their|it|they|them|this|these|those)\b{_COURSE_NOUN}", re.I)
MAX_PRONOUN_WORDS = 15
ORDINALS = {
    "first": 0,
    "second": 1,
    "third": 2,
    "fourth": 3,
    "fifth": 4,
    "last": -1,
    "1st": 0,
    "2nd": 1,
    "3rd": 2,
}
ORDINAL_RE = re.compile(
    r"\b(" + "|".join(ORDINALS) + r")\b(?:\s+(?:one|item|point|step|kind|type|part))?", re.I
)
LEAD = re.compile(
    r"^\s*(?:(?:what|how|why|when|where|who|which)\s+(?:is|are|was|were|does|do|did|can|could|should|would)"
    r"|(?:what|how|why|when|where|who|which)|(?:is|are|does|do|can|could|should|would)|explain|describe|define)"
    r"\s+(?:the\s+|a\s+|an\s+)?",
    re.I,
)
BARE_WH = re.compile(
    r"^\s*(why|how|how so|really|what else|and then|example|for example|such as)\s*\??\s*$", re.I
)
MAX_VAGUE_WORDS = 9


@dataclass
class Turn:
    question: str  # as asked
    answer: str
    rewritten: str | None = None
    kind: str = ""  # meta | lecture | library | not_found ("" when unknown)

    @property
    def resolved(self) -> str:
        return self.rewritten or self.question


def is_vague(question: str) -> bool:
    """A follow-up that cannot be understood on its own."""
    words = question.split()
    if BARE_WH.match(question):
        return True
    if len(words) > MAX_VAGUE_WORDS:
        return False
    own_terms = [
        t for t in content_terms(ANAPHORA.sub(" ", ORDINAL_RE.sub(" ", question))) if t not in STOPWORDS
    ]
    referring = bool(
        ANAPHORA.search(question) or ORDINAL_RE.search(question) or question.lower().startswith("and ")
    )
    return referring and len(own_terms) <= 2


def subject_of(question: str) -> str:
    """ "What is the Gordon growth model?" -> "the Gordon growth model"."""
    q = question.strip().rstrip("?.! ")
    m = LEAD.match(q)
    rest = q[m.end() :] if m else q
    article = ""
    if m and re.search(r"\b(the|a|an)\s+$", m.group(0), re.I):
        article = m.group(0).split()[-1].lower() + " "
    return (article + rest).strip() or q


def list_items(answer: str) -> list[str]:
    """Items of an enumeration in an answer: numbered, bulleted, or 'a, b and c'."""
    lines = [re.sub(r"^\s*(?:\d+[.)]|[-*\u2022])\s+", "", ln).strip() for ln in answer.splitlines()]
    numbered = [
        ln
        for ln, raw in zip(lines, answer.splitlines(), strict=True)
        if re.match(r"^\s*(\d+[.)]|[-*\u2022])\s", raw)
    ]
    if len(numbered) >= 2:
        return numbered
    inline = re.findall(r"\(\d\)\s*([^;(]+)", answer)
    if len(inline) >= 2:
        return [i.strip(" ,.") for i in inline]
    m = re.search(r"(?:are|include|includes|:)\s+([^.]+?,[^.]+?\band\b[^.]+)", answer)
    if m:
        return [p.strip(" .") for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1)) if p.strip()]
    return []


def topic_turn(history: list[Turn]) -> Turn:
    """The turn that set the topic a follow-up refers to: the latest question about the material
    (not one about the course: "What comes next?") that stood on its own, so that "why is it
    useful?" after "What is a p value?" leaves the subject "a p value" for the next follow-up."""
    about_material = [t for t in history if t.kind != "meta"] or list(history)
    for turn in reversed(about_material):
        if not turn.rewritten:
            return turn
    return about_material[-1]


def _names_subject(question: str, subject: str) -> bool:
    return bool(set(content_terms(question)) & set(content_terms(subject)))


def rewrite_offline(question: str, history: list[Turn]) -> str | None:
    """A self-contained version of a vague follow-up, or None when the question stands alone."""
    if not history:
        return None
    previous = history[-1]
    subject = subject_of(topic_turn(history).resolved)
    q = question.strip()
    pronoun = SUBJECT_PRONOUN.search(q)
    if not is_vague(q):
        if pronoun and len(q.split()) <= MAX_PRONOUN_WORDS and not _names_subject(q, subject):
            return _substitute(q, pronoun, subject)
        return None
    ordinal = ORDINAL_RE.search(q)
    if ordinal:
        items = list_items(previous.answer)
        index = ORDINALS[ordinal.group(1).lower()]
        if items and -len(items) <= index < len(items):
            return f"{ORDINAL_RE.sub(items[index], q, count=1).rstrip('?')} (in {subject})?"
        return f"{q.rstrip('?')} (about {subject})?"
    bare = BARE_WH.match(q)
    if bare:
        word = bare.group(1).lower()
        if word in ("why", "how", "how so"):
            if re.match(
                r"^\s*(is|are|does|do|did|can|could|should|would|was|were)\b", previous.resolved, re.I
            ):
                return f"{word.split()[0].capitalize()} {_as_clause(previous.resolved)}?"
            verb = "matter" if word == "why" else "work"
            return f"{word.split()[0].capitalize()} does {subject} {verb}?"
        return f"{q.rstrip('?')} of {subject}?"
    if pronoun:
        return _substitute(q, pronoun, subject)
    return f"{q.rstrip('?')} (about {subject})?"


def _substitute(question: str, pronoun: re.Match, subject: str) -> str:
    possessive = pronoun.group(1).lower() in ("its", "their")
    return question[: pronoun.start()] + subject + ("'s" if possessive else "") + question[pronoun.end() :]


def _as_clause(question: str) -> str:
    """ "Does free cash flow exclude interest?" -> "does free cash flow exclude interest"."""
    q = question.strip().rstrip("?.! ")
    m = re.match(r"^(?:what|how|why|when|where|who|which)\s+", q, re.I)
    q = q[m.end() :] if m else q
    return q[:1].lower() + q[1:]
