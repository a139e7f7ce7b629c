"""Test support for lectures: small courses over a test book, and a scripted lecture model.

`ScriptedLectureLLM(latency=...)` is a FakeLLM whose answers are written from the prompt itself: a
segment quotes sentences of the <book_text> passages it was given (with [n] and exact quotes) up to
the requested length, plus one quiz question; the finishing call returns an introduction, recap and
transitions. `bad_quotes=True` makes every segment's first citation point at the wrong passage
(repairable) and adds one invented quote (to be removed with its claim).
"""

from __future__ import annotations

import re

from courses.models import Course, CourseSection
from docprof.ai.fake import FakeLLM
from docprof.ai.text import split_sentences
from lectures.schemas import RefinedLecture, SegmentDraft
from library.models import Chunk

PASSAGE_RE = re.compile(r'<book_text chunk_id="(\d+)"[^>]*>\n(.*?)\n</book_text>', re.S)
WORDS_RE = re.compile(r"Length: about (\d+) words")
OBJECTIVE_RE = re.compile(r"Objective of this segment: (.+)")


def make_course(
    owner, book, *, minutes=4, pace=120, style="lecture", depth="standard", objectives=None, title=None
):
    """A course with one part and one section drawing on the whole test book."""
    course = Course.objects.create(
        owner=owner,
        title=title or "Bread from first principles",
        original_query="Learn bread baking",
        requested_hours="1",
        status=Course.Status.READY,
        preferences={"depth": depth, "presentation_style": style, "pace_wpm": pace},
    )
    part = CourseSection.objects.create(
        course=course, order_index=0, title="Dough", estimated_minutes=minutes
    )
    chunk_ids = list(Chunk.objects.filter(book=book).order_by("ordinal").values_list("id", flat=True))
    section = CourseSection.objects.create(
        course=course,
        parent_section=part,
        order_index=0,
        title="How dough becomes bread",
        learning_objectives=objectives
        or [
            "Explain how gluten forms from flour and water",
            "Calculate dough hydration",
            "Describe proofing",
        ],
        estimated_minutes=minutes,
        source_chunk_ids=chunk_ids[:4],
    )
    return course, section


def add_section(course, part, title, objectives, minutes=4, order=1, chunk_ids=()):
    return CourseSection.objects.create(
        course=course,
        parent_section=part,
        order_index=order,
        title=title,
        learning_objectives=objectives,
        estimated_minutes=minutes,
        source_chunk_ids=list(chunk_ids),
    )


def _segment(prompt: str, bad_quotes: bool) -> dict:
    passages = [(int(cid), text) for cid, text in PASSAGE_RE.findall(prompt)]
    target = int(WORDS_RE.search(prompt).group(1))
    objective = OBJECTIVE_RE.search(prompt).group(1).strip()
    lines, citations, words = [f"We now turn to how to {objective[:1].lower()}{objective[1:]}."], [], 0
    for rnd in range(3):
        for cid, text in passages:
            sentences = [s for s in split_sentences(text) if 6 <= len(s.split()) <= 60]
            if rnd < len(sentences) and words < target:
                quote = sentences[rnd]
                n = len(citations) + 1
                citations.append({"n": n, "chunk_id": cid, "quote": quote})
                line = f"The book puts it plainly: “{quote}” [{n}] This is worth keeping in mind."
                lines.append(line)
                words += len(line.split())
    if bad_quotes and len(passages) > 1 and citations:
        citations[0]["chunk_id"] = (
            passages[-1][0] if citations[0]["chunk_id"] != passages[-1][0] else passages[0][0]
        )
        n = len(citations) + 1
        citations.append(
            {"n": n, "chunk_id": passages[0][0], "quote": "Bread was invented on the moon in 1802."}
        )
        lines.append(f"Some say that bread was invented on the moon. [{n}]")
    quotable = [(cid, s) for cid, text in passages for s in split_sentences(text)[:1]]
    if not citations and not quotable:  # no passage for this objective (or none with a sentence):
        # a model writes the segment without quoting; so does this script (it crashed here before)
        return SegmentDraft.model_validate({"text": "\n\n".join(lines)}).model_dump()
    first = citations[0] if citations else {"chunk_id": quotable[0][0], "quote": quotable[0][1]}
    word = max(re.findall(r"[A-Za-z]{6,}", first["quote"]) or ["bread"], key=len)
    quiz = [
        {
            "kind": "short_answer",
            "question": "Fill in the blank: " + first["quote"].replace(word, "_____", 1),
            "choices": None,
            "answer": word,
            "explanation": f"The book says: {first['quote']}",
            "chunk_id": first["chunk_id"] if not bad_quotes else passages[0][0],
            "quote": first["quote"],
        }
    ]
    return SegmentDraft.model_validate(
        {"text": "\n\n".join(lines), "citations": citations, "quiz": quiz}
    ).model_dump()


