"""A request for a book's own subject ("Learn Git" of Pro Git, "Learn economics" of Principles of
Economics): the whole book is about it, so no heading or passage singles out its material, and the
headings that happen to repeat the word ("Git and Mercurial", "Git on the Server") are no better
than the rest. A teacher surveys the book in its own order: each chapter's opening first (the
foundations before what builds on them), then, while time remains, each chapter's next part; what
only talks about the book itself (how to use it, a tour of its chapters) is left out."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from courses.planning.request import Request, stems_of
from courses.planning.selection import support_of
from courses.planning.sizing import SECTION_MIN
from courses.planning.units import Unit, is_exercise, is_filler_title
from docprof.ai.text import prose_share
from library.models import Chunk

# A text about the book rather than its subject ("How to Use This Book", an introduction that tours
# the chapters, a preface): it names the book or its chapters this often (per 1,000 words; in the
# corpus such openings score 16-36, subject text 0 at the median and under 15 everywhere else).
ABOUT_THE_BOOK_RE = re.compile(
    r"\b(?:this|the)\s+(?:book|guide|manual|tutorial|text)\b|\bchapters?\s+\d+", re.I
)
ABOUT_THE_BOOK_PER_1000 = 15
PROSE_SHARE = 0.6  # of a piece's words; less is mostly code, output or tables


def subject_books(
    request: Request,
    required: list,
    scope: list[int],
    books: dict[int, dict],
    book_words: Callable[[int], set[str]],
) -> dict[int, list[int]]:
    """topic index -> the books in scope about it, when every topic of the request is named whole by
    some book's title (largest such book first); then the books whose title names part of it and
    whose passages most often hold the rest (`book_words`: a book's title stems and the words of a
    fifth of its passages): "Learn bread baking" surveys "The Baking of Bread" and also "Bread
    Dough and Fermentation". Otherwise {} (the usual search decides)."""
    found: dict[int, list[int]] = {}
    titles = {b: set(stems_of(books[b]["title"])) for b in scope}
    for i, reqs in enumerate(required):
        named = [b for b in scope if any(r and r <= titles[b] for r in reqs)]
        if not named or request.topics[i].sub:
            return {}
        partly = [
            b for b in scope if b not in named and any(r & titles[b] and r <= book_words(b) for r in reqs)
        ]
        found[i] = sorted(named, key=lambda b: (-books[b]["passages"], b)) + sorted(
            partly, key=lambda b: (-books[b]["passages"], b)
        )
    return found


def teachable(units: list[Unit]) -> bool:
    """Whether a piece of the book teaches its subject: not text about the book itself, and mostly
    prose (a chapter that opens with a listing of program output teaches nothing from it)."""
    ids = [cid for u in units for cid, _, _ in u.chunks]
    text = "\n".join(Chunk.objects.filter(id__in=ids).values_list("text", flat=True))
    words = len(text.split())
    if not words or len(ABOUT_THE_BOOK_RE.findall(text)) * 1000 >= ABOUT_THE_BOOK_PER_1000 * words:
        return False
    return prose_share(text) >= PROSE_SHARE


def _pieces(units: list[Unit], depth: str, pace: int) -> list[list[Unit]]:
    """A chapter's units in order, the short ones joined to the next until each piece makes a section."""
    pieces: list[list[Unit]] = []
    current: list[Unit] = []
    for unit in units:
        current.append(unit)
        if sum(support_of(u, depth, pace, whole=True) for u in current) >= SECTION_MIN:
            pieces.append(current)
            current = []
    if current:
        if pieces:
            pieces[-1].extend(current)
        else:
            pieces.append(current)
    return pieces


def survey(
    units: list[Unit], topics: dict[int, list[int]], target: float, depth: str, pace: int
) -> tuple[list[Unit], float]:
    """The units of a survey of the subject books, and the minutes the books support in all. Each
    chosen unit teaches every topic whose book it belongs to (its whole text, exercises aside).
    Several topics ("Learn Git and Rust") share the time equally, each surveying its own books."""
    wanted = {b for books in topics.values() for b in books}
    chapters: dict[tuple[int, int], list[Unit]] = defaultdict(list)
    for u in units:
        if u.book_id not in wanted or u.back_matter or is_filler_title(u.chapter_title):
            continue
        body = {cid for cid, _, path in u.chunks if not is_exercise(path)}
        if not body:
            continue
        for i, books in topics.items():
            if u.book_id in books:
                u.scores[i], u.evidence[i], u.relevant[i] = 1.0, "chapter", body
        chapters[(u.book_id, u.chapter_order)].append(u)
    supported = sum(support_of(u, depth, pace) for rows in chapters.values() for u in rows)
    chosen: list[Unit] = []
    for books in topics.values():
        rank = {b: n for n, b in enumerate(books)}
        own = sorted((key for key in chapters if key[0] in rank), key=lambda key: (rank[key[0]], key[1]))
        pieces = [_pieces(sorted(chapters[key], key=lambda u: u.first_ordinal), depth, pace) for key in own]
        share = target / len(topics)
        chosen += _round_robin(pieces, share, max(1, int(share // SECTION_MIN)), chosen, depth, pace)
    return chosen, supported


def _round_robin(
    pieces: list[list[list[Unit]]], target: float, limit: int, taken: list[Unit], depth: str, pace: int
) -> list[Unit]:
    """Each chapter's next piece in turn -- one that makes a section of its own (a short one is not
    stretched into one), teaches the subject and is not `taken` already -- until `target` minutes
    or `limit` sections."""

    def minutes(piece: list[Unit]) -> float:
        return sum(support_of(u, depth, pace) for u in piece)

    chosen: list[Unit] = []
    total, sections = 0.0, 0
    left = [iter(chapter) for chapter in pieces]  # each chapter's pieces not yet looked at
    while left and total < target and sections < limit:
        for chapter in list(left):
            if total >= target or sections >= limit:
                break
            piece = next(
                (
                    p
                    for p in chapter
                    if minutes(p) >= SECTION_MIN and not any(u in taken for u in p) and teachable(p)
                ),
                None,
            )
            if piece is None:
                left.remove(chapter)
                continue
            chosen.extend(piece)
            total += minutes(piece)
            sections += 1
    return chosen
