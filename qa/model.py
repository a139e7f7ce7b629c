"""The model answerer: the model first judges whether the retrieved passages answer the question
(abstaining with `not_found` when they do not), then answers from them with [n] citations; every
quote it gives is verified verbatim against its passage, and one that does not verify is replaced
by the passage's best sentence."""

from __future__ import annotations

import re

import pydantic

from docprof.ai.prompts import book_text, load_prompt
from library.quotes import verify_quote
from library.ranking import QueryTerms
from library.retrieval import SearchHit
from qa.answers import LIBRARY, Answer, best_sentences, not_found, source_for

SYSTEM = "You answer a learner's questions strictly from passages of their own books, citing them."
JUDGED = 5


class Judgement(pydantic.BaseModel):
    """Whether the passages answer the question."""

    answers: bool
    passages: list[int] = []
    reason: str = ""


class Citation(pydantic.BaseModel):
    n: int
    quote: str


class ModelAnswerOut(pydantic.BaseModel):
    """An answer citing numbered passages."""

    answer: str
    citations: list[Citation] = []


def passages_block(hits: list[SearchHit]) -> str:
    return "\n\n".join(
        f"[{n}] "
        + book_text(h.text, book=h.book_title, chapter=h.chapter, pages=f"{h.page_start}-{h.page_end}")
        for n, h in enumerate(hits, 1)
    )


class ModelAnswerer:
    name = "model-v1"

    def __init__(self, llm, job=None):
        self.llm = llm
        self.job = job

    def _ask(self, prompt_name: str, schema, max_tokens: int, **values):
        prompt = load_prompt("qa.prompts", prompt_name)
        result = self.llm.complete(
            SYSTEM,
            [{"role": "user", "content": prompt.render(**values)}],
            max_tokens=max_tokens,
            temperature=0.0,
            schema=schema,
            purpose=f"qa.{prompt_name}",
            job=self.job,
            prompt_version=prompt.key,
        )
        return result.parsed

    def answer(
        self, question: str, hits: list[SearchHit], terms: QueryTerms, *, later: bool = False, where: str = ""
    ) -> Answer:
        hits = hits[:JUDGED]
        if not hits:
            return not_found(question, hits, terms)
        block = passages_block(hits)
        judgement = self._ask("judge", Judgement, 300, question=question, passages=block)
        if not judgement.answers:
            return not_found(question, hits, terms)
        lecture = "The answer comes later in this lecture." if later else ""
        out = self._ask(
            "answer",
            ModelAnswerOut,
            700,
            question=question,
            passages=block,
            lecture=lecture,
            where=where or "studying their books",
        )
        sources, numbers = [], {}
        for citation in out.citations:
            if not 1 <= citation.n <= len(hits) or citation.n in numbers:
                continue
            hit = hits[citation.n - 1]
            quote = (
                citation.quote
                if verify_quote(citation.quote, hit.text)
                else " ".join(best_sentences(hit.text, terms, 1))
            )
            numbers[citation.n] = len(sources) + 1
            sources.append(source_for(len(sources) + 1, hit, quote))
        text = re.sub(
            r"\[(\d+)\]",
            lambda m: f"[{numbers[int(m.group(1))]}]" if int(m.group(1)) in numbers else "",
            out.answer,
        )
        if not sources:  # an answer that cites nothing from the passages is not an answer from the library
            return not_found(question, hits, terms)
        return Answer(LIBRARY, text.strip(), sources, later_in_lecture=later)
