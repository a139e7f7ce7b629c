"""The offline writer: a lecture from the passages themselves, no model.

For each objective it takes the planned passages (most relevant first) and picks the sentences that
speak to the objective (more of them at greater depth). A chosen sentence that leans on the one
before it ("This type …", "However, …") brings that sentence along, and neighbouring sentences are
quoted together, so each quote reads as the book wrote it. The chosen passages are then presented
in the book's own order, each introduced by where it comes from (its heading and pages) and framed
in the chosen style -- "In the book's words: “…” [1]" -- each quote verbatim with its citation.
The introduction says what the section covers; the recap restates one cited key sentence per
objective. Quiz questions come from the cited sentences (see quiz.py). Deterministic: the same
brief gives the same lecture.
"""

from __future__ import annotations

import re
from collections import Counter

from courses.planning.titles import without_parameters
from docprof.ai.definitions import defining_run
from docprof.ai.rarity import rarity
from docprof.ai.text import STOPWORDS, content_terms, split_sentences, stem
from lectures.rendering import pages
from lectures.writing import quiz
from lectures.writing.base import (
    EXERCISE_LABEL,
    TASK_VERBS,
    Brief,
    count_words,
    display_lost,
    formula_line,
    not_the_texts_sentence,
    quotable_sentences,
    relevance,
)
from library.quotes import clean_quote, quote_in

VERSION = "offline-7"
SENTENCES_PER_PASSAGE = {"overview": 2, "standard": 3, "deep": 4}
FRAME_WORDS = 12  # words a passage's lead and framing add, when estimating a segment's length

FRAMES = {
    "lecture": {
        "open": "This part of the lecture sets out to {objective}.",
        "definition": "First, what it is. {src} puts it this way: “{q}” [{n}]",
        "first": "We begin with {src}.",
        "next": ["Next comes {src}.", "Then {src} takes it further.", "Now turn to {src}."],
        "quote": "In the book's words: “{q}” [{n}]",
        "more": ["A little further on: “{q}” [{n}]", "It continues: “{q}” [{n}]"],
        "same": "Reading on ({pages}): “{q}” [{n}]",
        "terms": "The words to carry forward from this part: {terms}.",
    },
    "conversational": {
        "open": "Let's work out how to {objective}.",
        "definition": "Here's the short version, from {src}: “{q}” [{n}]",
        "first": "Let's start with {src}.",
        "next": ["Now let's look at {src}.", "Here's where {src} comes in.", "Let's move on to {src}."],
        "quote": "Here's how the book puts it: “{q}” [{n}]",
        "more": ["And a bit later: “{q}” [{n}]", "Then it says: “{q}” [{n}]"],
        "same": "Reading on ({pages}), it says: “{q}” [{n}]",
        "terms": "So the words to hold on to are {terms}.",
    },
    "socratic": {
        "open": "What would you need to know to {objective}?",
        "definition": "What is it, exactly? {src} says: “{q}” [{n}]",
        "first": "Where would you look first? Try {src}.",
        "next": ["What does {src} add?", "And what does {src} tell us?", "What changes in {src}?"],
        "quote": "The book answers: “{q}” [{n}]",
        "more": ["Why would that be? The text continues: “{q}” [{n}]", "What follows? “{q}” [{n}]"],
        "same": "And what comes next ({pages})? “{q}” [{n}]",
        "terms": "Could you now explain {terms} in your own words?",
    },
    "podcast": {
        "open": "In this segment we dig into how to {objective}.",
        "definition": "The one-line version, from {src}: “{q}” [{n}]",
        "first": "Our first stop is {src}.",
        "next": ["Our next stop is {src}.", "From there we head to {src}.", "Next up: {src}."],
        "quote": "Quoting the book directly: “{q}” [{n}]",
        "more": ["It goes on: “{q}” [{n}]", "And a little later: “{q}” [{n}]"],
        "same": "Staying with that part of the book ({pages}): “{q}” [{n}]",
        "terms": "If you take one thing from this segment, make it {terms}.",
    },
}

