"""Question answering over ../shared/corpus: retrieval recall@5 of the right page (the passages the
Q&A engine answers from, qa.engine.retrieve), citation
verification, abstention precision/recall and answer latency, offline (no model).

    .venv/bin/python bench/qa_eval.py                  # the reported (test) half
    .venv/bin/python bench/qa_eval.py --split dev      # the development half (tuning)
    .venv/bin/python bench/qa_eval.py --calibrate      # fit the abstention judge on both sets' dev halves
    .venv/bin/python bench/qa_eval.py --pad 100000     # latency with the library padded to 100k passages
    .venv/bin/python bench/qa_eval.py --one-book       # a one-book library (see one_book_rows)
    .venv/bin/python bench/qa_eval.py --questions bench/data/qa_fresh.json --split dev   # another set
    .venv/bin/python bench/qa_eval.py --calibrate --questions bench/data/qa_*.json   # both sets' dev halves
    DOCPROF_EMBEDDINGS=sentence-transformers EMBEDDING_DIM=384 .venv/bin/python bench/qa_eval.py

A question whose answer is a whole section also names it ("section"): every passage under that
heading counts. Runs in its own database (docprof_qa_eval_<embedder>), ingesting the corpus on
first use through the product's ingestion. Questions: bench/data/qa_questions.json (answerable
ones name the book and verbatim evidence phrases that locate the answering passages; the right
pages are theirs).
Prints a table, then one JSON line with every number.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
QUESTIONS = ROOT / "bench" / "data" / "qa_questions.json"
CALIBRATION_SETS = (QUESTIONS, ROOT / "bench" / "data" / "qa_fresh.json")  # --calibrate: their dev halves
BOOK_SUFFIXES = (".pdf", ".epub", ".md", ".html", ".adoc")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def setup_django(pad: int = 0, database: str | None = None) -> str:
    embedder = os.environ.get("DOCPROF_EMBEDDINGS", "hashing").replace("-", "_")
    db_name = database or f"docprof_qa_eval_{embedder}" + (f"_pad{pad}" if pad else "")
    os.environ["DOCPROF_DB_NAME"] = db_name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    return db_name


def ensure_corpus(db_name: str):
    """Create and migrate the eval database; ingest every corpus book not yet ready."""
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection
    from search import ensure_database

    if connection.settings_dict["NAME"] != db_name:
        raise SystemExit(f"refusing to run: Django would use {connection.settings_dict['NAME']!r}")
    ensure_database(connection, db_name)
    call_command("migrate", verbosity=0, interactive=False)
    from library.models import Book, BookSummary
    from library.services import add_book, pending_embedding
    from workers import engine

    user, _ = get_user_model().objects.get_or_create(username="qa-eval")
    for path in sorted(CORPUS.iterdir()):
        if path.suffix.lower() not in BOOK_SUFFIXES or path.name.isupper() or path.stem.isupper():
            continue
        book = Book.objects.filter(owner=user, original_filename=path.name).first()
        if book and book.status != Book.Status.READY and BookSummary.objects.filter(book=book).exists():
            # stored completely by ingest_book run outside the job engine (an earlier version of
            # this script): only the status was never set
            Book.objects.filter(pk=book.pk).update(status=Book.Status.READY)
            continue
        if book and book.status == Book.Status.READY:
            continue
        if book is not None:
            book.delete()
        start = time.perf_counter()
        with path.open("rb") as fh:
            added = add_book(owner=user, fileobj=File(fh), filename=path.name, enqueue=False)
        engine.run_inline(added.job.pk)  # the product's ingest job, in this process
        for job_id in pending_embedding(added.book.pk):  # and a model embedder's passages after it
            engine.run_inline(job_id)
        log(f"ingested {path.name} in {time.perf_counter() - start:.1f} s")
    return user


def answer_pages(question: dict, books: dict) -> tuple[int, list[tuple[int, int]]]:
    """The book id and page ranges of the passages holding the question's evidence phrases."""
    from library.models import Chunk
    from library.quotes import normalise

    book = books[question["book"]]
    wanted = [normalise(e) for e in question["evidence"]]
    ranges = []
    section = question.get("section")
    for chunk in Chunk.objects.filter(book_id=book).only("text", "page_start", "page_end", "heading_path"):
        text = normalise(chunk.text)
        if any(w in text for w in wanted) or (section and section in chunk.heading_path):
            ranges.append((chunk.page_start or 0, chunk.page_end or chunk.page_start or 0))
    if not ranges:
        raise SystemExit(f"{question['id']}: no passage of {question['book']} holds its evidence")
    return book, ranges


