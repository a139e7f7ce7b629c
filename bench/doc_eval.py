"""Objectives and section titles the offline planner writes for books unlike the development corpus:
reference manuals and technical documentation (Node.js API pages, program manuals, library manuals).

    .venv/bin/python bench/doc_eval.py [--split dev|held|all] [--json OUT] [--quiet]

The books and requests are in bench/data/doc_requests.json: documentation a Debian machine keeps in
/usr/share/doc (books missing on this machine are skipped, and said so), one corpus book per split.
Each split is one library (its own user), so the other books of the split are distractors. Books are
ingested once into the bench's own database, docprof_obj_eval (re-ingested when the parsing,
chunking or summary code changes); each request is planned in this process as bench/plan_eval.py
does. Prints every outline with its objectives, each flagged by plan_eval's own checks (templated,
malformed, wording); --json writes the objectives with their section and sources' book for
labelling by hand. --labels FILE (bench/data/doc_labels.json: a rubric and a label per request and
objective, "ok" or the class of fault) counts the bad objectives, and lists the ones not yet labelled.
Section titles that keep a manual's markup (a call's parameters, an element's attributes, a
permalink's "¶", capitals) are counted too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import plan_eval  # noqa: E402

DATA = ROOT / "bench" / "data" / "doc_requests.json"
DB_NAME = "docprof_obj_eval"
MARKUP_TITLE_RE = re.compile(r"\w\([^)]*[,\[]|¶|<\w+\s+\w+=")


def setup() -> None:
    plan_eval.DB_NAME = DB_NAME  # plan_eval's setup, with this bench's database
    plan_eval.setup()


def read(path: str) -> tuple[str, bytes] | None:
    file = plan_eval.CORPUS / path[len("CORPUS/") :] if path.startswith("CORPUS/") else Path(path)
    if not file.exists():
        return None
    if file.suffix == ".gz":
        return file.stem, gzip.decompress(file.read_bytes())
    return file.name, file.read_bytes()


def ensure_books(split: str, paths: list[str]) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from library.models import Book
    from library.services import add_book, pending_embedding
    from workers import engine

    user, _ = get_user_model().objects.get_or_create(username=f"doc-eval-{split}")
    marker = ROOT / "var" / f"doc_eval_ingest_version_{split}"
    version = plan_eval.ingest_version()
    if not marker.exists() or marker.read_text() != version:
        Book.objects.filter(owner=user).delete()
    ids = []
    for path in paths:
        found = read(path)
        if found is None:
            print(f"# skipped {path}: not on this machine", file=sys.stderr)
            continue
        name, data = found
        book = Book.objects.filter(owner=user, original_filename=name, status=Book.Status.READY).first()
        if book is None:
            Book.objects.filter(owner=user, original_filename=name).delete()
            start = time.perf_counter()
            added = add_book(owner=user, fileobj=ContentFile(data), filename=name, enqueue=False)
            engine.run_inline(added.job.pk)
            for job_id in pending_embedding(added.book.pk):
                engine.run_inline(job_id)
            book = Book.objects.get(pk=added.book.pk)
            print(f"# ingested {name}: {book.status} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        if book.status == Book.Status.READY:
            ids.append(book.id)
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(version)
    return ids


def outline(request: dict, result: dict, quiet: bool) -> list[dict]:
    from courses.planning.objectives import is_templated
    from courses.planning.request import stems_of
    from library.models import Chunk

    print(f"\n## [{request['split']}] {request['query']} ({request['hours']} h)")
    if "refused" in result:
        print(f"   REFUSED: {result['refused']}")
        return []
    print(f"   title: {result['title']}")
    ids = {c for p in result["parts"] for s in p["sections"] for c in s["source_chunk_ids"]}
    chunks = {c.id: c for c in Chunk.objects.filter(id__in=ids).select_related("book", "chapter")}
    zipf = plan_eval.english_zipf()
    rows = []
    for part in result["parts"]:
        print(f"   PART {part['title']}")
        for s in part["sections"]:
            mine = [chunks[c] for c in s["source_chunk_ids"] if c in chunks]
            books = sorted({c.book.original_filename for c in mine})
            print(f"     - {s['title'][:70]} | {s['minutes']} min | {', '.join(books)}")
            markup = bool(MARKUP_TITLE_RE.search(s["title"])) or s["title"].isupper()
            prose = " ".join(p for c in mine for p in plan_eval.prose_sentences(c.text))
            heads = " ".join(str(h) for c in mine for h in c.heading_path[1:])
            prose_stems = set(stems_of(f"{prose} {heads} {s['title']}"))
            sources = " ".join(c.text for c in mine)
            for o in s["learning_objectives"]:
                flags = []
                if is_templated(o, s["title"]):
                    flags.append("TEMPLATED")
                problem = plan_eval.objective_problem(o, prose_stems) or plan_eval.wording_problem(
                    o, sources, f"{heads} {s['title']}", zipf
                )
                if problem:
                    flags.append(problem.upper())
                if not quiet or flags:
                    print(f"         * {o}{''.join(f'  <-- {f}' for f in flags)}")
                rows.append(
                    {
                        "request": request["query"],
                        "split": request["split"],
                        "part": part["title"],
                        "section": s["title"],
                        "books": books,
                        "objective": o,
                        "flags": flags,
                        "markup_title": markup,
                    }
                )
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=["dev", "held", "all"], default="dev")
    p.add_argument("--json", help="write every objective (with its section) to this file")
    p.add_argument("--quiet", action="store_true", help="print only flagged objectives")
    p.add_argument("--labels", help="count bad objectives by these hand labels")
    args = p.parse_args(argv)
    data = json.loads(DATA.read_text())
    setup()
    splits = ["dev", "held"] if args.split == "all" else [args.split]
    rows: list[dict] = []
    for split in splits:
        book_ids = ensure_books(split, data["books"][split])
        for request in data["requests"]:
            if request["split"] == split:
                result = plan_eval.plan(request["query"], request["hours"], book_ids)
                rows.extend(outline(request, result, args.quiet))
    flagged = sum(1 for r in rows if r["flags"])
    print(f"\n{len(rows)} objectives, {flagged} flagged by plan_eval's checks")
    sections = {(r["request"], r["section"]): r["markup_title"] for r in rows}
    print(f"{len(sections)} sections, {sum(sections.values())} titled with a manual's markup")
    if args.labels:
        labels = json.loads(Path(args.labels).read_text())["labels"]
        keys = [f"{r['request']} || {r['objective']}" for r in rows]
        for key in keys:
            if key not in labels:
                print(f"   not labelled: {key}")
        counts: dict[str, int] = {}
        for key in keys:
            counts[labels.get(key, "unlabelled")] = counts.get(labels.get(key, "unlabelled"), 0) + 1
        bad = sum(n for label, n in counts.items() if label not in ("ok", "unlabelled"))
        print(f"bad objectives (hand labels): {bad} of {len(keys)} {dict(sorted(counts.items()))}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
