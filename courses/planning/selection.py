"""Choosing the units a course draws on, in teaching order (used by material.py).

Whole-request coherence first: a topic is taught from the books that teach most of the request,
and each topic's first unit comes from the chapter that teaches most of it; then the remaining units
named by a heading (or their chapter's title), then strong text evidence, until they support the
planned time. Front and back matter never fill time, not even when widening.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from courses.planning.request import Request
from courses.planning.sizing import SECTION_MAX, SECTION_MIN, supported_minutes, words_for
from courses.planning.titles import clean_title
from courses.planning.units import (
    RELEVANT,
    Unit,
    back_matter_chapters,
    build_units,
    heading_matches,
    is_exercise,
    is_filler_title,
)
from library.models import Chapter, Chunk

TIERS = {"heading": 0, "chapter": 0, "subheading": 1}  # else 2: text or book-title evidence
STRONG_TEXT = 0.7
OPENING_RE = re.compile(r"^introduction(?:\s+to\b.*)?$", re.I)
CHAPTER_NORM_WORDS = 5000  # a chapter with this many words on a topic teaches all of it


def named_topics(units: list[Unit]) -> set[int]:
    """Topics some unit's own heading, chapter title or sub-heading names."""
    return {
        i for u in units for i, s in u.scores.items() if s >= RELEVANT and TIERS.get(u.evidence[i], 2) < 2
    }


def teaches(unit: Unit, i: int, named: set[int]) -> bool:
    """`unit` teaches topic `i`: it is relevant to it, and when the library has material about the
    topic itself (a heading or chapter naming it), it is such material -- a passing mention in
    another section ("cost of capital" inside "Free Cash Flow") does not teach it."""
    return unit.scores.get(i, 0) >= RELEVANT and (i not in named or TIERS.get(unit.evidence[i], 2) < 2)


def drop_weak_text(units: list[Unit], topics: int) -> None:
    """Text-only evidence below STRONG_TEXT counts only for a topic no heading names."""
    for i in range(topics):
        strong = any(
            TIERS.get(u.evidence.get(i, ""), 2) < 2 and u.scores.get(i, 0) >= RELEVANT for u in units
        )
        if not strong:
            continue
        for u in units:
            if TIERS.get(u.evidence.get(i, ""), 2) == 2 and u.scores.get(i, 0) < STRONG_TEXT:
                u.scores.pop(i, None)


def worth_a_section(units: list[Unit], depth: str, pace: int) -> list[Unit]:
    """Drop scraps: a unit supporting less than a minimum section, alone in its chapter, cannot be
    taught without stretching it (a neighbour in the same chapter would absorb it)."""
    per_chapter: dict[int, int] = defaultdict(int)
    for u in units:
        per_chapter[u.chapter_id] += 1
    return [u for u in units if support_of(u, depth, pace) >= SECTION_MIN or per_chapter[u.chapter_id] > 1]


def support_of(unit: Unit, depth: str, pace: int, whole: bool = False) -> float:
    words = unit.words if whole else unit.relevant_words()
    return supported_minutes(words, depth, pace)


