"""What a lecture is written from, and its cache key.

For each learning objective: the section's own passages that speak to it first, then the best
passages of the rest of the learner's readable library. The cache key is the sha256 of the
normalised objectives, the content hashes of those passages (in order), style, depth, pace and the
writer (kind, version, model, prompts): two learners whose sections resolve to the same inputs get
the same lecture, and a learner whose private books add passages gets a different one (a lecture
never cites a book its reader may not read).

Resolving a section to its key costs a few searches, so the result is kept in Redis for the same
section, preferences and readable library (book ids and ingestion times).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field

from redis.exceptions import LockError

from docprof.ai.text import content_terms
from docprof.redis_client import get_redis
from library.models import Chunk
from library.retrieval import search_chunks

RESOLVE_TTL = 24 * 3600
WORDS_PER_PASSAGE = 140  # what a framed passage contributes to a lecture, roughly (offline writer)
MIN_PER_OBJECTIVE = 2
MAX_PER_OBJECTIVE = 16


def normalise_objective(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def text_hash(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", " ", text or "").strip().encode("utf-8")).hexdigest()


@dataclass
class LectureInputs:
    """Everything a lecture depends on; `key` addresses the shared Lecture."""

    title: str
    objectives: list[str]
    minutes: int
    style: str
    depth: str
    pace_wpm: int
    writer: dict
    plan: list[list[int]]  # passage ids per objective, best first
    reserve: list[int]  # more passages, for the length contract
    hashes: dict[str, str] = field(default_factory=dict)  # chunk id -> content hash

    @property
    def target_words(self) -> int:
        return max(1, round(self.minutes * self.pace_wpm))

    @property
    def key(self) -> str:
        material = {
            "objectives": [normalise_objective(o) for o in self.objectives],
            "minutes": self.minutes,
            "passages": [[self.hashes[str(i)] for i in ids] for ids in self.plan],
            "reserve": [self.hashes[str(i)] for i in self.reserve],
            "style": self.style,
            "depth": self.depth,
            "pace_wpm": self.pace_wpm,
            "writer": self.writer,
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()

    def as_dict(self) -> dict:
        return asdict(self)


def preferences_of(section) -> tuple[str, str, int]:
    prefs = section.course.preferences or {}
    return (
        prefs.get("presentation_style") or "lecture",
        prefs.get("depth") or "standard",
        int(prefs.get("pace_wpm") or 150),
    )


def objectives_of(section) -> list[str]:
    objectives = [o.strip() for o in (section.learning_objectives or []) if str(o).strip()]
    return objectives or [section.title]


def _library_fingerprint(library: list[str]) -> str:
    return hashlib.sha256(repr(list(library)).encode()).hexdigest()[:24]


# Resolutions this process has read or made, by the same key as Redis (a probe of everything they
# depend on, the library's ingestion times included, so an entry never goes stale; it only ages
# out). It spares a learner's first GET the Redis round trip. Tests that clear Redis clear it too.
_resolved: dict[str, str | bytes] = {}
RESOLVED_KEEP = 4096


def _remember(key: str, text) -> None:
    if len(_resolved) >= RESOLVED_KEEP:
        try:
            _resolved.pop(next(iter(_resolved)), None)
        except (RuntimeError, StopIteration):  # another thread changed it meanwhile
            pass
    _resolved[key] = text


def forget_resolutions() -> None:
    _resolved.clear()


def resolve(section, user, writer: dict, library: list[str]) -> LectureInputs:
    """The inputs (and so the key) of this section's lecture for this reader; cached in Redis.
    `library`: the books it may draw on, "id@ingested_at" by id (`lectures.selectors.library_for`)."""
    book_ids = [int(stamp.split("@", 1)[0]) for stamp in library]
    style, depth, pace = preferences_of(section)
    objectives = objectives_of(section)
    probe = {  # not the section's id: learners of identical sections share the resolution
        "title": section.title,
        "objectives": objectives,
        "minutes": section.estimated_minutes,
        "sources": section.source_chunk_ids,
        "prefs": [style, depth, pace],
        "writer": writer,
        "library": _library_fingerprint(library),
    }
    cache_key = (
        "docprof:lecture-inputs:" + hashlib.sha256(json.dumps(probe, sort_keys=True).encode()).hexdigest()
    )
    cached = _resolved.get(cache_key)
    if cached is None:
        client = get_redis()
        cached = client.get(cache_key)
    if cached:
        _remember(cache_key, cached)
        return LectureInputs(**json.loads(cached))
    # Many learners opening the same section at once: one of them searches, the others wait for it.
    lock = client.lock(f"{cache_key}:lock", timeout=60)
    locked = lock.acquire(blocking_timeout=30)  # not locked after 30 s: search anyway
    try:
        cached = client.get(cache_key)
        if cached:
            _remember(cache_key, cached)
            return LectureInputs(**json.loads(cached))
        inputs = gather(section, objectives, book_ids, style=style, depth=depth, pace=pace, writer=writer)
        text = json.dumps(inputs.as_dict())
        client.set(cache_key, text, ex=RESOLVE_TTL)
        _remember(cache_key, text)
        return inputs
    finally:
        if locked:
            try:
                lock.release()
            except LockError:  # expired meanwhile: nothing to release
                pass


def other_sections_sources(section) -> list[int]:
    """The passages the course's other sections are planned on (and this one is not), sorted."""
    own = set(section.source_chunk_ids or [])
    siblings = section.course.sections.exclude(pk=section.pk).values_list("source_chunk_ids", flat=True)
    return sorted({i for ids in siblings for i in ids or [] if i not in own})