_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{3,}")
# A sentence opening with one of these leans on the sentence before it.
_LEANS_ON_PREVIOUS = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|them|such|here|there|he|she|his|her|"
    r"however|but|so|thus|hence|therefore|also|instead|similarly|likewise|otherwise|yet|then|"
    r"moreover|furthermore|consequently|accordingly|nevertheless|nonetheless|still|"
    r"in (?:this|that|these|those|other|contrast|addition|particular|turn)|by (?:the same token|contrast)|"
    r"for (?:example|instance|this reason)|on the other hand|as a result|at the same time|"
    r"the (?:latter|former|same|other))\b",
    re.I,
)
MAX_RUN_WORDS = 140


def lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


NUMBER_WORD_RE = re.compile(
    r"^(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)(?:-\w+)?$",
    re.I,
)


def key_terms(sentence: str, objective_terms: set[str], limit: int = 3) -> list[str]:
    """Distinct words of the sentence that matter: those of the objective first, then words the
    quoted text repeats (its topic, not the one sentence's "spreadsheet"), the rarest in general
    English first (a topic word, not "expressed" or "twenty-four"), then the longest."""
    words, stems, uses = [], set(), Counter()
    for w in _WORD.findall(sentence):
        low = w.lower()
        if low in STOPWORDS or NUMBER_WORD_RE.match(low):
            continue
        uses[stem(low)] += 1
        if stem(low) not in stems:
            stems.add(stem(low))
            words.append(w)

    def order(w: str):
        lexeme = stem(w.lower())
        verb_form = w.lower().endswith(("ed", "ly"))  # "expressed", "usually"
        return (
            lexeme not in objective_terms,
            verb_form,
            uses[lexeme] < 2,
            -round(rarity(lexeme), 1),
            -len(w),
        )

    words.sort(key=order)
    return words[:limit]


def _terms_phrase(terms: list[str]) -> str:
    # a capitalised word is lowered ("Demand"); a name with inner capitals or an acronym keeps its
    # case ("EventTarget", "GDP", not "eventtarget", "gdp")
    quoted = [f"“{t.lower() if t[1:] == t[1:].lower() else t}”" for t in terms]
    if len(quoted) > 1:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return quoted[0] if quoted else "these words"


def source_label(brief: Brief, chunk_id: int) -> str:
    """Where a passage comes from: its own heading when it has one below the chapter, the book and
    the pages -- “The Stack and the Heap” in *The Rust Programming Language* (Understanding
    Ownership, p. 72)."""
    heading = _own_heading(brief.passages[int(chunk_id)])
    label = brief.source_label(chunk_id)
    return f"“{heading}” in {label}" if heading else label


def _own_heading(passage: dict) -> str:
    path = [h.strip().lstrip("#").strip() for h in passage.get("heading_path") or [] if h and h.strip()]
    chapter = (passage.get("chapter") or "").strip().casefold()
    if not path or path[-1].casefold() == chapter or len(path[-1]) > 80:
        return ""
    return without_parameters(path[-1])  # "emitter.on()", not its whole signature


# A page number or a display's last figure left in front of a sentence by the text's extraction ("4 The
# bases described above will often be convenient ones to work with."): the quote starts after it (still
# the book's words verbatim).
STRAY_NUMBER_RE = re.compile(r"^[−\-]?\d{1,4}\s+(?=[A-Z][a-z])")


def without_stray_number(quote: str) -> str:
    return STRAY_NUMBER_RE.sub("", quote, count=1)


def reading_order(brief: Brief, chunk_ids) -> list[int]:
    """Passages in the order a reader meets them: by book, then position (page, then id)."""

    def position(chunk_id):
        p = brief.passages[int(chunk_id)]
        return (p.get("book_title", ""), p.get("ordinal", 0), p.get("page_start") or 0, int(chunk_id))

    return sorted((int(c) for c in chunk_ids), key=position)