def _refine(prompt: str) -> dict:
    count = len(re.findall(r"^Segment \d+ \(", prompt, re.M))
    return RefinedLecture(
        introduction="This section explains how dough becomes bread, and why each step matters to the loaf.",
        recap="In short: flour and water build gluten, hydration sets the dough's character, and proofing "
        "decides how far the loaf can rise.",
        transitions=[f"Step {i + 1} builds on what came before." for i in range(count)],
        remove=[],
    ).model_dump()


class ScriptedLectureLLM(FakeLLM):
    def __init__(self, latency: float = 0.0, bad_quotes: bool = False, fail_segments: bool = False, **kwargs):
        def answer(system, messages, schema):
            prompt = messages[-1]["content"]
            if schema is SegmentDraft:
                if fail_segments:
                    return {"text": ""}  # invalid twice: a StructuredOutputError
                return _segment(prompt, bad_quotes)
            if schema is RefinedLecture:
                return _refine(prompt)
            raise AssertionError(f"unexpected lecture call for {schema}")

        super().__init__(default=answer, latency=latency, model="scripted-lecturer", **kwargs)


SEGMENT_NUMBER_RE = re.compile(r"This is segment (\d+) of")


class StaggeredLectureLLM(ScriptedLectureLLM):
    """Segment i's call takes (i + 1) x latency, so segments are checkpointed one by one; every call
    that reaches the "provider" is counted in Redis (docprof:test-lecturer:calls, field = prompt hash)."""

    def _call(self, model, system, messages, *, max_tokens, temperature, schema):
        import hashlib
        import time as _time

        from docprof.redis_client import get_redis

        prompt = messages[-1]["content"]
        found = SEGMENT_NUMBER_RE.search(prompt)
        if found and self.latency:
            _time.sleep(self.latency * (int(found.group(1)) - 1))
        response = super()._call(
            model, system, messages, max_tokens=max_tokens, temperature=temperature, schema=schema
        )
        get_redis().hincrby(CALLS_KEY, hashlib.sha256(prompt.encode()).hexdigest()[:16], 1)
        return response


CALLS_KEY = "docprof:test-lecturer:calls"


def install_scripted_llm(spec: str) -> ScriptedLectureLLM:
    """Make this process's lecture writer use a scripted model: "scripted:LATENCY" or
    "scripted:LATENCY:stagger". Called by LecturesConfig.ready() when DOCPROF_TESTING and
    DOCPROF_TEST_LECTURE_LLM are set (a worker or web process started by a test or a benchmark)."""
    from lectures import writing

    kind, _, rest = spec.partition(":")
    latency, _, mode = rest.partition(":")
    if kind != "scripted" or mode not in ("", "stagger"):
        raise ValueError(f"DOCPROF_TEST_LECTURE_LLM: unknown fake {spec!r}")
    cls = StaggeredLectureLLM if mode == "stagger" else ScriptedLectureLLM
    llm = cls(latency=float(latency or 0))
    writing.current_llm = lambda: llm
    return llm


def install_segment_delay(seconds: float) -> None:
    """Make this process's offline writer wait `seconds` before each part of a lecture after the
    first (it writes them one after another in a few ms): a page then sees the parts appear one by
    one. Called by LecturesConfig.ready() when DOCPROF_TESTING and DOCPROF_TEST_SEGMENT_DELAY are set."""
    import time

    from lectures.writing.offline import OfflineWriter

    write_segment = OfflineWriter.write_segment

    def delayed(self, brief, index, job_id):
        if index > 0:
            time.sleep(seconds)
        return write_segment(self, brief, index, job_id)

    OfflineWriter.write_segment = delayed
