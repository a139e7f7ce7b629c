"""Course requests and questions over GNU Info manuals (bench/data/info_probe.json): books unlike
the development corpus, read from /usr/share/info where a Debian machine keeps them.

    .venv/bin/python bench/info_eval.py [--split dev|dev2|held|all] [--verbose]

A manual makeinfo split into files (find.info.gz, find.info-1.gz, ...) is joined into one, as the
upload page asks a user to do. All manuals are one library, ingested once into the bench's own
database (docprof_obj_eval, as bench/doc_eval.py; re-ingested when the parsing code changes).
Requests are planned as bench/plan_eval.py does; questions are answered offline as
bench/qa_eval.py does. Prints one line per request and question, then one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import doc_eval  # noqa: E402
import plan_eval  # noqa: E402

DATA = ROOT / "bench" / "data" / "info_probe.json"
INFO = Path("/usr/share/info")
TMP = ROOT / "var" / "info_eval"


def joined_manual(name: str) -> Path | None:
    """The manual as one .info file (its parts joined in order), or None when it is not here."""
    first = INFO / f"{name}.info.gz"
    if not first.exists():
        return None
    parts = sorted(INFO.glob(f"{name}.info-*.gz"), key=lambda p: int(p.name.split("-")[-1].split(".")[0]))
    TMP.mkdir(parents=True, exist_ok=True)
    out = TMP / f"{name}.info"
    out.write_bytes(b"".join(gzip.decompress(p.read_bytes()) for p in [first, *parts]))
    return out


def plan_row(request: dict, book_ids: list[int]) -> dict:
    result = plan_eval.plan(request["query"], 1, book_ids)
    if "refused" in result:
        return {
            "id": request["id"],
            "right": bool(request.get("refuse")),
            "got": "refused: " + result["refused"],
        }
    from library.models import Chunk

    sections = [s for p in result["parts"] for s in p["sections"]]
    ids = {c for s in sections for c in s["source_chunk_ids"]}
    titles = sorted(set(Chunk.objects.filter(id__in=ids).values_list("book__title", flat=True)))
    right = not request.get("refuse") and any(re.search(request["book"], t) for t in titles)
    # the contract every section keeps: 2-6 learning objectives
    off = [s["title"] for s in sections if not 2 <= len(s["learning_objectives"]) <= 6]
    got = f"planned from {titles}" + (f"; sections without 2-6 objectives: {off}" if off else "")
    return {"id": request["id"], "right": right, "got": got, "objectives_off": len(off)}


def answer_row(question: dict, book_ids: list[int]) -> dict:
    from qa.answers import LIBRARY, NOT_FOUND
    from qa.engine import answer_question

    answer = answer_question(question["question"], book_ids, llm=None)
    if question.get("not_found"):
        right = answer.kind == NOT_FOUND
    else:
        text = " ".join(f"{s.quote or ''} {s.chapter or ''}" for s in answer.sources[:3])
        right = answer.kind == LIBRARY and re.search(question["source"], text) is not None
    where = " / ".join(f"{s.book_title[:20]}: {(s.chapter or '')[:30]}" for s in answer.sources[:3])
    return {"id": question["id"], "right": right, "got": f"{answer.kind} [{where}]", "answer": answer.answer}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=["dev", "dev2", "held", "all"], default="dev")
    p.add_argument("--verbose", action="store_true", help="print the answers that are wrong")
    args = p.parse_args(argv)
    data = json.loads(DATA.read_text())
    paths = [joined_manual(name) for name in data["manuals"]]
    found = [str(path) for path in paths if path is not None]
    if not found:
        raise SystemExit(f"no GNU Info manuals in {INFO}: nothing to measure")
    doc_eval.setup()
    book_ids = doc_eval.ensure_books("info", found)
    results: dict[str, dict] = {}
    for kind, items, row in (
        ("requests", data["requests"], plan_row),
        ("questions", data["questions"], answer_row),
    ):
        chosen = [i for i in items if args.split == "all" or i["split"] == args.split]
        rows = [row(item, book_ids) for item in chosen]
        print(f"\n## {kind} ({args.split})")
        for item, r in zip(chosen, rows, strict=True):
            text = item.get("query") or item.get("question")
            print(f"{'ok ' if r['right'] else 'BAD'} {r['id']:4} {text} -> {r['got'][:150]}")
            if args.verbose and not r["right"] and "answer" in r:
                print(f"           {r['answer'][:240]}")
        results[kind] = {"right": sum(r["right"] for r in rows), "of": len(rows)}
        if kind == "requests":
            off = sum(r.get("objectives_off", 0) for r in rows)
            results[kind]["sections_without_2_to_6_objectives"] = off
    score = {kind: f"{r['right']}/{r['of']}" for kind, r in results.items()}
    print(f"\nrequests {score['requests']}, questions {score['questions']} ({len(found)} manuals)")
    print(json.dumps({"split": args.split, "manuals": len(found), **results}))


if __name__ == "__main__":
    main()