class Paragraphs:
    """Accumulates framed paragraphs, their (local) citations and the sentences they quote."""

    def __init__(self, style: str, start: int = 1, extending: bool = False):
        """`extending`: more paragraphs for a segment already written (no "We begin with …")."""
        self.frames = FRAMES.get(style, FRAMES["lecture"])
        self.extending = extending
        self.opened = False  # a passage paragraph has been written
        self.place: tuple | None = None  # (book, heading) of the last one
        self.parts: list[str] = []
        self.citations: list[dict] = []
        self.quoted: list[str] = []
        self.n = start
        self.words = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.words += count_words(text)

    def cite(self, chunk_id: int, quote: str) -> int:
        number = self.n
        self.citations.append({"n": number, "chunk_id": int(chunk_id), "quote": quote})
        self.n += 1
        return number

    def passage(self, brief: Brief, chunk_id: int, runs: list[list[str]]) -> None:
        """One paragraph quoting `runs` of a passage: introduced by where it comes from, or, when it
        goes on under the same heading as the paragraph before, by its pages alone."""
        p = brief.passages[int(chunk_id)]
        place = (p.get("book_title"), _own_heading(p) or p.get("chapter"))
        continuing = self.opened and place == self.place
        first = not self.opened and not self.extending
        self.place, self.opened = place, True
        lines = [] if continuing else [self.lead(brief, chunk_id, first)]
        for j, run in enumerate(runs):
            more = self.frames["more"]
            if j == 0:
                template = (
                    self.frames["same"].replace("{pages}", pages(p) or "the same section")
                    if continuing
                    else self.frames["quote"]
                )
            else:
                template = more[(j - 1) % len(more)]
            quote = without_stray_number(" ".join(run))
            lines.append(template.format(q=quote, n=self.cite(chunk_id, quote)))
            self.quoted.extend(run)
        self.add(" ".join(lines))

    def definition(self, brief: Brief, chunk_id: int, run: list[str]) -> None:
        """The sentences that say what the objective's term is, ahead of the passages."""
        sentence = without_stray_number(" ".join(run))
        n = self.cite(chunk_id, sentence)
        self.add(
            self.frames["definition"].format(
                q=sentence, n=n, src=f"*{brief.passages[chunk_id]['book_title']}*"
            )
        )
        self.quoted.extend(run)

    def lead(self, brief: Brief, chunk_id: int, first: bool) -> str:
        src = source_label(brief, chunk_id)
        if first:
            return self.frames["first"].format(src=src)
        options = self.frames["next"]
        return options[(len(self.parts) - 1) % len(options)].format(src=src)

    @property
    def text(self) -> str:
        return "\n\n".join(self.parts)


def pick_sentences(
    text: str, terms: set[str], limit: int, taken: set[str], elsewhere=lambda s: False, relevant_only=False
) -> list[int]:
    """Indices (in `split_sentences(text)`) of the `limit` most relevant unused quotable sentences.
    A sentence about another objective (`elsewhere`) is left to that objective's segment."""
    sentences = split_sentences(text)
    quotable = set(quotable_sentences(text))
    openings = {opening(t) for t in taken}
    candidates = []
    for i, s in enumerate(sentences):
        if s not in quotable or s in taken or opening(s) in openings:
            continue
        score = relevance(s, terms)
        if relevant_only and not score:
            continue
        if elsewhere(s):
            continue
        candidates.append((i, score))
    best = sorted(candidates, key=lambda p: (-p[1], p[0]))[:limit]
    return sorted(i for i, _ in best)


OPENING_WORDS = 8


def opening(sentence: str) -> str:
    """A sentence's first words: a manual repeats its boilerplate under every entry, with only a
    name changed at the end ("Performs final processing and extracts the message digest, writing it
    to digest. length may be smaller than SHA256_DIGEST_SIZE ..."); quoted once, it is not again."""
    words = sentence.lower().split()
    return " ".join(words[:OPENING_WORDS]) if len(words) > OPENING_WORDS else sentence.lower()


