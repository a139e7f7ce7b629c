"""What re-ingestion asks of the embedder: only the passages that changed (plus a text per chapter and
one for the book). test_summaries.py checks a first ingestion: each passage once, nothing per
sentence. With a semantic embedder the embedding is most of an ingestion's cost
(bench/ingest_embedders.py measures it)."""

import numpy as np
import pytest

from docprof.ai.embeddings import HashingEmbedder
from library.models import Chapter, Chunk
from library.services import ingest_book
from library.tests.conftest import ingest

pytestmark = pytest.mark.django_db
TOPICS = ["capital budgeting", "working capital", "dividend policy", "mergers and acquisitions"]


def long_book() -> str:
    """Four chapters of about 3,000 words each, in short sentences (hundreds of them)."""
    parts = ["# Corporate Finance Notes\n"]
    for c, topic in enumerate(TOPICS, 1):
        parts.append(f"## Chapter {c} {topic.title()}\n")
        for s in range(1, 5):
            parts.append(f"### {c}.{s} Aspects of {topic} part {s}\n")
            sentences = [
                f"Managers study {topic} case {i} with care and compare it with case {i + 1}."
                for i in range(60)
            ]
            parts.append(" ".join(sentences) + "\n")
    return "\n".join(parts)


def test_reading_a_book_again_embeds_only_the_passages_that_changed(alice, monkeypatch):
    book = ingest(alice, "finance-notes.md", long_book())
    before = dict(Chunk.objects.filter(book=book).values_list("ordinal", "embedding"))
    texts: list[str] = []
    embed = HashingEmbedder.embed
    monkeypatch.setattr(
        HashingEmbedder, "embed", lambda self, batch: texts.extend(batch) or embed(self, batch)
    )
    chapters = Chapter.objects.filter(book=book).count()

    ingest_book(book)  # the same file again: every passage's vector is reused
    assert len(texts) == chapters + 1
    after = dict(Chunk.objects.filter(book=book).values_list("ordinal", "embedding"))
    assert before.keys() == after.keys()
    assert all(np.array_equal(np.asarray(before[k]), np.asarray(after[k])) for k in before)

    texts.clear()
    changed = long_book().replace(
        "Managers study dividend policy case 7 ", "Boards debate dividend policy case 7 ", 1
    )
    with book.file.open("wb") as fh:
        fh.write(changed.encode())
    ingest_book(book)  # one passage changed: only it is embedded again
    passages = texts[: len(texts) - chapters - 1]  # passages first, then chapters and the book
    assert len(texts) - len(passages) == chapters + 1 and all("Aspects of" in t for t in passages)
    assert len(passages) == 1 and "Boards debate dividend policy case 7" in passages[0]
    expected = HashingEmbedder().embed([passages[0]])[0]
    changed_row = Chunk.objects.get(book=book, text__contains="Boards debate")
    assert np.asarray(changed_row.embedding).tolist() == pytest.approx(expected)
