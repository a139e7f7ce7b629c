"""The offline writer: a lecture from the passages themselves, no model.

For each objective it takes the planned passages (most relevant first), picks the sentences that
speak to the objective (more of them at greater depth), and frames them in the chosen style --
"The first idea comes from …", "In the book's words: “…” [1]", "Notice that …" -- each quote a
verbatim sentence with its citation. The introduction says what the section covers and why; the
recap restates one cited key sentence per objective. Quiz questions come from the cited sentences
(see quiz.py). Deterministic: the same brief gives the same lecture.
"""

from __future__ import annotations

import re

from docprof.ai.text import STOPWORDS, content_terms, stem
from lectures.writing import quiz
from lectures.writing.base import Brief, count_words, quotable_sentences, relevance

VERSION = "offline-1"
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
SENTENCES_PER_PASSAGE = {"overview": 2, "standard": 3, "deep": 4}

FRAMES = {
    "lecture": {
        "open": "This part of the lecture sets out to {objective}.",
        "first": "The {ordinal} idea comes from {src}.",
        "quote": "In the book's words: “{q}” [{n}]",
        "more": ["The text goes on: “{q}” [{n}]", "It adds: “{q}” [{n}]", "And further: “{q}” [{n}]"],
        "notice": [
            "Notice that {terms} carry this passage.",
            "Notice how {terms} work together here.",
            "Keep {terms} in mind: the rest of the section builds on them.",
        ],
        "again": "Returning to {src}, one more point matters.",
    },
    "conversational": {
        "open": "Let's work out how to {objective}.",
        "first": "Here's the {ordinal} thing to look at, from {src}.",
        "quote": "Here's how the book puts it: “{q}” [{n}]",
        "more": ["Then it says: “{q}” [{n}]", "And also: “{q}” [{n}]", "It keeps going: “{q}” [{n}]"],
        "notice": [
            "See how {terms} keep coming up? That's the heart of it.",
            "So the words to hold on to are {terms}.",
        ],
        "again": "Let's go back to {src} for one more point.",
    },
    "socratic": {
        "open": "What would you need to know to {objective}?",
        "first": "Ask yourself what {src} says here -- this is the {ordinal} clue.",
        "quote": "The book answers: “{q}” [{n}]",
        "more": ["Why would that be? The text continues: “{q}” [{n}]", "What follows? “{q}” [{n}]"],
        "notice": [
            "What do {terms} have to do with each other? Notice that the passage ties them together.",
            "Could you explain {terms} in your own words now?",
        ],
        "again": "What else does {src} tell us?",
    },
    "podcast": {
        "open": "In this segment we dig into how to {objective}.",
        "first": "Our {ordinal} stop is {src}.",
        "quote": "Quoting the book directly: “{q}” [{n}]",
        "more": ["It goes on: “{q}” [{n}]", "And here's the next line: “{q}” [{n}]"],
        "notice": [
            "Notice that {terms} are the words to remember here.",
            "If you take one thing from this stop, make it {terms}.",
        ],
        "again": "Back to {src} for a moment.",
    },
}

_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{3,}")


def lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def key_terms(sentence: str, objective_terms: set[str], limit: int = 2) -> list[str]:
    """Distinct words of the sentence that matter: those of the objective first, then the longest."""
    words, stems = [], set()
    for w in _WORD.findall(sentence):
        low = w.lower()
        if low in STOPWORDS or stem(low) in stems:
            continue
        stems.add(stem(low))
        words.append(w)
    words.sort(key=lambda w: (stem(w.lower()) not in objective_terms, -len(w)))
    return words[:limit]


def _terms_phrase(terms: list[str]) -> str:
    quoted = [f"“{t.lower()}”" for t in terms]
    return " and ".join(quoted) if len(quoted) > 1 else (quoted[0] if quoted else "these words")


class Paragraphs:
    """Accumulates framed paragraphs and their (local) citations."""

    def __init__(self, style: str, start: int = 1):
        self.frames = FRAMES.get(style, FRAMES["lecture"])
        self.parts: list[str] = []
        self.citations: list[dict] = []
        self.n = start
        self.words = 0

    def cite(self, chunk_id: int, quote: str) -> int:
        number = self.n
        self.citations.append({"n": number, "chunk_id": int(chunk_id), "quote": quote})
        self.n += 1
        return number

    def passage(self, lead: str, chunk_id: int, sentences: list[str], terms: set[str]) -> str:
        lines = [lead]
        for j, sentence in enumerate(sentences):
            template = (
                self.frames["quote"] if j == 0 else self.frames["more"][(j - 1) % len(self.frames["more"])]
            )
            lines.append(template.format(q=sentence, n=self.cite(chunk_id, sentence)))
        notice = self.frames["notice"][len(self.parts) % len(self.frames["notice"])]
        lines.append(notice.format(terms=_terms_phrase(key_terms(" ".join(sentences), terms))))
        paragraph = " ".join(lines)
        self.parts.append(paragraph)
        self.words += count_words(paragraph)
        return paragraph

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def pick_sentences(
    text: str, terms: set[str], limit: int, taken: set[str], others: list[set[str]] = (), relevant_only=False
) -> list[str]:
    """The `limit` most relevant unused sentences, in the passage's own order. A sentence that speaks
    more to another objective (`others`) is left to that objective's segment."""
    candidates = []
    for i, s in enumerate(quotable_sentences(text)):
        if s in taken:
            continue
        score = relevance(s, terms)
        if relevant_only and not score:
            continue
        if any(relevance(s, o) > score for o in others):
            continue
        candidates.append((i, s, score))
    best = sorted(candidates, key=lambda p: (-p[2], p[0]))[:limit]
    return [s for _, s, _ in sorted(best)]