def other_picks(chosen: dict[int, set[int]], chunk_id: int, brief: Brief) -> set[str]:
    """The sentences a segment chose from its passages other than `chunk_id`."""
    out: set[str] = set()
    for other, indices in chosen.items():
        if other != chunk_id:
            sentences = split_sentences(brief.passages[other]["text"])
            out.update(sentences[i] for i in indices)
    return out


def with_context(text: str, chosen: set[int], taken: set[str]) -> list[list[str]]:
    """The chosen sentences, each with the sentence before it when it leans on it, grouped into
    runs of neighbours (each run one verbatim quote)."""
    sentences = split_sentences(text)
    picked = set(chosen)
    openings = {opening(t) for t in taken}
    for i in sorted(chosen):
        before = i - 1
        if (
            before >= 0
            and before not in picked
            and _LEANS_ON_PREVIOUS.match(sentences[i])
            and sentences[before] not in taken
            and opening(sentences[before]) not in openings
            and _readable(sentences[before])
        ):
            picked.add(before)
    runs: list[list[str]] = []
    last = None
    for i in sorted(picked):
        if (
            last is not None
            and i == last + 1
            and sum(len(s.split()) for s in runs[-1]) < MAX_RUN_WORDS
            and quote_in(" ".join([*runs[-1], sentences[i]]), text)  # not across a ")" the split dropped
        ):
            runs[-1].append(sentences[i])
        else:
            runs.append([sentences[i]])
        last = i
    return runs


def _readable(sentence: str) -> bool:
    """Fit to quote as context: a plain sentence, not a heading, table row or code."""
    words = sentence.split()
    if sentence.startswith("#") or "|" in sentence or not 3 <= len(words) <= 60:
        return False
    if formula_line(sentence) or display_lost(sentence) or not_the_texts_sentence(sentence):
        return False  # a context sentence is held to what quoting asks of a sentence (base.py)
    return sum(1 for w in words if w.strip(",.;:()\"'“”’").isalpha()) >= 0.8 * len(words)


def objective_terms(brief: Brief, index: int):
    """The objective's terms, and a test of whether a sentence is about another of the section's
    objectives (it shares more with it, or defines its term: "Hydration is …" belongs to "Define
    hydration", not to "Define flour", though it names flour too)."""
    objective = brief.objectives[index]

    def elsewhere(sentence: str) -> bool:
        owner = quiz.objective_about(sentence, brief.objectives, objective)
        return owner is not None and owner != objective

    return set(content_terms(objective)), elsewhere


DEFINE_RE = re.compile(r"^Define\s+(?:(?:an?|the)\s+)?(?P<term>.+)$")


def definition_of(objective: str, brief: Brief, chunk_ids, taken: set[str]) -> tuple[int, list[str]] | None:
    """For a "Define X" objective, the first quotable sentence of its passages (in reading order)
    that defines X (with the sentence it needs, docprof.ai.definitions.defining_run), with its
    passage, unless another segment quotes it."""
    m = DEFINE_RE.match(objective)
    if not m:
        return None
    for chunk_id in reading_order(brief, chunk_ids):
        text = brief.passages[chunk_id]["text"]
        quotable = set(quotable_sentences(text))
        run = defining_run(
            m["term"], split_sentences(text), skip=lambda s, q=quotable: s not in q or s in taken
        )
        if run and not any(s in taken for s in run):
            return chunk_id, run
    return None


