"""What an embedder costs at ingestion: the time of a book's ingestion (parse, chunk, embed,
summarise) with the hashing embedder and with another one, and how many texts each embeds.

A model embedder (Embedder.slow) embeds a book's passages after the book is ready, in a job of
their own (`library.jobs.EMBED_KIND`): "ready s" is the ingestion a user waits for, "later s" the
passages' embedding after it (timed here the same way, in batches), and two ratios to the hashing
time: ready, and ready + later.

    .venv/bin/python bench/ingest_embedders.py [--books N] [--only PATH]
    # with the semantic extra (all-MiniLM-L6-v2 on the CPU), from a venv that has it:
    DOCPROF_EMBEDDINGS=sentence-transformers EMBEDDING_DIM=384 PY -m bench.ingest_embedders

It runs `library.services.ingest_book` itself, with the final database write left out (the same
for every embedder, so the ratio printed is an upper bound of the real one). The semantic model is
loaded once before timing (a worker loads it once per process). Target (issue 10): ingestion with
the semantic embedder at most 2x the hashing time, which needs texts embedded ~ passages.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")
CORPUS = ROOT.parent / "shared" / "corpus"
FORMATS = {".pdf": "pdf", ".epub": "epub", ".md": "markdown", ".html": "html", ".adoc": "asciidoc"}


class Counting:
    """Wraps an embedder: counts calls and texts."""

    def __init__(self, inner):
        self.inner, self.calls, self.texts = inner, 0, 0
        self.name, self.dim, self.batch_size, self.slow = inner.name, inner.dim, inner.batch_size, inner.slow

    def embed(self, texts):
        texts = list(texts)
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts)

    def embed_one(self, text):
        return self.embed([text])[0]

    def embed_batches(self, texts, batch_size=None):
        from docprof.ai.embeddings import Embedder

        return Embedder.embed_batches(self, texts, batch_size)  # batches of the wrapped size


def ingest_seconds(path: Path, embedder) -> tuple[float, int, list[str], Counting]:
    """(seconds, passages, texts of the passages left without a vector for later, counts)."""
    from library import services

    book = SimpleNamespace(
        file=SimpleNamespace(path=str(path)),
        format=FORMATS[path.suffix.lower()],
        original_filename=path.name,
        refresh_from_db=lambda: None,
    )
    counting = Counting(embedder)
    stored = {}
    original = services._store
    services._store = lambda b, prepared: stored.setdefault("prepared", prepared)
    try:
        started = time.perf_counter()
        services.ingest_book(book, embedder=counting)
        seconds = time.perf_counter() - started
    finally:
        services._store = original
    prepared = stored["prepared"]
    drafts = [d for _, chapter_drafts in prepared.chapter_drafts for d in chapter_drafts]
    later = [
        services._embedding_text(d) for d, v in zip(drafts, prepared.chunk_vectors, strict=True) if v is None
    ]
    return seconds, len(drafts), later, counting


def later_seconds(texts: list[str], embedder) -> float:
    """What the passage-embedding job spends in the embedder (its batches, as the job sends them)."""
    started = time.perf_counter()
    for _ in embedder.embed_batches(texts):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--books", type=int, default=2)
    parser.add_argument("--only", type=Path)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    from docprof.ai.embeddings import HashingEmbedder
    from docprof.ai.factory import get_embedder

    paths = (
        [args.only]
        if args.only
        else sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in FORMATS and p.name != "MANIFEST.md")[
            : args.books
        ]
    )
    other = get_embedder() if settings.DOCPROF_EMBEDDINGS != "hashing" else None
    if other is not None:
        other.embed(["warm up: the model is loaded once per process"])
    print(f"{'book':44} {'chunks':>6} {'hashing s':>9} {'texts':>6}", end="")
    print(
        f"  {other.name[:28]:>28}: {'ready s':>7} {'texts':>6} {'later s':>7} {'ready':>6} {'+later':>7}"
        if other
        else ""
    )
    for path in paths:
        hashing_s, chunks, _, h = ingest_seconds(path, HashingEmbedder(dim=settings.EMBEDDING_DIM))
        line = f"{path.name[:44]:44} {chunks:6d} {hashing_s:9.2f} {h.texts:6d}"
        if other is not None:
            ready_s, _, later, o = ingest_seconds(path, other)
            after_s = later_seconds(later, other) if later else 0.0
            line += (
                f"  {'':28}  {ready_s:7.2f} {o.texts:6d} {after_s:7.2f} {ready_s / hashing_s:5.1f}x"
                f" {(ready_s + after_s) / hashing_s:6.1f}x"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