def is_right(hit, book: int, ranges) -> bool:
    return hit.book_id == book and any(
        (hit.page_start or 0) <= end and start <= (hit.page_end or hit.page_start or 0)
        for start, end in ranges
    )


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def one_book_rows(questions, books) -> list[tuple[dict, list[int]]]:
    """A library of one book: each answerable question asked of its own book, each unanswerable one
    of every book in turn (the judge must not over-abstain when the user's words are not the book's,
    nor answer because a small library makes every word look rare)."""
    pairs = []
    for q in questions:
        if q["answerable"]:
            pairs.append((q, [books[q["book"]]]))
        else:
            pairs.extend(({**q, "id": f"{q['id']}@{book}"}, [book]) for book in sorted(books.values()))
    return pairs


def evaluate(questions, book_ids, books, threshold=None, weights=None, bias=None, scopes=None) -> dict:
    """`scopes`: (question, book ids) pairs to ask instead of every question of the whole library."""
    from library.retrieval import analyse_query
    from qa.engine import answer_question, retrieve
    from qa.offline import OfflineAnswerer

    answerer = OfflineAnswerer(threshold, weights=weights, bias=bias)
    rows = []
    for q, book_ids in scopes or [(q, book_ids) for q in questions]:
        row = {
            "id": q["id"],
            "answerable": q["answerable"],
            "wording": q.get("wording"),
            "kind": q.get("kind"),
        }
        if q["answerable"]:
            book, ranges = answer_pages(q, books)
            hits = retrieve(q["question"], book_ids, analyse_query(q["question"], book_ids))[:5]
            ranks = [i for i, h in enumerate(hits, 1) if is_right(h, book, ranges)]
            row["rank"] = ranks[0] if ranks else None
        start = time.perf_counter()
        answer = answer_question(q["question"], book_ids, llm=None, answerer=answerer)
        row["latency_ms"] = (time.perf_counter() - start) * 1000
        row["answer_kind"] = answer.kind
        row["evidence"] = answer.evidence
        row["features"] = answer.judgement or {}
        row["sources"] = len(answer.sources)
        row["verified"] = sum(s.verified for s in answer.sources)
        if q["answerable"] and answer.kind == "library":
            row["cited_right"] = any(is_right(s, book, ranges) for s in answer.sources)
            row["lead_right"] = bool(answer.sources) and is_right(answer.sources[0], book, ranges)
        rows.append(row)
    return summarise(rows)


def summarise(rows) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def recall(group):
        return round(sum(r["rank"] is not None for r in group) / len(group), 3) if group else None

    plain = [r for r in answerable if r["wording"] == "plain"]
    unlike = [r for r in answerable if r["wording"] == "unlike"]
    abstained = [r for r in rows if r["answer_kind"] == "not_found"]
    true_abstentions = [r for r in abstained if not r["answerable"]]
    sources = sum(r["sources"] for r in rows)
    latencies = [r["latency_ms"] for r in rows]
    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "recall_at_5": recall(answerable),
        "recall_at_5_plain": recall(plain),
        "recall_at_5_unlike": recall(unlike),
        "mrr_at_5": round(statistics.mean(1 / r["rank"] if r["rank"] else 0 for r in answerable), 3),
        "citations": sources,
        "citation_verified_rate": round(sum(r["verified"] for r in rows) / sources, 3) if sources else None,
        "answered_citing_right_page": sum(bool(r.get("cited_right")) for r in answerable),
        "answered_leading_with_right_page": sum(bool(r.get("lead_right")) for r in answerable),
        "abstention_precision": round(len(true_abstentions) / len(abstained), 3) if abstained else None,
        "abstention_recall": round(len(true_abstentions) / len(unanswerable), 3) if unanswerable else None,
        "abstention_recall_near_miss": recall_kind(rows, "near_miss"),
        "abstention_recall_off_topic": recall_kind(rows, "off_topic"),
        "wrongly_abstained": [r["id"] for r in answerable if r["answer_kind"] == "not_found"],
        "wrongly_answered": [r["id"] for r in unanswerable if r["answer_kind"] != "not_found"],
        "missed_retrieval": [r["id"] for r in answerable if r["rank"] is None],
        "latency_ms_p50": round(pct(latencies, 50), 1),
        "latency_ms_p95": round(pct(latencies, 95), 1),
        "rows": rows,
    }


