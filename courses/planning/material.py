"""The material a course may draw on: the units of the learner's library that teach the request as a
whole, how much time they support, and an honest refusal when there are none.

Both planners (offline and model) are given exactly this material (`Material.units`).

Sizing (the rule is in sizing.py): a section lasts at most one minute per 75 relevant source words
at 150 words a minute and standard depth. A course is planned for min(requested, supported)
minutes unless the learner asked to widen to neighbouring material (preference `widen`); the time
contract (courses/budget.py) holds for what is planned, and the course says how much of the
requested time the library supports.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from courses.planning.request import (
    Request,
    compound_spellings,
    expansion_in,
    initials,
    is_task,
    parse_request,
    stems_of,
    with_context_as_topic,
)
from courses.planning.selection import (
    choose,
    drop_weak_text,
    keep_coherent,
    named_topics,
    neighbouring_units,
    support_of,
    teaches,
    teaching_order,
    top_up,
    worth_a_section,
)
from courses.planning.sizing import SECTION_MAX, SECTION_MIN, supported_minutes, words_for
from courses.planning.survey import subject_books, survey
from courses.planning.titles import clean_title
from courses.planning.units import (
    BOOK_WORD_SHARE,
    MIN_CHAPTER_WORDS,
    RELEVANT,
    SHORT_CHAPTER_WORDS,
    Unit,
    back_matter_chapters,
    build_units,
    dwells_on,
    heading_matches,
    in_book_required,
    is_exercise,
    is_filler_title,
    required_stems,
    score_unit,
)
from library.models import Book, Chapter, Chunk
from library.retrieval import passages_mentioning, topic_passages, word_passage_counts
from library.selectors import chapter_rows

MAX_CORE = 3
CONTEXT_SHARE = 0.03  # a book "is about" a context word when this share of its passages use it
CLOSEST_BOOKS = 3


class NoMaterial(Exception):
    """The library does not teach the request: the job ends with this message."""


@dataclass
class Material:
    request: Request
    units: list[dict]  # chosen, in teaching order: what the course draws on
    covered: list[str]  # topics the chosen units teach
    missing: list[str]  # topics the library does not teach
    requested_minutes: int
    supported_minutes: float  # all the relevant material the library holds, at the course pace
    planned_minutes: int
    widened: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "request": self.request.as_dict(),
            "units": self.units,
            "covered_topics": self.covered,
            "missing_topics": self.missing,
            "requested_minutes": self.requested_minutes,
            "supported_minutes": round(self.supported_minutes),
            "planned_minutes": self.planned_minutes,
            "widened": self.widened,
            "notes": self.notes,
        }


def find_material(query: str, book_ids: list[int], minutes: int, preferences: dict) -> Material:
    if not book_ids:
        raise NoMaterial("Your library is empty; add a book before asking for a course.")
    request = parse_request(query)
    if not request.topics:
        raise NoMaterial("Say what you want to learn, e.g. “Learn DCF valuation”.")
    try:
        return _material(request, book_ids, minutes, preferences)
    except NoMaterial as refused:
        # "Search text with regular expressions": what follows "with" may be the subject itself, not a
        # tool every topic is taught in ("statistics with R"). Asked as a topic, the books may teach it.
        whole = with_context_as_topic(request)
        if whole is not None:
            try:
                found = _material(whole, book_ids, minutes, preferences)
            except NoMaterial:
                found = None
            if found and teaches_what_was_asked(request, whole, found):
                return found
        # A task the books word otherwise ("undo a patch", where they say "reverse"): passages that
        # hold all but one of its words count. Never for a named thing ("the Tokio runtime").
        if not is_task(query):
            raise
        try:
            found = _material(request, book_ids, minutes, preferences, all_words=False)
        except NoMaterial:
            raise refused from None
        found.notes.append(
            f"No passage of your library speaks of “{request.subject}” in those words; the course "
            "draws on the passages that hold most of them."
        )
        return found


def all_but_one(required: list[frozenset[str]], frequency: dict[str, float]) -> list[frozenset[str]]:
    """Each set of stems as the sets that lack one of them, when the library uses every one of its
    stems (a word it never uses is what the request asks for: "Kubernetes"); a set of one stays."""
    out = []
    for stems in required:
        used = all(frequency.get(s, 0.0) > 0 for s in stems)
        out.extend([stems - {s} for s in sorted(stems)] if len(stems) >= 2 and used else [stems])
    return list(dict.fromkeys(out))


def teaches_what_was_asked(request: Request, whole: Request, found: Material) -> bool:
    """Whether a course planned for `whole` (the request's context made a topic) answers the request:
    it teaches that topic, and the books it draws on use every word of the request's own topics it
    does not teach ("search", "text" in the manual on regular expressions). A course on Rust alone
    does not answer "WebAssembly with Rust"."""
    if whole.topics[-1].label not in found.covered:
        return False
    books = sorted({u["book_id"] for u in found.units})
    words = [
        w for t in request.topics if t.label not in found.covered for w in t.label.split() if stems_of(w)
    ]
    counts = word_passage_counts(books, words) if words else {}
    return all(sum(counts.get(w, {}).values()) > 0 for w in words)


def _material(
    request: Request, book_ids: list[int], minutes: int, preferences: dict, all_words: bool = True
) -> Material:
    """The material for `request`; unless `all_words`, a passage need not hold every required stem
    of a topic, all but one will do (`all_but_one`)."""
    depth = preferences.get("depth", "standard")
    pace = int(preferences.get("pace_wpm") or 150)
    _expand_compounds(request, book_ids)
    frequency, books = _frequencies(request, book_ids)
    _expand_acronyms(request, book_ids)
    if all_words:
        required = [required_stems(t, frequency, MAX_CORE) for t in request.topics]
    else:  # the rarest word may be the one the books do not use for it ("undo" a patch): any may go
        content = [required_stems(t, frequency, MAX_CORE, central=False) for t in request.topics]
        required = [all_but_one(r, frequency) for r in content]
    context_books = _context_books(request, books, frequency)
    scope = [b for b in book_ids if b in context_books]
    units = _scored_units(request, required, scope, books, frequency, depth, pace)
    subjects = subject_books(request, required, scope, books, lambda b: _book_words(books[b]))
    if subjects:
        surveyed, supported = survey(units, subjects, minutes, depth, pace)
        if surveyed:
            return _surveyed(request, surveyed, supported, minutes, depth, pace)
    drop_weak_text(units, len(request.topics))
    candidates = [u for u in units if u.score > 0 and u.relevant_words() > 0]
    relevant = keep_coherent(worth_a_section(candidates, depth, pace))
    taught = {i for u in relevant for i, s in u.scores.items() if s >= RELEVANT}
    labels = [t.label for t in request.topics]
    if request.context and not scope:
        raise NoMaterial(_refusal(request, book_ids, books, units))
    if not taught:
        # Passages on the subject exist, but each is too short for a section at this depth and pace:
        # say so (and how much there is), not that the library has nothing on it.
        scraps = [u for u in candidates if any(s >= RELEVANT for s in u.scores.values())]
        if scraps:
            raise NoMaterial(_too_little(request, scraps, sum(support_of(u, depth, pace) for u in scraps)))
        raise NoMaterial(_refusal(request, book_ids, books, units))
    supported = sum(supported_minutes(u.relevant_words(), depth, pace) for u in relevant)
    if supported < SECTION_MIN:
        raise NoMaterial(_too_little(request, relevant, supported))
    widen = bool(preferences.get("widen"))
    target = minutes if widen else min(minutes, max(SECTION_MIN, math.floor(supported)))
    chosen = choose(relevant, request, target, depth, pace)
    # A course a few minutes short of its time once every topic is taught continues its material
    # into the passages that follow rather than open a section on another chapter for them.
    enough = choose(relevant, request, target, depth, pace, stop_short=True)
    short = target - sum(support_of(u, depth, pace) for u in enough)
    elsewhere = {u.chapter_id for u in chosen} - {u.chapter_id for u in enough}
    continued = top_up(enough, units, short, depth, pace) if elsewhere and short > 0 else None
    if continued:
        chosen = enough
    if not chosen:  # only scraps, none big enough for a ten-minute section
        raise NoMaterial(_too_little(request, relevant, supported))
    neighbours: list[Unit] = []
    if widen and supported < minutes:
        neighbours = neighbouring_units(chosen, minutes - supported, books, depth, pace)
    planned = min(minutes, math.floor(supported + sum(support_of(u, depth, pace, True) for u in neighbours)))
    planned = max(SECTION_MIN, planned)
    extra = [continued] if continued else []
    ordered = teaching_order(chosen + neighbours + extra)
    named = named_topics(relevant)  # such a topic is covered only by material about it
    covered_idx = {i for u in chosen for i in u.scores if teaches(u, i, named)}
    material = Material(
        request=request,
        units=[
            {
                **_unit_dict(u, depth, pace, request, u in neighbours or u in extra, named),
                "continues": u in extra,
            }
            for u in ordered
        ],
        covered=[labels[i] for i in sorted(covered_idx)],
        missing=[labels[i] for i in range(len(labels)) if i not in covered_idx],
        requested_minutes=minutes,
        supported_minutes=supported,
        planned_minutes=planned,
        widened=bool(neighbours),
    )
    material.notes = _notes(material)
    return material


def _surveyed(
    request: Request, chosen: list[Unit], supported: float, minutes: int, depth: str, pace: int
) -> Material:
    """The material of a survey of the books the request names (courses/planning/survey.py)."""
    labels = [t.label for t in request.topics]
    material = Material(
        request=request,
        units=[_unit_dict(u, depth, pace, request, False, set()) for u in teaching_order(chosen)],
        covered=labels,
        missing=[],
        requested_minutes=minutes,
        supported_minutes=supported,
        planned_minutes=max(SECTION_MIN, min(minutes, math.floor(supported))),
    )
    material.notes = _notes(material)
    return material


def _frequencies(request: Request, book_ids: list[int]) -> tuple[dict[str, float], dict[int, dict]]:
    """Share of the library's passages containing each request word (rarer words identify a topic),
    and the books with their passage counts."""
    books = {b["id"]: b for b in Book.objects.filter(id__in=book_ids).values("id", "title").order_by("id")}
    totals = dict(
        Chunk.objects.filter(book_id__in=book_ids)
        .values("book_id")
        .annotate(n=Count("id"))
        .values_list("book_id", "n")
    )
    for book_id, b in books.items():
        b["passages"] = totals.get(book_id, 0)
    words = {w for t in request.topics for p in t.phrasings for w in p.split()} | set(request.context)
    counts = word_passage_counts(book_ids, [w for w in words if stems_of(w)])
    total = max(1, sum(totals.values()))
    frequency = {}
    for word, per_book in counts.items():
        for s in stems_of(word):
            frequency[s] = sum(per_book.values()) / total
        for book_id, n in per_book.items():
            books[book_id].setdefault("word_counts", {})[word.lower()] = n
    return frequency, books


def _expand_acronyms(request: Request, book_ids: list[int]) -> None:
    """Add the library's own spelling-out of acronyms ('DCF' -> 'discounted cash flow') and the
    acronym of a long topic when the books use it ('net present value' -> 'NPV')."""
    for topic in request.topics:
        for acronym in topic.acronyms:
            found: dict[str, int] = defaultdict(int)
            for text in passages_mentioning(book_ids, acronym, limit=300):
                expansion = expansion_in(text, acronym)
                if expansion:
                    found[expansion] += 1
            if found:
                best = max(found, key=found.get)
                for phrasing in list(topic.phrasings):
                    topic.phrasings.append(phrasing.replace(acronym, best))
        if not topic.acronyms and len(stems_of(topic.label)) >= 3:
            short = initials(topic.label)
            if len(short) >= 3 and len(passages_mentioning(book_ids, short, limit=3)) >= 3:
                topic.phrasings.append(short)
        topic.phrasings = list(dict.fromkeys(topic.phrasings))


MIN_COMPOUND_PASSAGES = 2


def _expand_compounds(request: Request, book_ids: list[int]) -> None:
    """Add the library's own spelling of a compound: "event emitters" as the books' "EventEmitter"
    (one word to the index), "EventEmitter" as their "event emitter" (`compound_spellings`)."""
    for topic in request.topics:
        for phrasing in list(topic.phrasings):
            options = compound_spellings(phrasing)
            if not options:
                continue
            counts = word_passage_counts(book_ids, [found for _, found in options])
            for original, found in options:
                if sum(counts.get(found, {}).values()) >= MIN_COMPOUND_PASSAGES:
                    topic.phrasings.append(phrasing.replace(original, found))
        topic.phrasings = list(dict.fromkeys(topic.phrasings))


def _context_books(request: Request, books: dict[int, dict], frequency: dict) -> set[int]:
    if not request.context:
        return set(books)
    result = set()
    for book_id, book in books.items():
        title = set(stems_of(book["title"]))
        counts = book.get("word_counts", {})
        ok = all(
            set(stems_of(w)) <= title or counts.get(w.lower(), 0) >= CONTEXT_SHARE * max(1, book["passages"])
            for w in request.context
        )
        if ok:
            result.add(book_id)
    return result


def _scored_units(request, required, scope, books, frequency, depth, pace) -> list[Unit]:
    if not scope:
        return []
    phrases = [t.phrasings for t in request.topics]
    all_words = [[" ".join(sorted(req)) for req in reqs] for reqs in required]
    rows = topic_passages(
        scope, phrases, [list(t.phrasings) + w for t, w in zip(request.topics, all_words, strict=True)]
    )
    matches: dict[int, dict[int, tuple[bool, bool]]] = defaultdict(dict)
    chapter_ids = set()
    for r in rows:
        chapter_ids.add(r["chapter_id"])
        for i in range(len(request.topics)):
            matches[i][r["chunk_id"]] = (i in r["phrase"], i in r["words"])
    completed: dict[int, set[int]] = defaultdict(set)  # topic -> passages the book's title completes
    for r in _title_completed(request, required, scope, books, frequency):
        chapter_ids.add(r["chapter_id"])
        for i in r["words"]:
            phrase, _ = matches[i].get(r["chunk_id"], (False, False))
            matches[i][r["chunk_id"]] = (phrase, True)
            completed[i].add(r["chunk_id"])
    title_books = {
        i: {b for b in scope if heading_matches(books[b]["title"], required[i])} for i in range(len(required))
    }
    chapters = list(
        Chapter.objects.filter(book_id__in=scope).values(
            "id", "book_id", "order", "title", "summary", "word_count"
        )
    )
    for c in chapters:
        c["book_title"] = books[c["book_id"]]["title"]
    back = back_matter_chapters(chapters)
    words = Counter()
    for c in chapters:
        words[c["book_id"]] += c["word_count"]
    wanted = [
        c
        for c in chapters
        if (c["id"] in chapter_ids or any(c["book_id"] in tb for tb in title_books.values()))
        and c["word_count"] >= MIN_CHAPTER_WORDS
        and not (
            is_filler_title(c["title"])
            and not wrapper_chapter(c, words)
            and not any(heading_matches(c["title"], r) for r in required)
        )
    ]
    outline = defaultdict(list)
    for row in (
        Chunk.objects.filter(chapter_id__in=[c["id"] for c in wanted])
        .order_by("ordinal")
        .values_list("chapter_id", "id", "ordinal", "word_count", "heading_path")
    ):
        outline[row[0]].append(row[1:])
    short = [c["id"] for c in wanted if c["word_count"] < SHORT_CHAPTER_WORDS]
    texts = dict(Chunk.objects.filter(chapter_id__in=short).values_list("id", "text")) if short else {}
    headings: dict[int, set[str]] = defaultdict(set)  # book -> its chapters' titles and headings
    for c in wanted:
        headings[c["book_id"]].add(c["title"])
        headings[c["book_id"]].update(str(h) for row in outline[c["id"]] for h in (row[3] or [])[1:])
    in_book: dict[int, list[list[frozenset[str]]]] = {}  # book -> each topic's words it must say
    for book_id, own in headings.items():
        shares = _book_shares(books[book_id])
        title = books[book_id]["title"]
        frame = frame_words(shares, title, frequency) - set(stems_of(title))
        stems = [set(stems_of(clean_title(h))) for h in own]
        in_book[book_id] = [
            [in_book_required(r, shares, frame, any(r <= s for s in stems)) for r in reqs]
            for reqs in required
        ]
    units = []
    max_words = words_for(SECTION_MAX, depth, pace)
    for c in wanted:
        local_required = in_book[c["book_id"]]
        for unit in build_units(c, outline[c["id"]], c["id"] in back, max_words):
            for i in range(len(request.topics)):
                # Inside a book about Rust, "Rust macros" is named by a heading that says "Macros".
                local = local_required[i]
                dwelt = {
                    cid
                    for cid, _, _ in unit.chunks
                    if cid in texts and (cid in completed[i] or dwells_on(texts[cid], local))
                }
                score_unit(
                    unit,
                    i,
                    local,
                    matches[i],
                    c["summary"],
                    c["book_id"] in title_books[i],
                    c["word_count"],
                    dwelt,
                    one_word=all(len(r) == 1 for r in required[i]),
                )
            units.append(unit)
    return units


def wrapper_chapter(chapter: dict, book_words: Counter) -> bool:
    """A chapter holding most of its book under a filler title: a one-page manual (Sphinx's single
    HTML page) nests every section under "Contents", which is then no table of contents."""
    return chapter["word_count"] * 2 >= book_words[chapter["book_id"]]


def _title_completed(
    request: Request, required: list, scope: list[int], books: dict, frequency: dict[str, float]
) -> list[dict]:
    """Passages whose words complete a topic together with their book's title or the words the whole
    book names throughout (`frame_words`): in "Bread Dough and Fermentation", a passage on baking is
    about "bread baking" (the title says "bread"); in a manual that names its platform in every few
    passages ("Node.js"), a passage on streams is about "Node.js streams". A word matches its agent
    noun too ("baking" -> "baker")."""
    rows = []
    for book_id in scope:
        shares = _book_shares(books[book_id])
        title = set(stems_of(books[book_id]["title"]))
        own = frame_words(shares, books[book_id]["title"], frequency)
        # A topic the book frames whole ("Node.js EventEmitter" in a Node.js manual on it) is
        # completed by the passages that say what the book is about (`in_book_required`).
        missing = [
            [
                gap
                for r in reqs
                if r & own
                for gap in (
                    [r - own]
                    if r - own
                    else [r - title, in_book_required(r, shares, own - title, titled=False)]
                )
                if gap
            ]
            for reqs in required
        ]
        rest = [
            [" ".join(combo) for r in gaps for combo in itertools.product(*[_variants(s) for s in sorted(r)])]
            for gaps in missing
        ]
        if not any(rest):
            continue
        rows += topic_passages([book_id], [[] for _ in rest], rest)
    return rows


def _variants(stem: str) -> list[str]:
    """A stem and its agent noun ("bake" -> "baker", "compil" -> "compiler")."""
    agent = stem + ("r" if stem.endswith("e") else "er")
    return [stem, agent] if len(stem) >= 4 else [stem]


def _book_words(book: dict) -> set[str]:
    """Stems a book's headings leave unsaid: its title's words and words in most of its passages."""
    return {s for s, share in _book_shares(book).items() if share >= BOOK_WORD_SHARE}


FRAME_CONCENTRATION = 3  # a book names its frame this many times as often as the library does


def frame_words(shares: dict[str, float], title: str, library: dict[str, float]) -> set[str]:
    """Words that frame whatever a book's passages say: its title's, and the words it uses in a
    fifth of its passages and far more often than the library does ("Node.js" in a Node.js manual,
    not "set" in any long book)."""
    words = set(stems_of(title))
    for s, share in shares.items():
        if share >= BOOK_WORD_SHARE and share >= FRAME_CONCENTRATION * library.get(s, 0.0):
            words.add(s)
    return words


def _book_shares(book: dict) -> dict[str, float]:
    """Share of the book's passages using each request stem; its title's stems count as in all."""
    shares: dict[str, float] = {}
    for word, n in book.get("word_counts", {}).items():
        for s in stems_of(word):
            shares[s] = max(shares.get(s, 0.0), n / max(1, book["passages"]))
    for s in stems_of(book["title"]):
        shares[s] = 1.0
    return shares


def _unit_dict(unit: Unit, depth: str, pace: int, request: Request, neighbour: bool, named: set[int]) -> dict:
    ids = {cid for cid, _, p in unit.chunks if not is_exercise(p)} if neighbour else unit.relevant_ids()
    chunks = [(cid, w, p) for cid, w, p in unit.chunks if cid in ids]
    words = sum(w for _, w, _ in chunks)
    taught = [i for i in sorted(unit.scores) if teaches(unit, i, named)]
    return {
        "key": unit.key,
        "book_id": unit.book_id,
        "book_title": unit.book_title,
        "chapter_id": unit.chapter_id,
        "chapter_title": unit.chapter_title,
        "chapter_order": unit.chapter_order,
        "title": unit.title,
        "chunk_ids": [cid for cid, _, _ in chunks],
        "subheadings": list(dict.fromkeys(str(p[2]) for _, _, p in chunks if len(p) > 2)),
        "words": words,
        "supported_minutes": round(supported_minutes(words, depth, pace), 1),
        "topics": [request.topics[i].label for i in taught],
        "topic_chunks": {
            request.topics[i].label: sorted(unit.relevant.get(i, set()) & ids if not neighbour else set())
            for i in taught
        },
        "evidence": {request.topics[i].label: unit.evidence[i] for i in taught},
        "score": round(unit.score, 3),
        "neighbour": neighbour,
    }


def _notes(material: Material) -> list[str]:
    notes = []
    supported, planned = _hours(material.supported_minutes), _hours(material.planned_minutes)
    requested = _hours(material.requested_minutes)
    if material.widened:
        notes.append(
            f"Your library supports about {supported} on this; with neighbouring chapters, as you asked, "
            f"planned {planned} of the {requested} requested."
        )
    elif material.planned_minutes < material.requested_minutes:
        says = f"Your library supports about {supported} on this; "
        notes.append(says + f"planned {planned} of the {requested} requested.")
    if material.missing:
        notes.append("Not in your library: " + ", ".join(material.missing) + ".")
    return notes


def _hours(minutes: float) -> str:
    if minutes < 60:
        return f"{round(minutes)} min"
    hours = round(minutes / 60 * 4) / 4
    return f"{hours:g} h"


def _too_little(request: Request, relevant: list[Unit], supported: float) -> str:
    where = "; ".join(dict.fromkeys(u.book_title for u in relevant))
    return (
        f"Your library has too little on “{request.subject}” for a course: about "
        f"{max(1, round(supported))} minutes of material ({where}). Add a book that covers it."
    )


def _refusal(request: Request, book_ids: list[int], books: dict[int, dict], units: list[Unit]) -> str:
    message = f"Your library has no material on “{request.subject}”."
    closeness: dict[int, float] = defaultdict(float)
    for u in units:
        closeness[u.book_id] = max(closeness[u.book_id], u.score + max(u.scores.values(), default=0))
    for book_id, book in books.items():
        counts = book.get("word_counts", {})
        share = sum(counts.values()) / max(1, book["passages"])
        closeness[book_id] += min(0.5, share)
    closest = [books[b]["title"] for b, s in sorted(closeness.items(), key=lambda kv: -kv[1]) if s > 0]
    if closest:
        message += " The closest books you have: " + "; ".join(closest[:CLOSEST_BOOKS]) + "."
    else:
        message += " None of your books comes close; add a book that covers it."
    return message


def coverage(search: dict, taught_chunk_ids: set[int], claimed_missing: list[str] = ()) -> dict:
    """What the stored course really teaches: a topic is covered only when a section cites a
    passage that teaches it; every other named topic is listed as missing (and so is anything a
    model planner said was missing, unless the course does teach it)."""
    labels = [t["label"] for t in (search.get("request") or {}).get("topics", [])]
    covered = [
        label
        for label in labels
        if any(
            set(u.get("topic_chunks", {}).get(label, [])) & taught_chunk_ids for u in search.get("units", [])
        )
    ]
    missing = [label for label in labels if label not in covered]
    known = {label.lower() for label in labels}
    missing += [t for t in claimed_missing if t.lower() not in known and t not in missing]
    result = {
        "covered_topics": covered,
        "missing_topics": missing,
        "covered_terms": covered,
        "requested_minutes": search.get("requested_minutes"),
        "supported_minutes": search.get("supported_minutes"),
        "planned_minutes": search.get("planned_minutes"),
        "notes": [n for n in search.get("notes", []) if not n.startswith("Not in your library")],
    }
    return result


def search_state(found: Material) -> dict:
    """What the search step stores for both planners: the material, its passages and chapters."""
    units = found.units
    chunk_ids = [c for u in units for c in u["chunk_ids"]]
    unit_of = {c: u for u in units for c in u["chunk_ids"]}
    position = {c: i for i, c in enumerate(chunk_ids)}
    rows = Chunk.objects.filter(id__in=chunk_ids).only(
        "id", "text", "heading_path", "page_start", "page_end", "word_count"
    )
    passages = [
        {
            "chunk_id": c.id,
            "chapter_id": unit_of[c.id]["chapter_id"],
            "book_id": unit_of[c.id]["book_id"],
            "book_title": unit_of[c.id]["book_title"],
            "chapter": unit_of[c.id]["chapter_title"],
            "unit": unit_of[c.id]["key"],
            "heading_path": c.heading_path,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "score": unit_of[c.id]["score"],
            "words": c.word_count,
            "excerpt": c.text[:600],
        }
        for c in sorted(rows, key=lambda c: position[c.id])
    ]
    chapter_ids = list(dict.fromkeys(u["chapter_id"] for u in units))
    chapters = chapter_rows(chapter_ids)
    return {
        **found.as_dict(),
        "covered_terms": found.covered,
        "missing_terms": found.missing,
        "chapters": [{**chapters[cid], "score": 0.0} for cid in chapter_ids if cid in chapters],
        "passages": passages,
    }
