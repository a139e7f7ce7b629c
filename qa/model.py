"""The model answerer: the model first judges whether the retrieved passages answer the question
(abstaining with `not_found` when they do not), then answers from them with [n] citations; every
quote it gives is verified verbatim against its passage, and one that does not verify is replaced
by the passage's best sentence."""

from __future__ import annotations

import json
import re
from collections.abc import Generator

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
        return self._cited(out, question, hits, terms, later)

    def answer_stream(
        self, question: str, hits: list[SearchHit], terms: QueryTerms, *, later: bool = False, where: str = ""
    ) -> Generator[str, None, Answer]:
        """`answer`, with the answer's text yielded as the model writes it. The model writes plain
        text, then its quotes after a QUOTES: line (never shown while streaming); the returned
        Answer is built exactly as `answer` builds it, every quote verified."""
        hits = hits[:JUDGED]
        if not hits:
            return not_found(question, hits, terms)
        block = passages_block(hits)
        judgement = self._ask("judge", Judgement, 300, question=question, passages=block)
        if not judgement.answers:
            return not_found(question, hits, terms)
        prompt = load_prompt("qa.prompts", "answer_stream")
        stream = self.llm.stream(
            SYSTEM,
            [
                {
                    "role": "user",
                    "content": prompt.render(
                        question=question,
                        passages=block,
                        lecture="The answer comes later in this lecture." if later else "",
                        where=where or "studying their books",
                    ),
                }
            ],
            max_tokens=800,
            temperature=0.0,
            purpose="qa.answer_stream",
            job=self.job,
            prompt_version=prompt.key,
        )
        split = QuotesSplitter()
        for delta in stream:
            shown = split.feed(delta)
            if shown:
                yield shown
        return self._cited(split.parsed(), question, hits, terms, later)

    def _cited(self, out: ModelAnswerOut, question, hits, terms, later) -> Answer:
        """The model's answer with its citations checked: a quote not found verbatim in its passage
        is replaced by the passage's best sentence; [n] renumbered in the order cited."""
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


class QuotesSplitter:
    """Streamed model text -> what can be shown now (the answer), holding back the QUOTES: part."""

    MARK = "QUOTES:"

    def __init__(self):
        self.text, self.shown, self.done = "", 0, False

    def feed(self, delta: str) -> str:
        self.text += delta
        if self.done:
            return ""
        cut = self.text.find(self.MARK, self.shown)
        if cut >= 0:
            self.done = True
        else:  # hold back a tail that could be the start of the mark
            cut = len(self.text)
            for k in range(min(len(self.MARK) - 1, len(self.text)), 0, -1):
                if self.MARK.startswith(self.text[-k:]):
                    cut -= k
                    break
        out, self.shown = self.text[self.shown : cut], max(self.shown, cut)
        return out

    def parsed(self) -> ModelAnswerOut:
        answer, _, quotes = self.text.partition(self.MARK)
        citations = []
        try:
            found = json.loads(re.sub(r"^```(?:json)?|```$", "", quotes.strip()).strip() or "[]")
            citations = [Citation.model_validate(c) for c in found if isinstance(c, dict)]
        except (ValueError, pydantic.ValidationError):
            pass  # no usable quotes: each cited passage is quoted by its best sentence
        if not citations:
            numbers = dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", answer))
            citations = [Citation(n=n, quote="") for n in numbers]
        return ModelAnswerOut(answer=answer.strip(), citations=citations)