def recall_kind(rows, kind):
    group = [r for r in rows if r.get("kind") == kind]
    return round(sum(r["answer_kind"] == "not_found" for r in group) / len(group), 3) if group else None


L2_CHOICES = (0.03, 0.01, 0.003, 0.001)  # ridge penalties tried (per question); leave-one-out picks


def fit_logistic(x, y, l2: float, steps: int = 50):
    """Weights and bias of a ridge-penalised logistic regression (Newton's method; the bias is not
    penalised). x: rows of features, y: 1 = the passages answer."""
    import numpy as np

    a = np.hstack([np.asarray(x, dtype=float), np.ones((len(y), 1))])
    y = np.asarray(y, dtype=float)
    theta = np.zeros(a.shape[1])
    ridge = np.eye(a.shape[1]) * l2 * len(y)
    ridge[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(a @ theta)))
        grad = a.T @ (p - y) + ridge @ theta
        hess = a.T @ (a * (p * (1 - p))[:, None]) + ridge + 1e-9 * np.eye(a.shape[1])
        theta -= np.linalg.solve(hess, grad)
    return theta[:-1], float(theta[-1])


def leave_one_out(x, y, l2: float) -> tuple[float, float, float]:
    """Abstention precision, recall and Youden's J of the judge fitted without each question in turn."""
    import numpy as np

    from qa.evidence import ANSWER_PROBABILITY

    abstain = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        w, b = fit_logistic(x[keep], y[keep], l2)
        abstain.append(1.0 / (1.0 + np.exp(-(x[i] @ w + b))) < ANSWER_PROBABILITY)
    abstain = np.array(abstain)
    tp, fp = int((abstain & (y == 0)).sum()), int((abstain & (y == 1)).sum())
    pos, neg = max(1, int((y == 0).sum())), max(1, int((y == 1).sum()))
    return tp / max(1, tp + fp), tp / pos, tp / pos - fp / neg


def calibrate(rows) -> tuple[dict, float]:
    """Fit the judge (qa.evidence.JUDGE_WEIGHTS, JUDGE_BIAS; with a semantic embedder, whose passages
    carry their similarity, its entry of qa.evidence.SEMANTIC_JUDGES) on the dev rows' features, with
    the ridge penalty whose leave-one-out abstention (an honest estimate of how it generalises) is best."""
    import numpy as np

    from qa.evidence import JUDGE_WEIGHTS

    semantic = any("similarity" in r["features"] for r in rows)
    names = list(JUDGE_WEIGHTS) + (["similarity"] if semantic else [])
    x = np.array([[r["features"].get(n, 0.0) for n in names] for r in rows])
    y = np.array([1.0 if r["answerable"] else 0.0 for r in rows])
    best = None
    for l2 in L2_CHOICES:
        precision, recall, j = leave_one_out(x, y, l2)
        print(f"ridge {l2}: leave-one-out abstention precision {precision:.3f}, recall {recall:.3f}")
        if best is None or j > best[0] + 1e-9:
            best = (j, l2)
    w, b = fit_logistic(x, y, best[1])
    weights = {n: round(float(v), 2) for n, v in zip(names, w, strict=True)}
    if semantic:
        from docprof.ai.factory import get_embedder

        print(f"ridge {best[1]}:\nSEMANTIC_JUDGES[{get_embedder().name!r}] = ({weights}, {round(b, 2)})")
    else:
        print(f"ridge {best[1]}:\nJUDGE_WEIGHTS = {weights}\nJUDGE_BIAS = {round(b, 2)}")
    return weights, round(b, 2)


