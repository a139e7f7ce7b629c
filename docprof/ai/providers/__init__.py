"""Provider factories chosen by settings (`DOCPROF_LLM`, `DOCPROF_EMBEDDINGS`).

Clients are built once per process and configuration (boto3 and httpx clients are thread-safe).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from docprof.ai.errors import NotConfigured

LLM_KINDS = ("none", "bedrock", "openai")
EMBEDDING_KINDS = ("hashing", "bedrock", "openai", "sentence-transformers")


def _config_key(prefix: str) -> tuple:
    return tuple(sorted((k, repr(getattr(settings, k))) for k in dir(settings) if k.startswith(prefix)))


def make_llm(kind: str):
    if kind == "bedrock":
        return _bedrock_llm(_config_key("DOCPROF_"))
    if kind == "openai":
        return _openai_llm(_config_key("DOCPROF_"))
    raise NotConfigured(f"DOCPROF_LLM={kind!r}: choose one of {', '.join(LLM_KINDS)}")


def make_embedder(kind: str):
    if kind == "bedrock":
        from docprof.ai.providers.bedrock import TitanEmbedder

        return TitanEmbedder()
    if kind == "openai":
        from docprof.ai.providers.openai_compat import OpenAICompatEmbedder

        return OpenAICompatEmbedder()
    if kind == "sentence-transformers":
        from docprof.ai.providers.sentence_tf import SentenceTransformersEmbedder

        return SentenceTransformersEmbedder()
    raise NotConfigured(f"DOCPROF_EMBEDDINGS={kind!r}: choose one of {', '.join(EMBEDDING_KINDS)}")


@lru_cache(maxsize=4)
def _bedrock_llm(_key):
    from docprof.ai.providers.bedrock import BedrockLLM

    return BedrockLLM()


@lru_cache(maxsize=4)
def _openai_llm(_key):
    from docprof.ai.providers.openai_compat import OpenAICompatLLM

    return OpenAICompatLLM()
