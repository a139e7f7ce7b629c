"""The Embedder seam: texts in, L2-normalised vectors of settings.EMBEDDING_DIM out.

Each stored vector records `Embedder.name`, so `manage.py reembed` knows what to rebuild
after a change of embedder.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np
from django.conf import settings

from docprof.ai.text import content_terms


class Embedder:
    """Interface. Subclasses set `name` and `dim` and implement `embed`."""

    name: str = "abstract"
    dim: int = 0
    batch_size: int = 64
    # Cosine similarity above which a passage counts as on-topic; None when similarity carries no
    # meaning beyond shared words (the hashing embedder), so relevance is judged by full text only.
    relevance_threshold: float | None = 0.3
    # True when embedding a book's passages costs far more than reading it (a model, local or
    # remote): ingestion then makes the book ready first and embeds its passages in a job of their
    # own (DOCPROF_EMBED_PASSAGES_LATER overrides).
    slow: bool = False

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]

    def embed_batches(
        self, texts: Iterable[str], batch_size: int | None = None
    ) -> Iterator[list[list[float]]]:
        size = batch_size or self.batch_size
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= size:
                yield self.embed(batch)
                batch = []
        if batch:
            yield self.embed(batch)


@lru_cache(maxsize=500_000)
def _feature(token: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dim, (1.0 if (value >> 63) & 1 else -1.0)


class HashingEmbedder(Embedder):
    """Deterministic, model-free: signed feature hashing of stemmed words and word pairs.

    Weights are sub-linear term frequencies (1 + log tf); word pairs count half, so
    phrases sharpen a match without drowning single-word overlap.
    """

    batch_size = 256
    relevance_threshold = None
    PAIR_WEIGHT = 0.5

    def __init__(self, dim: int | None = None):
        self.dim = dim or settings.EMBEDDING_DIM
        self.name = f"hashing-v1-{self.dim}"

    def _vector(self, text: str) -> np.ndarray:
        terms = content_terms(text)
        counts = Counter(terms)
        counts.update({f"{a}_{b}": self.PAIR_WEIGHT for a, b in zip(terms, terms[1:], strict=False)})
        vec = np.zeros(self.dim, dtype=np.float32)
        for token, tf in counts.items():
            index, sign = _feature(token, self.dim)
            weight = (1.0 + math.log(tf)) if tf >= 1 else tf
            vec[index] += sign * weight
        norm = float(np.linalg.norm(vec))
        if norm > 0:
            vec /= norm
        return vec

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t).tolist() for t in texts]
