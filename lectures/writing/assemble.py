"""From written segments to a stored lecture: numbering, citation check, length contract, quiz.

- `compose` numbers the segments' citations across the lecture (the same quote of the same passage
  keeps one number); it also renders a partial lecture while it is being written.
- `assemble` checks every quote verbatim against its passage (library.quotes): a failing citation
  is repaired (the quote's real passage among the lecture's inputs) or removed with its claim;
  then the length contract (trim, or extend with more framed material) and the quiz. The result is
  ready to store only if 100% of its citations verify (else LectureWritingError).
"""

from __future__ import annotations

from lectures.writing import quiz as quizzes
from lectures.writing.base import Brief, LectureWritingError, count_words
from lectures.writing.offline import extension
from lectures.writing.units import drop_claims, markers, paragraphs, renumber, sentence_units
from library.quotes import as_in_passage, clean_quote, find_passage, quote_in, tidy_quote

LOW, HIGH = 0.90, 1.10  # the length contract
AIM_LOW, AIM_HIGH = 0.95, 1.05  # what correction aims for, inside the contract


def compose(segments: list[dict]) -> dict:
    """{"segments": [{index, objective, text, numbers}], "citations": [{n, chunk_id, quote}]}"""
    citations: list[dict] = []
    number_of: dict[tuple[int, str], int] = {}
    out = []
    for segment in sorted(segments, key=lambda s: s["index"]):
        mapping = {}
        for c in segment.get("citations", []):
            key = (int(c["chunk_id"]), clean_quote(c["quote"]))
            if key not in number_of:
                number_of[key] = len(citations) + 1
                # matched by its normalised form, kept as written (its dashes and quote marks)
                citations.append({"n": number_of[key], "chunk_id": key[0], "quote": tidy_quote(c["quote"])})
            mapping[int(c["n"])] = number_of[key]
        # A marker with no citation behind it becomes [0]: its claim is removed by the check.
        text = renumber(segment["text"], {n: mapping.get(n, 0) for n in markers(segment["text"])})
        out.append(
            {
                "index": segment["index"],
                "objective": segment["objective"],
                "text": text,
                "numbers": sorted(set(markers(text)) - {0}),
            }
        )
    return {"segments": out, "citations": citations}


def verify(citations: list[dict], passages: dict[int, dict]) -> tuple[list[dict], set[int], dict]:
    """Check each quote in its passage; repair to the passage that holds it; else remove."""
    kept, removed, repaired = [], set(), 0
    pool = [(pid, p["text"]) for pid, p in passages.items()]
    for c in citations:
        cited = passages.get(int(c["chunk_id"]))
        if cited is not None and quote_in(c["quote"], cited["text"]):
            kept.append(c)
            continue
        real = find_passage(c["quote"], pool)
        if real is not None:
            kept.append({**c, "chunk_id": int(real)})
            repaired += 1
        else:
            removed.add(int(c["n"]))
    report = {"total": len(citations), "verified": len(kept) - repaired, "repaired": repaired}
    report["removed"] = len(removed)
    return kept, removed, report


class Parts:
    """The lecture's texts (introduction, one per objective, recap) with their word counts."""

    def __init__(self, intro: str, bodies: list[str], recap: str):
        self.texts = [intro, *bodies, recap]
        self.counts = [count_words(t) for t in self.texts]

    def set(self, i: int, text: str) -> None:
        self.texts[i] = text
        self.counts[i] = count_words(text)

    @property
    def words(self) -> int:
        return sum(self.counts)

    @property
    def bodies(self) -> range:
        return range(1, len(self.texts) - 1)


def trim(parts: Parts, limit: int) -> None:
    """Drop the last sentence of the longest objective's last paragraph until within `limit`."""
    while parts.words > limit:
        i = max(parts.bodies, key=lambda j: parts.counts[j])
        paras = paragraphs(parts.texts[i])
        units = sentence_units(paras[-1]) if paras else []
        if len(units) > 1 and (markers(" ".join(units[:-1])) or not markers(paras[-1]) or len(paras) == 1):
            paras[-1] = " ".join(units[:-1])
        elif len(paras) > 1:  # a paragraph left without its quotes goes altogether
            paras.pop()
        else:
            return
        parts.set(i, "\n\n".join(paras))


