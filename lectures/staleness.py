"""Stale lectures: re-ingesting a book (a new file for the same book, or the same file again)
replaces its chapters and chunks, so chunk ids change. Passages are compared by content hash
(`sources.text_hash`, whitespace-normalised), the same hash the cache key is made of:

- a lecture's passage whose text is still in the book (same hash) keeps its citation, remapped to
  the new chunk id (citations, quiz citations, the key inputs), so chips and passages still open;
- a cited passage whose text changed or vanished makes the lecture **stale**, with the citation
  numbers in `stale_citations`; it is served with a notice and regenerated on request (a new key:
  the new passages hash differently), never silently.
- Lectures that cite nothing of the book are not touched; unchanged lectures stay valid.

Design choice: `library` must not know lectures (the import ladder), so re-ingestion with a staleness
check is a lectures service (`reingest`, `manage.py reingest BOOK_ID [--file PATH]`) that snapshots
the book's passage hashes, runs the library's ingestion, and compares. An upload through the library
that re-ingests in place is not watched (the library has no such path today).
"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.db.models import F

from lectures.models import Lecture
from lectures.sources import text_hash
from library.models import Book, Chunk
from library.services import ingest_book


def passage_hashes(book_id: int) -> dict[int, str]:
    return {
        pk: text_hash(text) for pk, text in Chunk.objects.filter(book_id=book_id).values_list("id", "text")
    }


def _remap_id(value, mapping: dict[int, int]):
    return mapping.get(int(value), value) if value is not None else value


def mark_stale(before: dict[int, str], book_id: int) -> dict:
    """Compare a book's passages before and after re-ingestion; remap or mark every lecture that
    draws on the old passages. Returns {lectures, stale, remapped}."""
    after = {h: pk for pk, h in passage_hashes(book_id).items()}
    mapping = {old: after[h] for old, h in before.items() if h in after}
    gone = {old for old in before if old not in mapping}
    old_ids = [str(i) for i in before]
    touched = stale = 0
    lectures = (
        Lecture.objects.filter(source_hashes__has_any_keys=old_ids) if old_ids else Lecture.objects.none()
    )
    for lecture in lectures.iterator():
        touched += 1
        citations, stale_ns = [], []
        for c in lecture.citations:
            c = dict(c)
            if c.get("chunk_id") in gone:
                stale_ns.append(c["n"])
            c["chunk_id"] = _remap_id(c.get("chunk_id"), mapping)
            citations.append(c)
        quiz = []
        for q in lecture.quiz:
            q = dict(q)
            if isinstance(q.get("citation"), dict):
                q["citation"] = {
                    **q["citation"],
                    "chunk_id": _remap_id(q["citation"].get("chunk_id"), mapping),
                }
            quiz.append(q)
        inputs = dict(lecture.key_inputs)
        if inputs.get("hashes"):
            inputs["hashes"] = {str(_remap_id(k, mapping)): v for k, v in inputs["hashes"].items()}
            inputs["plan"] = [[_remap_id(i, mapping) for i in ids] for ids in inputs.get("plan", [])]
            inputs["reserve"] = [_remap_id(i, mapping) for i in inputs.get("reserve", [])]
        hashes = {str(_remap_id(k, mapping)): v for k, v in lecture.source_hashes.items()}
        fields = {"citations": citations, "quiz": quiz, "key_inputs": inputs, "source_hashes": hashes}
        if stale_ns:
            stale += 1
            fields.update(stale=True, stale_citations=sorted(set(lecture.stale_citations) | set(stale_ns)))
        Lecture.objects.filter(pk=lecture.pk).update(**fields, revision=F("revision") + 1)
    return {"lectures": touched, "stale": stale, "remapped": len(mapping), "changed_passages": len(gone)}


def reingest(book: Book, new_file: Path | None = None) -> dict:
    """Re-read a book (optionally from a new file), then flag the lectures whose cited passages
    changed or vanished. Raises what ingestion raises (the book's old passages are kept then)."""
    before = passage_hashes(book.pk)
    if new_file is not None:
        with open(new_file, "rb") as fh:
            book.file.save(Path(new_file).name, File(fh), save=False)
        Book.objects.filter(pk=book.pk).update(
            file=book.file.name, original_filename=Path(new_file).name[:255]
        )
    ingest_book(book)
    with transaction.atomic():
        result = mark_stale(before, book.pk)
    return result
