"""sentence-transformers embeddings: an optional extra (`pip install sentence-transformers`)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from django.conf import settings

from docprof.ai.embeddings import Embedder
from docprof.ai.errors import NotConfigured


@lru_cache(maxsize=2)
def _load(model_name: str):
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise NotConfigured(
            "DOCPROF_EMBEDDINGS=sentence-transformers needs the optional package: "
            "`.venv/bin/pip install sentence-transformers` (or choose hashing/bedrock/openai)."
        ) from exc
    return SentenceTransformer(model_name)


class SentenceTransformersEmbedder(Embedder):
    """Loads DOCPROF_ST_MODEL (a model name or a local path) once per process."""

    batch_size = 64

    def __init__(self, model: str | None = None, dim: int | None = None):
        self.model_name = model or settings.DOCPROF_ST_MODEL
        self.model = _load(self.model_name)
        self.dim = dim or settings.EMBEDDING_DIM
        native = self.model.get_sentence_embedding_dimension()
        if native != self.dim:
            raise NotConfigured(
                f"{self.model_name} makes {native}-dimensional vectors but EMBEDDING_DIM is {self.dim}: "
                f"set EMBEDDING_DIM={native} (then `manage.py reembed`)."
            )
        self.name = f"st-{self.model_name.rstrip('/').rsplit('/', 1)[-1]}-{self.dim}"

    def embed(self, texts):
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).tolist()