def extend(parts: Parts, brief: Brief, citations: list[dict], goal: int) -> None:
    """Add framed material from the lecture's passages, objective by objective, up to `goal`."""
    used = {(c["chunk_id"], c["quote"]) for c in citations}
    stuck = 0
    i = 0
    while parts.words < goal and stuck < len(parts.bodies):
        j = parts.bodies[i % len(parts.bodies)]
        need = max(40, (goal - parts.words) // max(1, len(parts.bodies)) + 20)
        start = max((c["n"] for c in citations), default=0) + 1
        more = extension(brief, j - 1, used, need, start=start)
        if more["text"]:
            parts.set(j, f"{parts.texts[j]}\n\n{more['text']}")
            citations.extend(more["citations"])
            used.update((c["chunk_id"], c["quote"]) for c in more["citations"])
            stuck = 0
        else:
            stuck += 1
        i += 1


def check_quiz(questions: list[dict], passages: dict[int, dict]) -> list[dict]:
    pool = [(pid, p["text"]) for pid, p in passages.items()]
    out = []
    for q in questions:
        q = {**q, "quote": clean_quote(q.get("quote", ""))}
        passage = passages.get(int(q.get("chunk_id") or 0))
        if passage is None or not quote_in(q["quote"], passage["text"]):
            real = find_passage(q["quote"], pool)
            if real is None:
                continue
            q = {**q, "chunk_id": int(real)}
        if q.get("choices") and q["answer"] not in q["choices"]:
            continue
        out.append(q)
    return out


def citation_entry(n: int, chunk_id: int, quote: str, passages: dict[int, dict]) -> dict:
    p = passages[int(chunk_id)]
    return {
        "n": n,
        "chunk_id": int(chunk_id),
        "book_id": p["book_id"],
        "book_title": p["book_title"],
        "chapter": p["chapter"],
        "page_start": p["page_start"],
        "page_end": p["page_end"],
        "quote": as_in_passage(quote, p["text"]),
        "verified": quote_in(quote, p["text"]),
    }


def assemble(brief: Brief, draft: dict, finished: dict, segments: list[dict]) -> dict:
    """The stored lecture's fields from the draft, the finishing pass and the raw segments."""
    citations, removed, report = verify(draft["citations"], brief.passages)
    known = {c["n"] for c in citations}
    bodies = finished.get("segments") or [s["text"] for s in draft["segments"]]
    texts = [finished.get("introduction", ""), *bodies, finished.get("recap", "")]
    texts = [drop_claims(t, removed | (set(markers(t)) - known)) for t in texts]
    parts = Parts(texts[0], texts[1:-1], texts[-1])
    target = brief.target_words
    if parts.words > target * HIGH:
        trim(parts, round(target * AIM_HIGH))
    if parts.words < target * LOW:
        extend(parts, brief, citations, round(target * AIM_LOW))
    # Number citations in order of first use; drop those no claim refers to any more.
    order: dict[int, int] = {}
    for text in parts.texts:
        for n in markers(text):
            order.setdefault(n, len(order) + 1)
    by_number = {c["n"]: c for c in citations}
    final = [
        citation_entry(order[n], by_number[n]["chunk_id"], by_number[n]["quote"], brief.passages)
        for n in order
    ]
    if not final or not all(c["verified"] for c in final):
        raise LectureWritingError("The lecture's citations could not be verified against the books.")
    texts = [renumber(t, order) for t in parts.texts]
    report.update(final=len(final), ok=True)
    words = sum(count_words(t) for t in texts)
    lecture_segments = [{"kind": "introduction", "objective": "", "text": texts[0]}]
    lecture_segments += [
        {"kind": "objective", "objective": o, "text": t}
        for o, t in zip(brief.objectives, texts[1:-1], strict=True)
    ]
    if texts[-1]:
        lecture_segments.append({"kind": "recap", "objective": "", "text": texts[-1]})
    script = "\n\n".join(f"## {heading(s)}\n\n{s['text']}" for s in lecture_segments)
    return {
        "script": script,
        "segments": lecture_segments,
        "citations": final,
        "citation_check": report,
        "quiz": build_quiz(brief, segments, final),
        "word_count": words,
        "minutes": round(words / brief.pace_wpm, 2),
        "target_words": target,
        "length_check": {
            "target": target,
            "words": words,
            "ratio": round(words / target, 3),
            "ok": LOW <= words / target <= HIGH,
        },
    }


def _grouped(objectives: list[str], questions: list[dict]) -> list[list[dict]]:
    """Questions grouped by the objective they test, in the objectives' order (a question whose
    objective is not the section's goes with the first group)."""
    groups: list[list[dict]] = [[] for _ in objectives]
    for q in questions:
        index = objectives.index(q["objective"]) if q.get("objective") in objectives else 0
        groups[index].append(q)
    return groups


def heading(segment: dict) -> str:
    return {"introduction": "Introduction", "recap": "Recap"}.get(segment["kind"]) or segment["objective"]


def build_quiz(brief: Brief, segments: list[dict], citations: list[dict]) -> list[dict]:
    written = [
        q
        for s in sorted(segments, key=lambda s: s["index"])
        for q in check_quiz(s.get("quiz", []), brief.passages)
    ]
    by_objective = _grouped(brief.objectives, written)  # by the objective each question tests
    chosen = quizzes.select(by_objective)
    if len(chosen) < quizzes.MIN_QUESTIONS:
        # Too few from the writer: questions from every cited sentence, objective by objective.
        extra = _grouped(
            brief.objectives,
            [
                q
                for o, ids in zip(brief.objectives, brief.plan, strict=True)
                for q in quizzes.candidates(
                    o, [c for c in citations if c["chunk_id"] in set(ids)], brief, loose=True
                )
            ],
        )
        merged = [[*a, *b] for a, b in zip(by_objective, extra, strict=True)]
        chosen = quizzes.select(merged)
    if len(chosen) < quizzes.MIN_QUESTIONS:
        raise LectureWritingError("The passages for this section are too thin to write a quiz from.")
    number_of = {(c["chunk_id"], clean_quote(c["quote"])): c["n"] for c in citations}
    out = []
    for q in chosen:
        citation = citation_entry(
            number_of.get((int(q["chunk_id"]), clean_quote(q["quote"]))),
            q["chunk_id"],
            q["quote"],
            brief.passages,
        )
        out.append(
            {
                "id": q["id"],
                "objective": q["objective"],
                "kind": q["kind"],
                "question": q["question"],
                "choices": q.get("choices"),
                "answer": q["answer"],
                "explanation": q["explanation"],
                "citation": citation,
            }
        )
    return out
