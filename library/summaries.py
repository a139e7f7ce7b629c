"""Chapter and book summaries. The default summariser is extractive (no model): it keeps a
chapter's most central sentences. The AI layer can supply a model-backed summariser with the
same two methods (see `get_summariser`)."""

from __future__ import annotations

import numpy as np

from docprof.ai.embeddings import Embedder
from docprof.ai.text import split_sentences, word_count

MAX_SENTENCES_SCANNED = 4000


class ExtractiveSummariser:
    name = "extractive-v1"

    def __init__(self, embedder: Embedder, sentences: int = 4):
        self.embedder = embedder
        self.sentences = sentences

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
        vectors = np.asarray(self.embedder.embed(candidates), dtype=np.float32)
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


def get_summariser(embedder: Embedder):
    return ExtractiveSummariser(embedder)
