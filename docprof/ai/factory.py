"""The LLM and embedder chosen by settings: the one place that knows every provider."""

from __future__ import annotations

from django.conf import settings

from docprof.ai import providers
from docprof.ai.embeddings import Embedder, HashingEmbedder
from docprof.ai.llm import LLM


def get_llm() -> LLM | None:
    """The LLM chosen by `DOCPROF_LLM`: "bedrock", "openai", or "none" -> None (use the offline engine)."""
    kind = settings.DOCPROF_LLM
    if kind in ("", "none"):
        return None
    return providers.make_llm(kind)


def get_embedder() -> Embedder:
    """The embedder chosen by settings.DOCPROF_EMBEDDINGS."""
    kind = settings.DOCPROF_EMBEDDINGS
    if kind == "hashing":
        return HashingEmbedder()
    return providers.make_embedder(kind)