def print_table(label: str, s: dict) -> None:
    print(f"\n{label}: {s['questions']} questions ({s['answerable']} answerable, {s['unanswerable']} not)")
    print(
        f"  recall@5 of the right page  {s['recall_at_5']}  (plain {s['recall_at_5_plain']}, "
        f"unlike-worded {s['recall_at_5_unlike']}; MRR@5 {s['mrr_at_5']})"
    )
    print(f"  citations verified          {s['citation_verified_rate']}  ({s['citations']} quotes)")
    print(
        f"  answers citing the right page {s['answered_citing_right_page']} "
        f"(as their first source: {s['answered_leading_with_right_page']})"
    )
    print(
        f"  abstention                  precision {s['abstention_precision']}, "
        f"recall {s['abstention_recall']} "
        f"(near misses {s['abstention_recall_near_miss']}, off-topic {s['abstention_recall_off_topic']})"
    )
    print(f"  answer latency (offline)    p50 {s['latency_ms_p50']} ms, p95 {s['latency_ms_p95']} ms")
    print(
        f"  missed retrieval {s['missed_retrieval']}; wrongly abstained {s['wrongly_abstained']}; "
        f"wrongly answered {s['wrongly_answered']}"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=("dev", "test", "all"), default="test")
    p.add_argument("--calibrate", action="store_true", help="fit the abstention judge on the dev half")
    p.add_argument(
        "--threshold", type=float, default=None, help="abstain below this answer probability (default 0.5)"
    )
    p.add_argument("--pad", type=int, default=0, help="pad the library with copies up to this many passages")
    p.add_argument("--one-book", action="store_true", help="a one-book library (see one_book_rows)")
    p.add_argument("--setup-only", action="store_true")
    p.add_argument(
        "--database",
        help="another database than docprof_qa_eval_<embedder> (e.g. a copy re-embedded with "
        "other DOCPROF_ST_* settings by manage.py reembed)",
    )
    p.add_argument(
        "--questions",
        type=Path,
        nargs="+",
        default=[QUESTIONS],
        help="the question set (default bench/data/qa_questions.json; also bench/data/qa_fresh.json; "
        "several: their questions together)",
    )
    args = p.parse_args(argv)
    if args.calibrate and args.one_book:
        p.error("calibrate on the whole library (the product's case), then check --one-book")
    db_name = setup_django(args.pad, args.database)
    ensure_corpus(db_name)
    if args.setup_only:
        return 0
    from django.conf import settings

    from library.models import Book

    if args.pad:
        from qa_pad import pad_library

        pad_library(args.pad, log)
    book_ids = list(Book.objects.filter(status=Book.Status.READY).values_list("id", flat=True))
    books = dict(Book.objects.filter(owner__username="qa-eval").values_list("original_filename", "id"))
    if args.calibrate and args.questions == [QUESTIONS]:  # the judge is fitted on every dev question
        args.questions = list(CALIBRATION_SETS)
    data = [q for path in args.questions for q in json.loads(path.read_text())["questions"]]
    questions_file = "+".join(path.name for path in args.questions)
    split = "dev" if args.calibrate else args.split
    questions = [q for q in data if split == "all" or q["split"] == split]
    from library.models import Chunk

    log(
        f"{len(questions)} {split} questions over {Chunk.objects.count():,} passages, "
        f"{settings.DOCPROF_EMBEDDINGS}"
    )
    scopes = one_book_rows(questions, books) if args.one_book else None
    summary = evaluate(questions, book_ids, books, args.threshold, scopes=scopes)
    if args.calibrate:
        weights, bias = calibrate(summary["rows"])
        print("(set them in qa/evidence.py; the dev numbers below use them)")
        summary = evaluate(questions, book_ids, books, args.threshold, weights, bias, scopes)
    label = f"{questions_file}, {split} half, embedder {settings.DOCPROF_EMBEDDINGS}"
    if args.one_book:
        label += ", one-book libraries (each answerable question: its book; each other: every book)"
    if args.pad:
        label += f", library padded with copies to {Chunk.objects.count():,} passages (latency only)"
    print_table(label, summary)
    rows = summary.pop("rows")
    print(
        json.dumps(
            {
                "questions_file": questions_file,
                "split": split,
                "one_book": args.one_book,
                "embedder": settings.DOCPROF_EMBEDDINGS,
                "passages": Chunk.objects.count(),
                **summary,
            }
        )
    )
    if os.environ.get("QA_EVAL_ROWS"):
        Path(os.environ["QA_EVAL_ROWS"]).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