def _words(text: str, indices) -> int:
    sentences = split_sentences(text)
    return sum(count_words(sentences[i]) for i in indices)


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
            taken.update(self._segment(brief, earlier, frozenset(taken))["quoted"])
        segment = self._segment(brief, index, frozenset(taken))
        return {**segment, "quiz": quiz.candidates(segment["objective"], segment["citations"], brief)}

    def _segment(self, brief: Brief, index: int, taken: frozenset[str]) -> dict:
        memo = brief.__dict__.setdefault("_offline_segments", {})
        if (index, taken) not in memo:
            memo[(index, taken)] = self._write(brief, index, set(taken))
        return memo[(index, taken)]

    def _write(self, brief: Brief, index: int, taken: set[str]) -> dict:
        """Choose sentences passage by passage (most relevant passages first, further sentences of
        the same passages in later rounds) until the segment is long enough, then present the
        passages in reading order."""
        objective = brief.objectives[index]
        terms, elsewhere = objective_terms(brief, index)
        target = brief.segment_target(index)
        per = SENTENCES_PER_PASSAGE.get(brief.depth, 3)
        out = Paragraphs(brief.style)
        out.add(out.frames["open"].format(objective=lower_first(objective)))
        defining = definition_of(objective, brief, brief.plan[index], taken)
        if defining:
            out.definition(brief, *defining)
            taken.update(defining[1])
        earlier = set(taken)  # sentences other objectives' segments quote
        chosen: dict[int, set[int]] = {}
        words = out.words
        for round_ in range(3):
            for chunk_id in brief.plan[index]:
                if words >= target:
                    break
                text = brief.passages[int(chunk_id)]["text"]
                indices = pick_sentences(text, terms, per, taken, elsewhere, relevant_only=round_ == 0)
                if not indices:
                    continue
                sentences = split_sentences(text)
                taken.update(sentences[i] for i in indices)
                words += _words(text, indices) + (0 if int(chunk_id) in chosen else FRAME_WORDS)
                chosen.setdefault(int(chunk_id), set()).update(indices)
        quoted_text = []
        for chunk_id in reading_order(brief, chosen):
            text = brief.passages[chunk_id]["text"]
            # a sentence leaned on is not brought along where the segment quotes it already: a
            # manual repeats its boilerplate under every entry ("Performs final processing ...")
            runs = with_context(
                text, chosen[chunk_id], earlier | set(quoted_text) | other_picks(chosen, chunk_id, brief)
            )
            out.passage(brief, chunk_id, runs)
            quoted_text.extend(s for run in runs for s in run)
        if quoted_text:
            subject = set(content_terms(objective.split(" ", 1)[-1]))  # "Explain X": X's words
            words_to_keep = key_terms(" ".join(quoted_text), subject)
            out.add(out.frames["terms"].format(terms=_terms_phrase(words_to_keep)))
        return {
            "index": index,
            "objective": objective,
            "text": out.text,
            "citations": out.citations,
            "quoted": out.quoted,
        }

    # -- introduction, recap, transitions ---------------------------------------------------------
    def finish(self, brief: Brief, draft: dict, job_id=None) -> dict:
        """Introduction and recap around the composed draft (lecture-wide citation numbers)."""
        objectives = brief.objectives
        listing = "; ".join(f"({i + 1}) {lower_first(o)}" for i, o in enumerate(objectives))
        books = sorted({brief.passages[int(c["chunk_id"])]["book_title"] for c in draft["citations"]})
        intro = [
            f"This section, *{brief.title}*, has {len(objectives)} "
            f"objective{'s' if len(objectives) != 1 else ''}: {listing}.",
            f"It draws on {', '.join('*' + b.rstrip('.') + '*' for b in books)}." if books else "",
        ]
        overview = overview_sentence(draft["citations"], brief)
        if overview:
            sentence, n = overview
            intro.append(f"Why it matters: “{sentence}” [{n}]")
        recap = ["Let us recap."]
        for i, segment in enumerate(draft["segments"]):
            cited = [c for c in draft["citations"] if c["n"] in segment.get("numbers", [])]
            if cited:
                wanted = set(content_terms(objectives[i]))
                best = max(cited, key=lambda c: relevance(best_sentence(c["quote"], wanted), wanted))
                sentence = best_sentence(best["quote"], wanted)
                recap.append(f"To {lower_first(objectives[i])}, remember: “{sentence}” [{best['n']}]")
        return {
            "introduction": " ".join(x for x in intro if x),
            "recap": " ".join(recap) if len(recap) > 1 else "",
            "segments": [s["text"] for s in draft["segments"]],
        }