def objective_terms(brief: Brief, index: int) -> tuple[set[str], list[set[str]]]:
    terms = [set(content_terms(o)) for o in brief.objectives]
    return terms[index], terms[:index] + terms[index + 1 :]


class OfflineWriter:
    kind = "offline"
    version = VERSION

    def spec(self) -> dict:
        return {"kind": self.kind, "version": self.version, "model": "", "prompts": ""}

    # -- one objective --------------------------------------------------------------------------
    def write_segment(self, brief: Brief, index: int, job_id=None) -> dict:
        """Objective `index`'s segment. Earlier objectives' segments are recomputed (cheap and
        deterministic) so that no sentence is quoted twice across the lecture."""
        taken: set[str] = set()
        for earlier in range(index):
            taken.update(c["quote"] for c in self._segment(brief, earlier, frozenset(taken))["citations"])
        segment = self._segment(brief, index, frozenset(taken))
        return {**segment, "quiz": quiz.candidates(segment["objective"], segment["citations"], brief)}

    def _segment(self, brief: Brief, index: int, taken: frozenset[str]) -> dict:
        memo = brief.__dict__.setdefault("_offline_segments", {})
        if (index, taken) not in memo:
            memo[(index, taken)] = self._write(brief, index, set(taken))
        return memo[(index, taken)]

    def _write(self, brief: Brief, index: int, taken: set[str]) -> dict:
        objective = brief.objectives[index]
        terms, others = objective_terms(brief, index)
        target = brief.segment_target(index)
        per = SENTENCES_PER_PASSAGE.get(brief.depth, 3)
        out = Paragraphs(brief.style)
        out.parts.append(out.frames["open"].format(objective=lower_first(objective)))
        out.words = count_words(out.parts[0])
        ids = brief.plan[index]
        for round_ in range(3):  # later rounds quote further sentences of the same passages
            for chunk_id in ids:
                if out.words >= target:
                    break
                text = brief.passages[int(chunk_id)]["text"]
                sentences = pick_sentences(text, terms, per, taken, others, relevant_only=round_ == 0)
                if not sentences:
                    continue
                taken.update(sentences)
                src = brief.source_label(chunk_id)
                ordinal = len(out.parts) - 1
                if round_ == 0:
                    lead = out.frames["first"].format(ordinal=ORDINALS[ordinal % len(ORDINALS)], src=src)
                else:
                    lead = out.frames["again"].format(src=src)
                out.passage(lead, chunk_id, sentences, terms)
        return {"index": index, "objective": objective, "text": out.text, "citations": out.citations}

    # -- introduction, recap, transitions ---------------------------------------------------------
    def finish(self, brief: Brief, draft: dict, job_id=None) -> dict:
        """Introduction and recap around the composed draft (lecture-wide citation numbers)."""
        objectives = brief.objectives
        listing = "; ".join(f"({i + 1}) {lower_first(o)}" for i, o in enumerate(objectives))
        books = sorted({brief.passages[int(c["chunk_id"])]["book_title"] for c in draft["citations"]})
        intro = [
            f"This section, *{brief.title}*, has {len(objectives)} "
            f"objective{'s' if len(objectives) != 1 else ''}: {listing}.",
            f"It draws on {', '.join(f'*{b}*' for b in books)}." if books else "",
        ]
        first = draft["citations"][0] if draft["citations"] else None
        if first:
            intro.append(f"Why it matters: “{first['quote']}” [{first['n']}]")
        recap = ["Let us recap."]
        for i, segment in enumerate(draft["segments"]):
            cited = [c for c in draft["citations"] if c["n"] in segment.get("numbers", [])]
            if cited:
                best = max(cited, key=lambda c: relevance(c["quote"], set(content_terms(objectives[i]))))
                recap.append(f"To {lower_first(objectives[i])}, remember: “{best['quote']}” [{best['n']}]")
        return {
            "introduction": " ".join(x for x in intro if x),
            "recap": " ".join(recap) if len(recap) > 1 else "",
            "segments": [s["text"] for s in draft["segments"]],
        }


def extension(brief: Brief, index: int, used: set[tuple[int, str]], need: int, start: int) -> dict:
    """More framed material for segment `index` (unused sentences of its passages, then the
    reserve): {"text", "citations"} with numbers from `start`; used by both writers' length contract."""
    terms, others = objective_terms(brief, index)
    out = Paragraphs(brief.style, start=start)
    taken = {q for _, q in used}
    pool = list(brief.plan[index]) + [i for i in brief.reserve if i not in brief.plan[index]]
    for chunk_id in pool:
        if out.words >= need:
            break
        sentences = pick_sentences(brief.passages[int(chunk_id)]["text"], terms, 2, taken, others)
        if not sentences:
            continue
        taken.update(sentences)
        out.passage(out.frames["again"].format(src=brief.source_label(chunk_id)), chunk_id, sentences, terms)
    return {"text": out.text, "citations": out.citations}
