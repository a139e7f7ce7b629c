"""The offline planner: a course from the library's own structure, no model.

Units of teaching are a chapter's second-level headings (or the chapter itself). The units that the
request's passages point at are chosen by relevance, ordered from foundations to advanced (earlier in
their book first), grouped into parts, and given objectives drawn from their key sentences.
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict

import numpy as np

from courses.budget import part_count_range
from courses.planning.base import PartDraft, PlanContext, Planner
from docprof.ai.factory import get_embedder
from docprof.ai.text import split_sentences, word_count
from library.models import Chunk

CHAPTER_NUMBER_RE = re.compile(
    r"^\s*(?:(?:chapter|part|section|unit|lesson|appendix)\s+(?:\d+(?:\.\d+)*|[IVXLC]+|[A-Z])\b"
    r"|\d+(?:\.\d+)*\b|[IVXLC]+[.:)])[.:)]?\s*[:.\-–—]?\s+",
    re.I,
)
DEFINITION_RE = re.compile(
    r"^(?:An?\s+|The\s+)?([A-Za-z][\w\s\-()']{2,60}?)\s+(?:is|are|refers to|means|measures)\s+(.{10,})$"
)
NOT_A_TERM = frozenset(
    "this that these those there it its what which such each whichever we they he she you one our their "
    "another both either neither some any all most many several here who whom whose if then so since "
    "because when while although as thus hence and but or for to in on".split()
)
FORMULA_RE = re.compile(r"[A-Za-z]\w*\s*=\s*[^=]{3,}")
MAX_SOURCES_PER_SECTION = 12


def clean_title(title: str) -> str:
    stripped = CHAPTER_NUMBER_RE.sub("", title or "").strip(" :.-–—")
    return stripped or (title or "").strip()


def join_titles(titles: list[str], limit: int = 3) -> str:
    titles = list(OrderedDict.fromkeys(t for t in titles if t))[:limit]
    if not titles:
        return "Foundations"
    if len(titles) == 1:
        return titles[0]
    return ", ".join(titles[:-1]) + " and " + titles[-1]


class OfflinePlanner(Planner):
    name = "offline"
    version = "1"

    def _units(self, ctx: PlanContext) -> list[dict]:
        """Teaching units hit by the request's passages, with their relevance and book position."""
        chapters = {c["chapter_id"]: c for c in ctx.chapters}
        hits: dict[tuple, list[float]] = defaultdict(list)
        first_chunk: dict[tuple, int] = {}
        for p in ctx.passages:
            key = (p["chapter_id"], tuple(p["heading_path"][:2]))
            first_chunk[key] = min(first_chunk.get(key, p["chunk_id"]), p["chunk_id"])
            hits[(p["chapter_id"], tuple(p["heading_path"][:2]))].append(
                p["score"] * (1 + p.get("matched_terms", 0))
            )
        # The best passages decide; a long unit with many weak hits does not outrank a focused one.
        score: dict[tuple, float] = defaultdict(float)
        for key, values in hits.items():
            values.sort(reverse=True)
            score[key] = sum(v * w for v, w in zip(values, (1.0, 0.5, 0.25), strict=False))
        for c in ctx.chapters:  # chapters matched by their summary count even without passage hits
            if not any(k[0] == c["chapter_id"] for k in score):
                score[(c["chapter_id"], None)] += c["score"] * 0.5
        units = []
        for (chapter_id, path), value in score.items():
            chapter = chapters.get(chapter_id)
            if chapter is None:
                continue
            title = clean_title(path[-1]) if path and len(path) > 1 else clean_title(chapter["title"])
            if title.lower() in ("front matter", chapter["book_title"].lower()):
                title = f"Introduction to {chapter['book_title']}"
            units.append(
                {
                    "chapter_id": chapter_id,
                    "heading_path": list(path) if path else None,
                    "title": title,
                    "chapter_title": clean_title(chapter["title"]),
                    "score": value,
                    "position": (chapter["order"] + 1) / max(1, chapter["chapter_count"]),
                    "book_id": chapter["book_id"],
                    "order": chapter["order"],
                    "first_chunk": first_chunk.get((chapter_id, path), 0),
                }
            )
        units.sort(key=lambda u: -u["score"])
        return units

    def generate_parts(self, ctx: PlanContext) -> tuple[str, list[PartDraft], list[str]]:
        units = self._units(ctx)
        wanted = max(1, round(ctx.minutes / ctx.section_minutes))
        chosen = units[: max(wanted, 1)]
        # foundations first: earlier in its book, then by book and chapter order
        chosen.sort(
            key=lambda u: (round(u["position"], 2), u["book_id"], u["order"], u.get("first_chunk", 0))
        )
        low, high = part_count_range(ctx.minutes)
        count = max(low, min(high, round(ctx.minutes / 90) or 1, len(chosen)))
        groups = _split_evenly(chosen, count)
        parts = []
        for group in groups:
            chapter_ids = list(OrderedDict.fromkeys(u["chapter_id"] for u in group))
            title = join_titles([u["chapter_title"] for u in group], limit=2)
            summary = "; ".join(OrderedDict.fromkeys(u["title"] for u in group))
            minutes = ctx.minutes * len(group) / len(chosen)
            parts.append(PartDraft(title, f"Covers {summary}.", minutes, chapter_ids, units=group))
        title = f"{ctx.topic[:1].upper()}{ctx.topic[1:]}" if ctx.topic else "Your course"
        return title, parts, list(ctx.missing_terms)

    def expand_part(self, ctx: PlanContext, parts: list[PartDraft], index: int) -> list[dict]:
        part = parts[index]
        units = part.units or [u for u in self._units(ctx) if u["chapter_id"] in set(part.chapter_ids)]
        if not units:
            units = [
                {"chapter_id": cid, "heading_path": None, "title": "", "score": 0.0}
                for cid in part.chapter_ids
            ]
        chunks_by_chapter: dict[int, list[Chunk]] = defaultdict(list)
        for chunk in (
            Chunk.objects.filter(chapter_id__in={u["chapter_id"] for u in units})
            .select_related("book", "chapter")
            .order_by("ordinal")
        ):
            chunks_by_chapter[chunk.chapter_id].append(chunk)
        relevance = {p["chunk_id"]: p["score"] for p in ctx.passages}
        total_score = sum(max(u["score"], 1e-6) for u in units)
        sections = []
        for unit in units:
            chunks = [
                c
                for c in chunks_by_chapter[unit["chapter_id"]]
                if unit["heading_path"] is None or c.heading_path[:2] == unit["heading_path"]
            ]
            if not chunks:
                continue
            ranked = sorted(chunks, key=lambda c: (-relevance.get(c.id, 0.0), c.ordinal))
            sources_chunks = sorted(ranked[:MAX_SOURCES_PER_SECTION], key=lambda c: c.ordinal)
            title = unit["title"] or clean_title(chunks[0].chapter.title)
            texts = [c.text for c in sources_chunks]
            sections.append(
                {
                    "title": title[:200],
                    "minutes": part.minutes * max(unit["score"], 1e-6) / total_score,
                    "learning_objectives": objectives_for(title, texts, ctx.topic),
                    "content_summary": " ".join(key_sentences(texts, f"{ctx.topic} {title}", 2)),
                    "source_chunk_ids": [c.id for c in sources_chunks],
                }
            )
        return sections


