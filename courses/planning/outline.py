"""From chosen units to timed sections and parts.

A section's minutes follow the relevant text it draws on: each unit gets its supported minutes
(material.py) scaled by planned / supported, so no section is longer than its sources support; a
unit that supports ten minutes and teaches a topic no other section does keeps a section of its own
when the others can spare the time. Units
too short for a ten-minute section join a neighbour from the same chapter. Parts are runs of
sections, cut preferably where the chapter changes, 30-120 minutes each, their number within the
range the time contract allows.
"""

from __future__ import annotations

import math

from courses.budget import PART_MAX, PART_MIN, SECTION_MIN, part_count_range
from courses.planning.titles import clean_title, distinct_titles, join_two, part_title, section_title


def sections_from_units(units: list[dict], minutes: int) -> list[dict]:
    support = sum(u["supported_minutes"] for u in units) or 1.0
    scale = min(1.0, minutes / support) if not any(u.get("neighbour") for u in units) else minutes / support
    sections = [
        {
            "title": section_title(u["title"], u["chapter_title"]),
            "units": [u["key"]],
            "book_id": u["book_id"],
            "chapter_id": u["chapter_id"],
            "chapter_title": u["chapter_title"],
            "chunk_ids": list(u["chunk_ids"]),
            "subheadings": list(u.get("subheadings", [])),
            "words": u["words"],
            "supported_minutes": u["supported_minutes"],
            "minutes": u["supported_minutes"] * scale,
            "topics": list(u.get("topics", [])),
            "continues": bool(u.get("continues")),
            "lead_out": list(u["chunk_ids"]) if u.get("continues") else [],
        }
        for u in units
    ]
    return _merge_short(_keep_sections(sections))


def _keep_sections(sections: list[dict]) -> list[dict]:
    """A unit that supports a section of its own keeps one when scaling leaves it short and the
    others can spare the minutes: in "ownership and borrowing" in 30 minutes, "References and
    Borrowing" (27 min of material next to 61 for "What Is Ownership?") gets ten minutes rather
    than merging into the other section and leaving borrowing without a section. Only a unit
    teaching a topic no other section teaches; the best supported first."""
    short = [
        s
        for s in sections
        if s["minutes"] < SECTION_MIN <= s["supported_minutes"] and not s["continues"] and s["topics"]
    ]

    def alone(s: dict) -> bool:
        others = {t for o in sections if o is not s and o["minutes"] >= SECTION_MIN for t in o["topics"]}
        return bool(set(s["topics"]) - others)

    for s in sorted(short, key=lambda s: -s["supported_minutes"]):
        if not alone(s):
            continue  # its topics have sections: it may join a neighbour as before
        need = SECTION_MIN - s["minutes"]
        donors = [o for o in sections if o is not s and o["minutes"] > SECTION_MIN]
        spare = sum(o["minutes"] - SECTION_MIN for o in donors)
        if spare < need:
            continue
        for o in donors:
            o["minutes"] -= need * (o["minutes"] - SECTION_MIN) / spare
        s["minutes"] = float(SECTION_MIN)
    return sections


def _merge_short(sections: list[dict]) -> list[dict]:
    while True:
        short = [i for i, s in enumerate(sections) if s["minutes"] < SECTION_MIN]
        merged = False
        for i in short:
            options = [
                j
                for j in (i - 1, i + 1)
                if 0 <= j < len(sections) and sections[j]["chapter_id"] == sections[i]["chapter_id"]
            ]
            if not options:
                continue
            j = min(options, key=lambda k: sections[k]["minutes"])
            a, b = sorted((i, j))
            sections[a : b + 1] = [merge_sections(sections[a], sections[b])]
            merged = True
            break
        if not merged:
            return sections


def merge_sections(a: dict, b: dict) -> dict:
    """Two neighbouring sections of one chapter as one (titled for both when the smaller is not a scrap)."""
    big, small = (a, b) if a["minutes"] >= b["minutes"] else (b, a)
    title = join_two(a["title"], b["title"]) if small["minutes"] >= SECTION_MIN / 2 else None
    return {
        **a,
        "title": title or big["title"],
        "units": a["units"] + b["units"],
        "chunk_ids": a["chunk_ids"] + [c for c in b["chunk_ids"] if c not in a["chunk_ids"]],
        # a few minutes continuing into the next unit (material.py: top_up) are not a topic of their own
        "subheadings": list(
            dict.fromkeys(
                a["subheadings"] + ([] if small["continues"] else [small["title"]]) + b["subheadings"]
            )
        ),
        "words": a["words"] + b["words"],
        "supported_minutes": a["supported_minutes"] + b["supported_minutes"],
        "minutes": a["minutes"] + b["minutes"],
        "topics": list(dict.fromkeys(a["topics"] + b["topics"])),
        "continues": a["continues"] and b["continues"],
        "lead_out": a.get("lead_out", []) + b.get("lead_out", []),
    }