def gather(section, objectives, book_ids, *, style, depth, pace, writer) -> LectureInputs:
    """The passages each objective is written from, best first: the section's own that speak to
    it, then the library's, the section's own chapters first; never a passage another section of
    the course is planned on, which that section teaches. (The resolution's cache key leaves the
    other sections out: identical sections of different courses share their inputs.)"""
    minutes = int(section.estimated_minutes or 10)
    target = minutes * pace
    per_objective = min(
        MAX_PER_OBJECTIVE,
        max(MIN_PER_OBJECTIVE, math.ceil(target / len(objectives) / WORDS_PER_PASSAGE)),
    )
    own = list(
        Chunk.objects.filter(id__in=section.source_chunk_ids or [], book_id__in=book_ids)
        .order_by("book_id", "ordinal")
        .values("id", "text", "heading_path", "chapter_id")
    )
    own_chapters = {c["chapter_id"] for c in own}
    taken = set(other_sections_sources(section))
    used: set[int] = set()
    plan: list[list[int]] = []
    extra: list[int] = []
    texts = {c["id"]: c["text"] for c in own}
    own_terms = {c["id"]: set(content_terms(c["text"] + " " + " ".join(c["heading_path"]))) for c in own}
    for objective in objectives:
        terms = set(content_terms(objective))
        # The section's own passages that speak to the objective, best first; then the library's.
        ranked = sorted(
            (c["id"] for c in own if terms & own_terms[c["id"]]), key=lambda i: -len(terms & own_terms[i])
        )
        ids = list(ranked)
        hits = search_chunks(f"{section.title}. {objective}", book_ids, k=min(50, per_objective * 2))
        hits = sorted(
            (h for h in hits if h.chunk_id not in taken), key=lambda h: h.chapter_id not in own_chapters
        )
        for hit in hits:
            texts.setdefault(hit.chunk_id, hit.text)
            if hit.chunk_id not in ids:
                ids.append(hit.chunk_id)
        # Passages may serve two objectives (the writers split their sentences between them).
        chosen = ids[:per_objective]
        used.update(chosen)
        extra.extend(ids[per_objective:])
        plan.append(chosen)
    # Own passages no objective picked, then the library's next best: material to extend with.
    reserve = list(dict.fromkeys([c["id"] for c in own] + extra))
    reserve = [i for i in reserve if i not in used][: per_objective * len(objectives)]
    hashes = {str(i): text_hash(texts[i]) for ids in [*plan, reserve] for i in ids}
    return LectureInputs(
        title=section.title,
        objectives=objectives,
        minutes=minutes,
        style=style,
        depth=depth,
        pace_wpm=pace,
        writer=writer,
        plan=plan,
        reserve=reserve,
        hashes=hashes,
    )


def load_passages(ids) -> dict[int, dict]:
    """Passages by id with book, chapter and pages (what a citation names)."""
    rows = (
        Chunk.objects.filter(id__in=list(ids))
        .select_related("book", "chapter")
        .only(
            "id", "text", "ordinal", "page_start", "page_end", "heading_path", "book_id",
            "chapter_id", "book__title", "chapter__title",
        )
    )  # fmt: skip
    return {
        c.id: {
            "chunk_id": c.id,
            "book_id": c.book_id,
            "book_title": c.book.title,
            "chapter_id": c.chapter_id,
            "chapter": c.chapter.title,
            "ordinal": c.ordinal,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "heading_path": c.heading_path,
            "text": c.text,
            "hash": text_hash(c.text),
        }
        for c in rows
    }