def _split_evenly(items: list, count: int) -> list[list]:
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    groups, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        groups.append(items[start:end])
        start = end
    return [g for g in groups if g]


def key_sentences(texts: list[str], focus: str, limit: int) -> list[str]:
    """The sentences most similar to `focus` and to the passage as a whole, in reading order."""
    sentences = [s for t in texts for s in split_sentences(t) if 6 <= word_count(s) <= 45]
    if not sentences:
        return []
    embedder = get_embedder()
    vectors = np.asarray(embedder.embed(sentences), dtype=np.float32)
    centroid = vectors.mean(axis=0)
    focus_vec = np.asarray(embedder.embed_one(focus), dtype=np.float32)
    scores = vectors @ focus_vec + 0.5 * (vectors @ centroid)
    best = sorted(np.argsort(-scores)[:limit].tolist())
    return [sentences[i] for i in best]


def objectives_for(title: str, texts: list[str], topic: str) -> list[str]:
    """2-4 measurable objectives from the section's own sentences: definitions, formulas, examples."""
    subject = title.rstrip(".") or topic
    objectives = [f"Explain the key ideas of {subject}"]
    seen = {subject.lower()}
    for sentence in key_sentences(texts, f"{topic} {title}", 12):
        match = DEFINITION_RE.match(sentence.strip())
        if match:
            term = match.group(1).strip()
            term_words = term.lower().split()
            plausible = term_words[0] not in NOT_A_TERM and term_words[-1] not in NOT_A_TERM
            if plausible and term.lower() not in seen and 1 <= len(term_words) <= 5:
                objectives.append(f"Define {lower_first(term)}")
                seen.add(term.lower())
        if len(objectives) >= 3:
            break
    joined = " ".join(texts)
    if FORMULA_RE.search(joined) or re.search(r"\d+(\.\d+)?\s*%", joined):
        objectives.append(f"Calculate the results that {subject} describes from given figures")
    elif re.search(r"\bexample\b", joined, re.I):
        objectives.append(f"Apply {subject} to the worked example in the text")
    if len(objectives) < 2:
        objectives.append(f"Summarise {subject} in a few sentences")
    return objectives[:6]


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
