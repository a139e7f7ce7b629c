"""Teaching units of a library and the evidence that they teach a request's topics.

A unit is a chapter's second-level heading with everything under it (or a third-level heading when
the second level is too long to be one section, or the chapter's opening text). For each topic of the
request a unit gets a score from the strongest evidence it has:

- its own heading names the topic (1.0), its chapter's title does (0.85), a heading inside it does
  (0.9 for the text under that heading), its book's title does (0.6);
- otherwise its text: the share of its words in passages that contain the topic as a phrase (all its
  words counts half), 0.75 at a share of one half or more, plus 0.15 when the chapter summary names
  the topic. A unit that only mentions a topic in passing scores low and is never used (a chapter
  too short for that minimum counts when its passages dwell on the topic: define it or name it twice).

A topic's words are its central ones (`central_stems`: rare in the library, not common English), and
a book's title supplies any of them its passages leave unsaid ("baking" in "Bread Dough and
Fermentation" is about "bread baking").

Front and back matter (prefaces, indexes, references, appendices, licences) and exercise blocks
("Self-Check Questions", "Problems") never count as material, except an appendix whose own heading
names the topic.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from courses.planning.request import GENERAL_STEMS, GENERAL_WEIGHT, Topic, stems_of
from courses.planning.titles import clean_title
from docprof.ai.text import split_sentences

FILLER_TITLE_RE = re.compile(
    r"^(?:front\s*matter|title\s*page|half\s*title|imprint|copyright|uncopyright|colophon|dedications?|"
    r"acknowledge?ments?|contributors|about\s+the\s+authors?|preface\b.*|foreword|"
    r"editor.?s\s+(?:introduction|preface|note).*|translator.?s\s+.*|publisher.?s\s+.*|"
    r"(?:table\s+of\s+)?contents|list\s+of\s+\w+|index|glossary|bibliography|references?|endnotes|"
    r"notes|appendix\b.*|appendices|licen[cs]ing|licen[cs]e|gnu\s+free\s+documentation\s+license|"
    r"overview|dedication|reference|"
    # a project's record of its releases, not teaching: "Changelog", "Release Notes", "What's New in 2.0"
    r"change\s*log|release\s+(?:notes|history)|(?:version|revision)\s+history|what.?s\s+new\b.*)$",
    re.I,
)
BACK_MATTER_RE = re.compile(r"^(?:appendix|appendices|[A-H]\s*[-–—:.]\s)", re.I)
EXERCISE_RE = re.compile(
    r"^(?:self-check\s+questions?|review\s+questions?|critical\s+thinking\s+questions?|problems?|"
    r"exercises?|key\s+terms|references|further\s+reading|bibliography|notes|questions|solutions?|"
    r"answers?(?:\s+to\s+.*)?|quiz|test\s+yourself)$",
    re.I,
)
NUMBERED_CHAPTER_RE = re.compile(r"^\s*(?:chapter|book|part)\s+(?:\d+|[IVXLC]+)\b", re.I)
MIN_CHAPTER_WORDS = 200  # shorter "chapters" are title pages and dedications
RELEVANT = 0.4  # a unit scoring below this for a topic does not teach it
MIN_TEXT_WORDS = 300
SHORT_CHAPTER_SHARE = 0.8  # a short chapter's text evidence: passages dwelling on it, this share of it
SHORT_CHAPTER_WORDS = round(MIN_TEXT_WORDS / SHORT_CHAPTER_SHARE)  # shorter ones cannot reach the minimum
MIN_UNIT_WORDS = 600  # text-only evidence needs at least this many words on the topic


@dataclass
class Unit:
    key: str
    book_id: int
    book_title: str
    chapter_id: int
    chapter_title: str
    chapter_order: int
    title: str
    first_ordinal: int
    chunks: list[tuple[int, int, list]]  # (chunk id, words, heading path), reading order
    back_matter: bool = False
    scores: dict[int, float] = field(default_factory=dict)  # topic index -> score
    evidence: dict[int, str] = field(default_factory=dict)
    relevant: dict[int, set[int]] = field(default_factory=dict)  # topic -> chunk ids that teach it

    @property
    def words(self) -> int:
        return sum(w for _, w, _ in self.chunks)

    def relevant_ids(self) -> set[int]:
        ids: set[int] = set()
        for topic, chunk_ids in self.relevant.items():
            if self.scores.get(topic, 0) >= RELEVANT:
                ids |= chunk_ids
        return ids

    def relevant_words(self) -> int:
        ids = self.relevant_ids()
        return sum(w for cid, w, _ in self.chunks if cid in ids)

    @property
    def score(self) -> float:
        """Whole-request score: every topic it teaches counts."""
        return sum(s for s in self.scores.values() if s >= RELEVANT)


def is_filler_title(title: str) -> bool:
    return bool(FILLER_TITLE_RE.match(clean_title(title).strip(" .:")))


def is_exercise(path: list) -> bool:
    return any(EXERCISE_RE.match(clean_title(str(h)).strip(" .:")) for h in path[1:])


def back_matter_chapters(chapters: list[dict]) -> set[int]:
    """Chapters after a book's last numbered chapter ('Chapter 34 ...'), when it numbers them, and
    chapters titled as appendices."""
    result = set()
    by_book = defaultdict(list)
    for c in chapters:
        by_book[c["book_id"]].append(c)
    for rows in by_book.values():
        rows.sort(key=lambda c: c["order"])
        numbered = [c["order"] for c in rows if NUMBERED_CHAPTER_RE.match(c["title"])]
        last = max(numbered) if len(numbered) >= 3 else None
        for c in rows:
            if (last is not None and c["order"] > last) or BACK_MATTER_RE.match(c["title"]):
                result.add(c["id"])
    return result


def heading_matches(heading: str, required: list[frozenset[str]]) -> bool:
    stems = set(stems_of(clean_title(heading)))
    return any(req and req <= stems for req in required)


def build_units(chapter: dict, outline: list[tuple], back_matter: bool, max_words: int) -> list[Unit]:
    """Units of one chapter from its passages' heading paths: one per second-level heading (opening
    text before the first one is a unit of its own); a unit longer than `max_words` is split at its
    third-level headings."""
    groups: dict[str, list[tuple]] = {}
    order: list[str] = []
    for chunk_id, ordinal, words, path in outline:
        path = list(path or [])
        key = str(path[1]) if len(path) > 1 else ""
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((chunk_id, ordinal, words, path))
    if len(order) > 1 and order[0] == "" and sum(r[2] for r in groups[""]) < MIN_UNIT_WORDS:
        groups[order[1]] = groups.pop("") + groups[order[1]]  # a short opening joins the first section
        order.pop(0)
    units = []
    for key in order:
        rows = groups[key]
        pieces = [rows]
        if sum(r[2] for r in rows) > max_words:
            pieces = _split_by_level3(rows, max_words)
        for number, piece in enumerate(pieces):
            deeper = [str(r[3][2]) for r in piece if len(r[3]) > 2]
            if key == "":
                title = chapter["title"]
            elif len(pieces) > 1 and deeper and (number > 0 or len(piece[0][3]) > 2):
                title = deeper[0]  # a long section split at its sub-headings: each piece by its first
            else:
                title = key
            units.append(
                Unit(
                    key=f"{chapter['id']}:{piece[0][1]}",
                    book_id=chapter["book_id"],
                    book_title=chapter["book_title"],
                    chapter_id=chapter["id"],
                    chapter_title=chapter["title"],
                    chapter_order=chapter["order"],
                    title=title,
                    first_ordinal=piece[0][1],
                    chunks=[(r[0], r[2], r[3]) for r in piece],
                    back_matter=back_matter or (key != "" and is_filler_title(key)),
                )
            )
    return units


def _split_by_level3(rows: list[tuple], max_words: int) -> list[list[tuple]]:
    runs: list[list[tuple]] = []
    for row in rows:
        head = str(row[3][2]) if len(row[3]) > 2 else ""
        if runs and (str(runs[-1][-1][3][2]) if len(runs[-1][-1][3]) > 2 else "") == head:
            runs[-1].append(row)
        else:
            runs.append([row])
    pieces: list[list[tuple]] = []
    target = max_words * 2 // 3
    for run in runs:
        if pieces and sum(r[2] for r in pieces[-1]) + sum(r[2] for r in run) <= target:
            pieces[-1].extend(run)
        else:
            pieces.append(list(run))
    return pieces


def score_unit(
    unit: Unit,
    index: int,
    required: list[frozenset[str]],
    matches: dict[int, tuple[bool, bool]],
    chapter_summary: str,
    book_title_match: bool,
    chapter_words: int = 0,
    dwelt: set[int] | None = None,
    one_word: bool | None = None,
) -> None:
    """Score `unit` for topic `index` (see the module docstring). `matches`: chunk id -> (the topic
    as a phrase, all its words)."""
    usable = [(cid, w, p) for cid, w, p in unit.chunks if not is_exercise(p)]
    total = sum(w for _, w, _ in usable) or 1
    all_ids = {cid for cid, _, _ in usable}
    if unit.title and heading_matches(unit.title, required):
        unit.scores[index], unit.evidence[index], unit.relevant[index] = 1.0, "heading", all_ids
        return
    if unit.back_matter:
        return  # appendices and the like count only when their own heading names the topic
    if heading_matches(unit.chapter_title, required):
        unit.scores[index], unit.evidence[index], unit.relevant[index] = 0.85, "chapter", all_ids
        return
    under = {cid for cid, _, p in usable if any(heading_matches(str(h), required) for h in p[2:])}
    texted = {cid for cid, _, _ in usable if any(matches.get(cid, (False, False)))}
    under_words = sum(w for cid, w, _ in usable if cid in under)
    if one_word is None:  # a topic of one required word: a passage with the word has the phrase
        one_word = all(len(r) == 1 for r in required)
    phrase_words = sum(
        w for cid, w, _ in usable if matches.get(cid, (False, False))[0 if not one_word else 1]
    )
    word_words = sum(w for cid, w, _ in usable if cid in texted) - phrase_words
    share = (phrase_words + 0.5 * word_words) / total
    score = 0.75 * min(1.0, share / 0.5)
    if heading_matches(chapter_summary, required):
        score += 0.15
    evidence = "text"
    if under_words >= min(200, 0.2 * total):
        score, evidence = max(score, 0.9), "subheading"
    relevant = under | texted
    # Text alone must say enough: a passing mention is not teaching. A chapter shorter than that
    # says enough when its passages dwell on the topic (define it, or name it more than once).
    short = SHORT_CHAPTER_SHARE * chapter_words if chapter_words else 0
    said = sum(w for cid, w, _ in usable if cid in relevant)
    dwelt_words = sum(w for cid, w, _ in usable if cid in (dwelt or set()) | under)
    if evidence == "text" and said < MIN_TEXT_WORDS and not (short and dwelt_words >= short):
        score = min(score, RELEVANT * 0.9)
    if book_title_match and score < 0.6:
        score, evidence = 0.6, "book"
        relevant = all_ids
    if sum(w for cid, w, _ in usable if cid in relevant) >= 0.6 * total:
        relevant = all_ids  # most of the unit is on the topic: teach it whole
    if score > 0:
        unit.scores[index], unit.evidence[index], unit.relevant[index] = score, evidence, relevant


BOOK_WORD_SHARE = 0.2  # a word in a fifth of a book's passages is what the book is about


def in_book_required(
    required: frozenset[str], shares: dict[str, float], frame: set[str] = frozenset(), titled: bool = True
) -> frozenset[str]:
    """The words of a topic a heading or passage of one book must say, when the book says the rest
    everywhere (`shares`: stem -> share of the book's passages using it, its title's stems 1.0).
    Inside a book about Rust, "Rust macros" is named by a heading that says "Macros". When every
    word is used throughout the book and no heading of it names the whole topic (`titled` False),
    the words that only frame the book (`frame`: a platform it names everywhere, not its title)
    are left unsaid too: in a manual on streams that names "Node.js" in a fifth of its passages,
    "Node.js streams" is named by a heading that says "Readable streams" ("Matrix Multiplication"
    still names "matrix multiplication" in a book that uses both words throughout). When the frame
    is all the topic says, the word the book uses most is what it is about."""
    own = {s for s, share in shares.items() if share >= BOOK_WORD_SHARE}
    rest = required - own
    if rest or not required or titled:
        return rest or required
    kept = required - frame
    if kept:
        return kept
    top = max(shares.get(s, 0.0) for s in required)
    return frozenset(s for s in required if shares.get(s, 0.0) >= top)


DEFINES_RE = re.compile(r"\s+(?:is|are|refers\s+to|means)\s+")


def dwells_on(text: str, required: list[frozenset[str]]) -> bool:
    """The passage is about the topic, not passing by: it names it twice or defines it ("Oven spring
    is the rapid rise of a loaf ...")."""
    counts = Counter(stems_of(text))
    if any(r and min(counts[s] for s in r) >= 2 for r in required):
        return True
    for sentence in split_sentences(text):
        head = DEFINES_RE.split(sentence, maxsplit=1)
        if len(head) == 2 and len(head[0].split()) <= 5:
            named = set(stems_of(head[0]))
            if any(r and r <= named for r in required):
                return True
    return False


def required_stems(
    topic: Topic, rarity: dict[str, float], core: int, central: bool = True
) -> list[frozenset[str]]:
    """The stems a heading or passage must contain to be about the topic: a phrasing's central
    stems (see `central_stems`; with `central` False, its content stems), at most its `core` rarest
    ones."""
    result = []
    for phrasing in topic.phrasings:
        stems = list(dict.fromkeys(stems_of(phrasing)))
        if central:
            stems = central_stems(stems, rarity)
        else:
            stems = [s for s in stems if s not in GENERAL_STEMS] or stems
        if len(stems) > core:
            stems = sorted(stems, key=lambda s: rarity.get(s, 0.0))[:core]
        if stems:
            result.append(frozenset(stems))
    return result


CENTRAL_SHARE = 0.5  # a stem weighing less than half the heaviest one of its phrasing is optional


def stem_weight(stem: str, share: float) -> float:
    """How much a request word says about what the request is about: its in-library rarity (IDF over
    passages; a word the library never uses weighs most) times its general-English rarity (a word
    such as "made" or "works" says little whatever the library)."""
    return (1.0 - math.log(max(share, 1e-4))) * (GENERAL_WEIGHT if stem in GENERAL_STEMS else 1.0)


def central_stems(stems: list[str], share: dict[str, float]) -> list[str]:
    """The stems of a phrasing that carry it: "How bread is made" is about bread; "the Bretton
    Woods system" about Bretton Woods. Every stem counts when they weigh about the same."""
    if len(stems) < 2:
        return stems
    # A common word is never required next to a content word, however rare it is in the library
    # ("baking techniques" in books that never say "technique" is still about baking).
    content = [s for s in stems if s not in GENERAL_STEMS] or stems
    weights = {s: stem_weight(s, share.get(s, 0.0)) for s in content}
    top = max(weights.values())
    return [s for s in content if weights[s] >= CENTRAL_SHARE * top]