def group_into_parts(sections: list[dict], minutes: int) -> list[list[dict]]:
    """Contiguous parts with balanced minutes, cut at chapter changes where possible."""
    n = len(sections)
    low, high = part_count_range(minutes)
    want = max(low, min(high, round(minutes / 90) or 1), math.ceil(minutes / PART_MAX))
    count = max(1, min(want, n))
    target = sum(s["minutes"] for s in sections) / count
    prefix = [0.0]
    for s in sections:
        prefix.append(prefix[-1] + s["minutes"])

    def cost(i: int, j: int) -> float:  # a part of sections[i:j]
        length = prefix[j] - prefix[i]
        penalty = ((length - target) / max(target, 1)) ** 2
        if length > PART_MAX:
            penalty += 4 * ((length - PART_MAX) / PART_MAX + 1)
        if length < PART_MIN:
            penalty += 1
        if j < n and sections[j]["chapter_id"] == sections[j - 1]["chapter_id"]:
            penalty += 1.0  # cutting inside a chapter
        return penalty

    best = {(0, 0): (0.0, [])}
    for k in range(1, count + 1):
        for j in range(k, n + 1):
            options = [
                (best[(k - 1, i)][0] + cost(i, j), best[(k - 1, i)][1] + [j])
                for i in range(k - 1, j)
                if (k - 1, i) in best
            ]
            if options:
                best[(k, j)] = min(options, key=lambda o: o[0])
    cuts = best[(count, n)][1]
    parts, start = [], 0
    for end in cuts:
        parts.append(sections[start:end])
        start = end
    return [p for p in parts if p]


def titled_parts(parts: list[list[dict]], subject: str = "") -> list[str]:
    """Each part's title (see part_title); a course of one part that no chapter dominates is
    titled by the learner's subject ("Bread"), not by the first of its chapters."""
    if len(parts) == 1 and (whole := whole_course_title(parts[0], subject)):
        return [whole]
    titles, alternatives = [], []
    for part in parts:
        minutes_by_chapter = chapter_minutes(part)
        chapters = sorted(minutes_by_chapter, key=lambda c: -minutes_by_chapter[c])
        titles.append(
            spanning_title(part) or part_title(chapters, [(s["title"], s["minutes"]) for s in part])
        )
        alternatives.append([s["title"] for s in sorted(part, key=lambda s: -s["minutes"])])
    return distinct_titles(titles, alternatives)


SUBJECT_TITLE_WORDS = 6


def chapter_minutes(part: list[dict]) -> dict[str, float]:
    """Minutes of the part's sections by chapter title."""
    minutes: dict[str, float] = {}
    for s in part:
        minutes[s["chapter_title"]] = minutes.get(s["chapter_title"], 0) + s["minutes"]
    return minutes


SPAN_TITLE_WORDS = 10


def spanning_title(part: list[dict]) -> str | None:
    """A part drawn from three chapters or more, none of them half of it (a survey of a book), is
    titled by its span in teaching order: "From Getting Started to Git on the Server", not by the
    largest of its chapters."""
    if not spread(part):
        return None
    first, last = clean_title(part[0]["chapter_title"]), clean_title(part[-1]["chapter_title"])
    title = f"From {first} to {last}"
    if not first or not last or first == last or len(title.split()) > SPAN_TITLE_WORDS:
        return None
    return title


def spread(part: list[dict]) -> bool:
    """The part draws on three chapters or more and none of them is half of it."""
    minutes = chapter_minutes(part)
    total = sum(minutes.values())
    return len(minutes) >= 3 and bool(total) and max(minutes.values()) < total / 2


def whole_course_title(part: list[dict], subject: str) -> str | None:
    if not spread(part):
        return None
    head = clean_title(subject.split(":")[0]).strip()
    if not head or len(head.split()) > SUBJECT_TITLE_WORDS:
        return None
    return head[:1].upper() + head[1:]