_REFERS_ELSEWHERE = re.compile(
    r"\b(?:figure|listing|table|exercise|example|section|chapter)\s+[\w.\-]*\d", re.I
)


# An exercise or a step of a proof, not a statement of why the section matters: "C19 Find the
# eigenvalues ...", "Let m be the largest integer ...", "Suppose that A is a square matrix."
_SETS_A_TASK = re.compile(
    rf"^(?:{EXERCISE_LABEL}|\(?\d+[.)]\s+)?(?:{TASK_VERBS}|let|assume|try|run|type)\b", re.I
)


def _headings_run(sentence: str) -> bool:
    """Headings run together, not a sentence: most of its words capitalised ("Demand, Supply, and
    Equilibrium in Markets for Goods and Services Shifts in Demand ...")."""
    words = [w for w in re.findall(r"[A-Za-z][\w'\-]*", sentence) if w.lower() not in STOPWORDS]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def overview_sentence(citations: list[dict], brief: Brief) -> tuple[str, int] | None:
    """The quoted sentence that speaks most to the whole section (its title and every objective),
    for the introduction: a plain statement, not one pointing at a figure or an exercise."""
    wanted = set(content_terms(" ".join([brief.title, *brief.objectives])))
    best, best_key = None, None
    for order, c in enumerate(citations):
        for sentence in split_sentences(c["quote"]):
            words = len(sentence.split())
            if not 8 <= words <= 45 or _REFERS_ELSEWHERE.search(sentence) or _SETS_A_TASK.match(sentence):
                continue
            if _headings_run(sentence):
                continue
            key = (relevance(sentence, wanted), -order)
            if best_key is None or key > best_key:
                best, best_key = (sentence, c["n"]), key
    if best is None and citations:
        return best_sentence(citations[0]["quote"], wanted), citations[0]["n"]
    return best


def best_sentence(quote: str, terms: set[str]) -> str:
    """The sentence of a (possibly multi-sentence) quote that speaks most to `terms`."""
    sentences = split_sentences(quote) or [quote]
    return max(sentences, key=lambda s: (relevance(s, terms), len(s) <= 400, -sentences.index(s)))


QUOTED_INSIDE_MIN = 25  # characters: a shorter sentence may recur in other words' company


def extension(brief: Brief, index: int, used: set[tuple[int, str]], need: int, start: int) -> dict:
    """More framed material for segment `index` (unused sentences of its passages, then the
    reserve): {"text", "citations"} with numbers from `start`; used by both writers' length contract."""
    terms, elsewhere = objective_terms(brief, index)
    out = Paragraphs(brief.style, start=start, extending=True)
    used_sentences = {clean_quote(s) for _, q in used for s in split_sentences(q)}
    # A sentence quoted inside a longer run may split otherwise in its passage ("... for the type. n
    # {number} Node.js-specific ..."): a passage sentence the quotes already hold is used too.
    used_text = "\n".join(clean_quote(q) for _, q in used)
    pool = list(brief.plan[index]) + [i for i in brief.reserve if i not in brief.plan[index]]
    taken: set[str] = set()
    for chunk_id in pool:
        if out.words >= need:
            break
        text = brief.passages[int(chunk_id)]["text"]
        # Citations hold normalised quotes ("don't" for "don’t"): compare like with like.
        taken.update(
            s
            for s in split_sentences(text)
            if clean_quote(s) in used_sentences
            or clean_quote(without_stray_number(s)) in used_sentences
            or (len(s) >= QUOTED_INSIDE_MIN and clean_quote(s) in used_text)
        )
        indices = pick_sentences(text, terms, 2, taken, elsewhere)
        if not indices:
            continue
        runs = with_context(text, set(indices), taken)
        taken.update(s for run in runs for s in run)
        out.passage(brief, chunk_id, runs)
    return {"text": out.text, "citations": out.citations}
