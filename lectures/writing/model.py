"""The model writer: one call per objective (run concurrently by the job) and one finishing call.

Same contracts as the offline writer. Prompts are versioned files in `lectures/prompts/`; outputs
are validated by the pydantic schemas in `lectures/schemas.py`; book text goes in <book_text> tags
(data, not instructions); every call passes `job=` so the ledger replays a repeated request instead
of paying for it again. The finishing call returns an introduction, a recap, one transition per
segment and the sentences that only repeat earlier ones; they are applied here, deterministically,
so the model never rewrites (or re-quotes) the cited text.
"""

from __future__ import annotations

from docprof.ai.prompts import book_text, load_prompt
from lectures.schemas import RefinedLecture, SegmentDraft
from lectures.writing.base import Brief
from lectures.writing.units import paragraphs, sentence_units
from library.quotes import normalise

VERSION = "model-1"
PROMPTS = "lectures.prompts"
TOKENS_PER_WORD = 2.0  # output budget per word written (Markdown, markers and JSON around it)


def _prompt(name: str):
    return load_prompt(PROMPTS, name)


def prompt_versions() -> str:
    return "+".join(_prompt(n).key for n in ("system", "segment", "refine"))


class ModelWriter:
    kind = "model"
    version = VERSION

    def __init__(self, llm):
        self.llm = llm

    def spec(self) -> dict:
        return {
            "kind": self.kind,
            "version": self.version,
            "model": f"{self.llm.provider}:{self.llm.model}",
            "prompts": prompt_versions(),
        }

    def _ask(self, name: str, schema, max_tokens: int, job_id, **values):
        prompt = _prompt(name)
        return self.llm.complete(
            _prompt("system").render(),
            [{"role": "user", "content": prompt.render(**values)}],
            max_tokens=max_tokens,
            temperature=0.3,
            schema=schema,
            purpose=f"lectures.{name}",
            job=job_id,
            prompt_version=f"{_prompt('system').key}+{prompt.key}",
        ).parsed

    def write_segment(self, brief: Brief, index: int, job_id=None) -> dict:
        objective = brief.objectives[index]
        words = brief.segment_target(index)
        listing = "\n".join(
            book_text(
                p["text"],
                chunk_id=p["chunk_id"],
                book=p["book_title"],
                chapter=p["chapter"],
                pages=f"{p['page_start'] or ''}-{p['page_end'] or ''}",
            )
            for p in (brief.passages[int(i)] for i in brief.plan[index])
        )
        others = "; ".join(o for j, o in enumerate(brief.objectives) if j != index) or "(none)"
        draft: SegmentDraft = self._ask(
            "segment",
            SegmentDraft,
            max_tokens=int(words * TOKENS_PER_WORD) + 1500,
            job_id=job_id,
            title=brief.title,
            number=str(index + 1),
            count=str(len(brief.objectives)),
            objective=objective,
            style=brief.style,
            depth=brief.depth,
            words=str(words),
            pace=str(brief.pace_wpm),
            others=others,
            passages=listing,
        )
        return {
            "index": index,
            "objective": objective,
            "text": draft.text.strip(),
            "citations": [c.model_dump() for c in draft.citations],
            "quiz": [{**q.model_dump(), "objective": objective} for q in draft.quiz],
        }

    def finish(self, brief: Brief, draft: dict, job_id=None) -> dict:
        # The drafts quote the books: they go in as data too.
        listing = "\n\n".join(
            f"Segment {i + 1} ({s['objective']}):\n{book_text(s['text'], segment=i + 1)}"
            for i, s in enumerate(draft["segments"])
        )
        refined: RefinedLecture = self._ask(
            "refine",
            RefinedLecture,
            max_tokens=int((brief.intro_target() + brief.recap_target()) * TOKENS_PER_WORD) + 1500,
            job_id=job_id,
            title=brief.title,
            objectives="; ".join(brief.objectives),
            style=brief.style,
            words=str(brief.target_words),
            intro_words=str(brief.intro_target()),
            recap_words=str(brief.recap_target()),
            segments=listing,
        )
        texts = [s["text"] for s in draft["segments"]]
        for removal in refined.remove:
            i = removal.segment - 1
            if 0 <= i < len(texts):
                texts[i] = _without_sentence(texts[i], removal.sentence)
        for i, transition in enumerate(refined.transitions[: len(texts)]):
            if transition.strip() and texts[i]:
                texts[i] = f"{transition.strip()} {texts[i]}"
        return {
            "introduction": refined.introduction.strip(),
            "recap": refined.recap.strip(),
            "segments": texts,
        }


def _without_sentence(text: str, sentence: str) -> str:
    """The text without the unit equal to `sentence` (whitespace- and quote-mark-normalised).
    A segment is never emptied: a removal that would leave nothing is ignored."""
    target = normalise(sentence)
    out = []
    for paragraph in paragraphs(text):
        units = [u for u in sentence_units(paragraph) if normalise(u) != target]
        if units:
            out.append(" ".join(units))
    return "\n\n".join(out) if out else text