def coverage_by(relevant: list[Unit]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    book_topics: dict[int, set[int]] = defaultdict(set)
    chapter_topics: dict[int, set[int]] = defaultdict(set)
    for u in relevant:
        for i, s in u.scores.items():
            if s >= RELEVANT:
                book_topics[u.book_id].add(i)
                chapter_topics[u.chapter_id].add(i)
    return book_topics, chapter_topics


def keep_coherent(relevant: list[Unit]) -> list[Unit]:
    """Whole-request coherence: a topic is taught from the books that teach most of the request.
    In "Git internals: objects, references and packfiles", Pro Git teaches all four; an economics
    chapter on "Objections" (the same stem as "objects") is not used for "objects"."""
    book_topics, _ = coverage_by(relevant)
    best: dict[int, int] = defaultdict(int)
    for topics in book_topics.values():
        for i in topics:
            best[i] = max(best[i], len(topics))
    for u in relevant:
        for i in list(u.scores):
            if u.scores[i] >= RELEVANT and len(book_topics[u.book_id]) < best[i]:
                u.scores.pop(i)
    return [u for u in relevant if u.score > 0 and u.relevant_words() > 0]


def choose(
    relevant: list[Unit], request: Request, target: float, depth: str, pace: int, stop_short: bool = False
) -> list[Unit]:
    """Units for each topic in turn, until they support the target time (at most one section per
    ten minutes; every topic gets a unit). With `stop_short`, the choice ends once every topic is
    taught and at most half a section's time is left (the caller continues a chosen unit into the
    passages that follow it rather than open a section elsewhere: `top_up`). Each topic's units are
    ranked within the books that teach most of the request: a named topic's units named by a heading
    (or their chapter's title) first, from a chapter titled for it, those whose own heading names
    most of the request first ("References and Borrowing" before "Validating References with
    Lifetimes"), then from the chapter teaching it most ("Unemployment" for unemployment); a
    sub-topic's ("Git internals: objects") from units that also teach the topic it belongs to, in
    the chapter teaching most of the whole request. Ties: score, then book order."""
    book_topics, _ = coverage_by(relevant)
    named = named_topics(relevant)
    mass: dict[tuple[int, int], int] = defaultdict(int)  # (topic, chapter) -> words teaching it
    for u in relevant:
        for i, s in u.scores.items():
            if s >= RELEVANT and (TIERS.get(u.evidence[i], 2) < 2 or s >= STRONG_TEXT):
                mass[(i, u.chapter_id)] += sum(w for cid, w, _ in u.chunks if cid in u.relevant[i])
    weight: dict[int, float] = defaultdict(float)  # how much of the whole request a chapter teaches
    for (_topic, chapter_id), words in mass.items():
        weight[chapter_id] += min(1.0, words / CHAPTER_NORM_WORDS)

    def rank(u: Unit, i: int) -> tuple:
        tier = TIERS.get(u.evidence[i], 2)
        own = round(min(1.0, mass[(i, u.chapter_id)] / CHAPTER_NORM_WORDS), 1)
        whole = round(weight[u.chapter_id], 1)
        heads = [j for j, t in enumerate(request.topics) if not t.sub]
        with_head = any(u.scores.get(j, 0) >= RELEVANT for j in heads)
        # A chapter titled for the topic first ("Chapter 22 Inflation"); then a unit whose own heading
        # names more of the request: "References and Borrowing" before "Validating References with
        # Lifetimes" (which names references and only mentions borrowing), though the lifetimes
        # chapter says more about references. A chapter's "Introduction to ..." repeats the
        # chapter's title: it names nothing of its own.
        titled = heading_matches(u.chapter_title, request.topics[i].stem_sets)
        about = titled and chapter_about_request(u.chapter_title, request)
        named_here = (
            0
            if OPENING_RE.match(clean_title(u.title))
            else sum(u.evidence.get(j) == "heading" and u.scores.get(j, 0) >= RELEVANT for j in heads)
        )
        # In a chapter about the request (its title names nothing else), the chapter's own order: its
        # opening sections are the foundations the later ones build on ("Hypothesis testing":
        # hypotheses, errors, test statistics and decisions before "Reporting the results of a
        # hypothesis test"). "Generic Types, Traits, and Lifetimes" opens with generics, not lifetimes.
        order = (
            (not with_head, -whole, tier, -own)
            if request.topics[i].sub
            else (
                tier,
                not titled,
                0 if about else -named_here,
                -own,
                -whole,
                u.first_ordinal if about else 0,
            )
        )
        score = -round(u.scores[i] + 0.1 * u.score, 2)
        return (
            -len(book_topics[u.book_id]),
            not teaches(u, i, named),  # material about the topic itself first
            *order,
            score,
            u.book_id,
            u.chapter_order,
            u.first_ordinal,
        )

    queues = [
        sorted((u for u in relevant if u.scores.get(i, 0) >= RELEVANT), key=lambda u, i=i: rank(u, i))
        for i in range(len(request.topics))
    ]
    chosen: list[Unit] = []
    total = 0.0
    limit = max(1, int(target // SECTION_MIN))
    slots = 0  # sections so far: a chapter's scraps taken together make one
    deferred: list[Unit] = []  # scraps wait until a unit of their chapter is chosen

    def has(i: int) -> bool:  # every topic gets a unit, even when another unit alone fills the time
        return any(teaches(c, i, named) for c in chosen)

    def in_chosen_chapter(unit: Unit) -> bool:
        return any(c.chapter_id == unit.chapter_id for c in chosen)

    progressed = True
    while (
        progressed
        and slots < limit
        and any(queues)
        and (total < target or not all(map(has, range(len(queues)))))
    ):
        progressed = False  # a pass that takes nothing ends the loop (a topic whose queue ran dry)
        if stop_short and target - total <= SECTION_MIN / 2 and all(map(has, range(len(queues)))):
            break
        if all(map(has, range(len(queues)))):
            unit = _next_in_chosen_chapters(relevant, chosen, deferred, named)
            if unit is not None:  # every topic is taught: the course goes on where it already is
                if unit in deferred:
                    deferred.remove(unit)
                chosen.append(unit)
                total += support_of(unit, depth, pace)
                progressed = True
                continue
        for i, queue in enumerate(queues):
            while queue and (queue[0] in chosen or (queue[0] in deferred and has(i))):
                queue.pop(0)
            if not queue or (total >= target and has(i)) or (slots >= limit and has(i)):
                continue  # a topic not taught yet gets its section even when time is short
            if stop_short and target - total <= SECTION_MIN / 2 and all(map(has, range(len(queues)))):
                continue
            unit = queue.pop(0)
            progressed = True
            if support_of(unit, depth, pace) < SECTION_MIN and not in_chosen_chapter(unit):
                group = _scraps_making_a_section(unit, queue + deferred, i, named, depth, pace)
                if has(i) or not group:
                    if unit not in deferred:
                        deferred.append(unit)  # alone in its chapter it would be stretched to ten minutes
                    continue
                for member in group:  # a topic's first section: its chapter's scraps together
                    if member in deferred:
                        deferred.remove(member)
                    chosen.append(member)
                    total += support_of(member, depth, pace)
                slots += 1
                continue
            if not in_chosen_chapter(unit):
                slots += 1
            chosen.append(unit)
            total += support_of(unit, depth, pace)
    by_chapter: dict[int, list[Unit]] = defaultdict(list)
    for unit in deferred:
        by_chapter[unit.chapter_id].append(unit)
    for scraps in by_chapter.values():  # scraps of one chapter that together make a section
        scraps = [u for u in scraps if u not in chosen]
        if (
            total < target
            and slots < limit
            and sum(support_of(u, depth, pace) for u in scraps) >= SECTION_MIN
        ):
            chosen.extend(scraps)
            total += sum(support_of(u, depth, pace) for u in scraps)
            slots += 1
    for unit in deferred:  # a scrap joins when its chapter is taught anyway (it merges into a section)
        if unit not in chosen and in_chosen_chapter(unit) and total < target:
            chosen.append(unit)
            total += support_of(unit, depth, pace)
    return chosen


TITLE_PARTS_RE = re.compile(r"\s*(?:,\s*(?:and\s+)?|\band\b|&|:|;)\s*", re.I)


def chapter_about_request(chapter_title: str, request: Request) -> bool:
    """Every subject the chapter's title names is a topic of the request: "Hypothesis testing" for
    "hypothesis testing and p-values", "Monopoly and Antitrust Policy" for "monopoly and antitrust
    policy" -- not "Generic Types, Traits, and Lifetimes" for "lifetimes" (one subject of three)."""
    parts = [p for p in TITLE_PARTS_RE.split(clean_title(chapter_title)) if p.strip()]
    return bool(parts) and all(
        any(heading_matches(part, t.stem_sets) for t in request.topics) for part in parts
    )


def _next_in_chosen_chapters(
    relevant: list[Unit], chosen: list[Unit], deferred: list[Unit], named: set[int]
) -> Unit | None:
    """The first unit, in reading order, of a chapter the course already draws on that teaches some
    topic of the request: once every topic has its unit, a chapter's next sections come before a
    section of another chapter ("Hypothesis testing and p-values": the chapter's test statistics
    and decisions before a later chapter's polemic on p-values)."""
    chapters = {u.chapter_id for u in chosen}
    pool = [
        u
        for u in relevant
        if u.chapter_id in chapters and u not in chosen and any(teaches(u, i, named) for i in u.scores)
    ]
    return min(pool, key=lambda u: (u.book_id, u.chapter_order, u.first_ordinal), default=None)


def _scraps_making_a_section(
    unit: Unit, others: list[Unit], i: int, named: set[int], depth: str, pace: int
) -> list[Unit]:
    """`unit` with the fewest other units of its chapter teaching topic `i` that together support a
    ten-minute section (in their ranked order), or [] when the chapter holds too little on it."""
    group, minutes = [unit], support_of(unit, depth, pace)
    for other in others:
        if minutes >= SECTION_MIN:
            break
        if other.chapter_id == unit.chapter_id and other not in group and teaches(other, i, named):
            group.append(other)
            minutes += support_of(other, depth, pace)
    return group if minutes >= SECTION_MIN else []


def top_up(chosen: list[Unit], units: list[Unit], short: float, depth: str, pace: int) -> Unit | None:
    """The opening passages of the unit that follows a chosen one in its chapter, as many as `short`
    minutes need: a course a few minutes short of its time continues where its material does (and
    the passages join that section) instead of opening a section on another chapter. None when no
    chosen unit is followed by enough."""
    taken = {u.key for u in chosen}
    need = words_for(short, depth, pace)
    for unit in sorted(chosen, key=lambda u: -support_of(u, depth, pace)):
        after = sorted(
            (
                u
                for u in units
                if u.chapter_id == unit.chapter_id
                and u.first_ordinal > unit.first_ordinal
                and not u.back_matter
            ),
            key=lambda u: u.first_ordinal,
        )
        if not after or after[0].key in taken:
            continue
        picked, words = [], 0
        for row in after[0].chunks:
            if words >= need or is_exercise(row[2]):
                break
            picked.append(row)
            words += row[1]
        if words >= need:
            return replace(
                after[0], key=f"{after[0].key}+", chunks=picked, scores={}, evidence={}, relevant={}
            )
    return None


def neighbouring_units(chosen: list[Unit], short: float, books: dict, depth: str, pace: int) -> list[Unit]:
    """Unchosen units next to the chosen ones -- the rest of their chapters first, then the chapters
    either side in the same book -- until they make up `short` minutes. Front and back matter
    never fill time."""
    taken = {u.key for u in chosen}
    near = {(u.book_id, u.chapter_order + d) for u in chosen for d in (-1, 0, 1)}
    chapters = [
        c
        for c in Chapter.objects.filter(book_id__in={u.book_id for u in chosen}).values(
            "id", "book_id", "order", "title", "summary", "word_count"
        )
        if (c["book_id"], c["order"]) in near
    ]
    for c in chapters:
        c["book_title"] = books[c["book_id"]]["title"]
    back = back_matter_chapters(
        list(
            Chapter.objects.filter(book_id__in={u.book_id for u in chosen}).values(
                "id", "book_id", "order", "title"
            )
        )
    )
    chapters = [c for c in chapters if c["id"] not in back and not is_filler_title(c["title"])]
    pool = [u for u in build_all(chapters, back, depth, pace) if u.key not in taken and not u.back_matter]
    homes = {(u.book_id, u.chapter_order) for u in chosen}

    def distance(u: Unit) -> tuple:
        d = min(abs(u.chapter_order - o) for b, o in homes if b == u.book_id)
        return (d, u.book_id, u.chapter_order, u.first_ordinal)

    result, total = [], 0.0
    for unit in sorted(pool, key=distance):
        if total >= short:
            break
        result.append(unit)
        total += support_of(unit, depth, pace, True)
    return result


def build_all(chapters: list[dict], back: set[int], depth: str, pace: int) -> list[Unit]:
    outline = defaultdict(list)
    for row in (
        Chunk.objects.filter(chapter_id__in=[c["id"] for c in chapters])
        .order_by("ordinal")
        .values_list("chapter_id", "id", "ordinal", "word_count", "heading_path")
    ):
        outline[row[0]].append(row[1:])
    max_words = words_for(SECTION_MAX, depth, pace)
    return [u for c in chapters for u in build_units(c, outline[c["id"]], c["id"] in back, max_words)]


def teaching_order(units: list[Unit]) -> list[Unit]:
    """Books in the order of their best unit, then each book's own order (foundations first)."""
    rank: dict[int, float] = {}
    for u in units:
        rank[u.book_id] = max(rank.get(u.book_id, 0.0), u.score)
    return sorted(units, key=lambda u: (-rank[u.book_id], u.book_id, u.chapter_order, u.first_ordinal))
