"""Chapter and book summaries. The default summariser is extractive (no model): it keeps a
chapter's most central sentences, by a cheap lexical centrality (hashed word features, whatever
embedder is configured: a semantic embedder would multiply ingestion's cost by embedding every
sentence). The AI layer can supply a model-backed summariser with the same two methods (see
`get_summariser`)."""

from __future__ import annotations

import numpy as np

from docprof.ai.embeddings import Embedder, HashingEmbedder
from docprof.ai.text import split_sentences, word_count

MAX_SENTENCES_SCANNED = 4000


class ExtractiveSummariser:
    name = "extractive-v1"

    def __init__(self, embedder: Embedder, sentences: int = 4):
        self.embedder = embedder
        self.sentences = sentences
        self.centrality = HashingEmbedder()  # lexical, cheap: not the (possibly semantic) embedder

    def central_sentences(self, texts: list[str], limit: int) -> list[str]:
        candidates: list[str] = []
        for text in texts:
            for sentence in split_sentences(text):
                if 6 <= word_count(sentence) <= 60:
                    candidates.append(sentence)
            if len(candidates) >= MAX_SENTENCES_SCANNED:
                break
        if not candidates:
            joined = " ".join(texts).split()
            return [" ".join(joined[:60])] if joined else []
        vectors = np.asarray(self.centrality.embed(candidates), dtype=np.float32)
        centroid = vectors.mean(axis=0)
        norm = np.linalg.norm(centroid)
        if norm == 0:
            return candidates[:limit]
        scores = vectors @ (centroid / norm)
        best = sorted(np.argsort(-scores)[:limit].tolist())
        return [candidates[i] for i in best]

    def summarise_chapter(self, title: str, texts: list[str]) -> str:
        return " ".join(self.central_sentences(texts, self.sentences))

    def summarise_book(self, title: str, chapters: list[tuple[str, str]]) -> dict:
        overview = " ".join(self.central_sentences([s for _, s in chapters], self.sentences + 1))
        return {
            "overview": overview,
            "chapters": [{"title": t, "summary": s} for t, s in chapters],
        }


class ModelSummariser(ExtractiveSummariser):
    """Summaries written by the configured model; the chapter text it reads is capped, and book
    text is marked as data. Falls back to nothing: a model error fails the ingestion job clearly."""

    name = "model-v1"
    MAX_WORDS = 6_000

    def __init__(self, embedder: Embedder, llm, job_id: int | None = None):
        super().__init__(embedder)
        self.llm = llm
        self.job_id = job_id
        self.book_title = ""

    def _ask(self, prompt_name: str, max_tokens: int, **values) -> str:
        from docprof.ai.prompts import load_prompt

        prompt = load_prompt("library.prompts", prompt_name)
        result = self.llm.complete(
            "You summarise books accurately and concisely, using only the text given.",
            [{"role": "user", "content": prompt.render(**values)}],
            max_tokens=max_tokens,
            temperature=0.0,
            purpose=f"library.{prompt_name}",
            job=self.job_id,
            prompt_version=prompt.key,
        )
        return result.text.strip()

    def summarise_chapter(self, title: str, texts: list[str]) -> str:
        from docprof.ai.prompts import book_text

        words = " ".join(texts).split()[: self.MAX_WORDS]
        return self._ask(
            "summarise_chapter",
            400,
            title=title,
            book=self.book_title,
            text=book_text(" ".join(words), chapter=title),
        )

    def summarise_book(self, title: str, chapters: list[tuple[str, str]]) -> dict:
        listing = "\n".join(f"- {t}: {s}" for t, s in chapters)
        overview = self._ask("summarise_book", 400, book=title, chapters=listing)
        return {"overview": overview, "chapters": [{"title": t, "summary": s} for t, s in chapters]}


def get_summariser(embedder: Embedder, job_id: int | None = None, book_title: str = ""):
    """The model summariser when a model is configured (DOCPROF_LLM), else the extractive one."""
    from docprof.ai.llm import get_llm

    llm = get_llm()
    if llm is None:
        return ExtractiveSummariser(embedder)
    summariser = ModelSummariser(embedder, llm, job_id)
    summariser.book_title = book_title
    return summariser
