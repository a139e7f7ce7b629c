"""Why retrieval misses the right page: for each answerable question of bench/qa_eval.py whose right
page is not in the first five passages the Q&A engine answers from (qa.engine.retrieve), print the
question, the passage that holds its evidence, the five passages retrieved instead, where the
right page ranks among the first RANKED passages of the search, and a class:

    ranked 6-50     the right passage is found, but below the fifth place (a ranking problem)
    words apart     the passage holds most of the question's key-term weight, yet the search
                    does not rank it (weighting, long questions diluting BM25, ...)
    vocabulary gap  the passage holds little of the question's key-term weight: the question
                    says in everyday words what the book says in its own ("undoes" / "inverse")

    .venv/bin/python bench/qa_misses.py                        # dev half, unlike-worded questions
    .venv/bin/python bench/qa_misses.py --wording plain --split all

Uses the same database as bench/qa_eval.py (docprof_qa_eval_<embedder>, ingested on first use).
Diagnosis only: it tunes nothing. Prints one block per miss, then a summary table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from qa_eval import QUESTIONS, ROOT, answer_pages, ensure_corpus, is_right, log, setup_django

RANKED = 50  # how far down the search's ranking the right page is looked for
TOP = 5
GAP_COVERAGE = 0.5  # below this share of key-term weight in the right passage: a vocabulary gap

RANKED_LOW, WORDS_APART, VOCABULARY_GAP = "ranked 6-50", "words apart", "vocabulary gap"


def key_weight_share(weights: dict[str, float], passage_lexemes) -> float:
    """The share of the question's key-term weight (lexeme -> weight) that a passage's lexemes
    hold (exact lexemes: the index's own notion of the same word)."""
    total = sum(weights.values())
    have = set(passage_lexemes)
    return sum(w for t, w in weights.items() if t in have) / total if total else 0.0


def classify_miss(rank: int | None, share: float, gap: float = GAP_COVERAGE) -> str:
    """The class of a miss: the right page's rank in the search (None: not in its first RANKED
    passages) and the share of key-term weight the right passage holds."""
    if rank is not None:
        return RANKED_LOW
    return VOCABULARY_GAP if share < gap else WORDS_APART


def diagnose(question: dict, book_ids, books) -> dict | None:
    """The miss's record (None when the right page is in the first TOP passages)."""
    from library.fulltext import chunk_lexemes
    from library.models import Chunk
    from library.quotes import normalise
    from library.retrieval import analyse_query, search_chunks
    from qa import evidence
    from qa.engine import retrieve

    book, ranges = answer_pages(question, books)
    terms = analyse_query(question["question"], book_ids)
    top = retrieve(question["question"], book_ids, terms)[:TOP]
    if any(is_right(h, book, ranges) for h in top):
        return None
    ranked = search_chunks(question["question"], book_ids, RANKED, terms=terms)
    rank = next((i for i, h in enumerate(ranked, 1) if is_right(h, book, ranges)), None)
    wanted = [normalise(e) for e in question["evidence"]]
    section = question.get("section")
    rights = [
        c
        for c in Chunk.objects.filter(book_id=book).order_by("ordinal")
        if any(w in normalise(c.text) for w in wanted) or (section and section in c.heading_path)
    ]
    keys = evidence.key_terms(terms)
    weights = {t: evidence.weight(terms, t) for t in keys}
    lexemes = chunk_lexemes([c.id for c in rights])
    # the right passage that holds most of the question's words
    right = max(rights, key=lambda c: key_weight_share(weights, lexemes.get(c.id, ())), default=None)
    held = lexemes.get(right.id, set()) if right else set()
    share = key_weight_share(weights, held)
    return {
        "id": question["id"],
        "question": question["question"],
        "class": classify_miss(rank, share),
        "rank": rank,
        "share": round(share, 2),
        "absent": [t for t in keys if not terms.df.get(t)],
        "held": sorted(t for t in keys if t in held),
        "right": right,
        "top": top,
    }


def print_miss(m: dict) -> None:
    print("=" * 100)
    print(f"{m['id']} [{m['class']}] {m['question']}")
    print(
        f"  right page ranks {m['rank'] or f'> {RANKED}'}; it holds {m['share']:.0%} of the key-term weight "
        f"({', '.join(m['held']) or 'none'}); not in the library: {', '.join(m['absent']) or 'none'}"
    )
    right = m["right"]
    if right is not None:
        text = " ".join(right.text.split())[:500]
        print(f"  RIGHT p{right.page_start} {' > '.join(right.heading_path[-2:])}: {text}")
    for i, h in enumerate(m["top"], 1):
        text = " ".join(h.text.split())[:160]
        print(f"  top {i} {h.book_title[:24]} p{h.page_start} {' > '.join(h.heading_path[-1:])}: {text}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    p.add_argument("--wording", choices=("unlike", "plain", "all"), default="unlike")
    args = p.parse_args(argv)
    db_name = setup_django()
    ensure_corpus(db_name)
    from library.models import Book

    book_ids = list(Book.objects.filter(status=Book.Status.READY).values_list("id", flat=True))
    books = dict(Book.objects.filter(owner__username="qa-eval").values_list("original_filename", "id"))
    questions = [
        q
        for q in json.loads(QUESTIONS.read_text())["questions"]
        if q["answerable"] and args.split in ("all", q["split"]) and args.wording in ("all", q.get("wording"))
    ]
    log(f"{len(questions)} answerable {args.split} questions ({args.wording}) in {ROOT.name}")
    misses = [m for q in questions if (m := diagnose(q, book_ids, books)) is not None]
    for m in misses:
        print_miss(m)
    counts = Counter(m["class"] for m in misses)
    print(f"\n{len(misses)} of {len(questions)} miss the right page in the first {TOP}:")
    for name in (RANKED_LOW, WORDS_APART, VOCABULARY_GAP):
        ids = [m["id"] for m in misses if m["class"] == name]
        print(f"  {name:15} {len(ids):3}  {' '.join(ids)}")
    print(
        json.dumps(
            {
                "split": args.split,
                "wording": args.wording,
                "questions": len(questions),
                "misses": len(misses),
                **{name: counts.get(name, 0) for name in (RANKED_LOW, WORDS_APART, VOCABULARY_GAP)},
                "rows": [
                    {k: m[k] for k in ("id", "class", "rank", "share", "absent", "held")} for m in misses
                ],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
