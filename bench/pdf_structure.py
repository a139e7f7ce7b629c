"""PDF chapters without bookmarks: how many of a book's real chapters the layout rules find.

    .venv/bin/python bench/pdf_structure.py                 # every PDF in ../shared/corpus
    .venv/bin/python bench/pdf_structure.py A.pdf B.pdf -v  # these PDFs, listing every chapter

Each PDF is parsed with its bookmarks ignored (``parse_pdf(path, use_outline=False)``), so chapters
come only from the page layout. Ground truth is the PDF's own outline: its top-level bookmarks
(title and target page) stand for the book's chapters, front and back matter included (a book whose
outline is nested under one root entry is compared with that entry's children). An entry followed by
the next one on the same page (a part title with no text of its own, e.g. "Part I" right before
"Chapter 1") cannot start a chapter and is not counted; the count of such entries is printed. A PDF
without an outline has no ground truth; its chapters are listed only.

A chapter counts as found when a detected chapter starts within one page of the bookmark's page
(each detected chapter matches at most one bookmark). Printed per book: chapters expected, found
in all, matched, the share matched (target >= 90%), detected chapters that match no bookmark, and
parse speed in pages per second (target >= 100, parse only, one core), by the wall clock and per
second of CPU time (which a busy shared machine does not distort). Columns: expect = bookmarks
counted, skip = bookmarks not counted (no page of their own), found = chapters detected, match =
expected chapters found within a page, extra = detected chapters matching no bookmark.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"
_NORM_RE = re.compile(r"[\W_]+")


def outline_chapters(path: Path) -> list[tuple[str, int]]:
    """Top-level bookmarks as (title, 1-based page); the children of a single root entry when the
    outline has only one top-level entry."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        entries = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for bm in pdf.get_toc(max_depth=16):
                dest = bm.get_dest()
                index = dest.get_index() if dest is not None else None
                if index is not None:
                    entries.append((bm.level, (bm.get_title() or "").strip(), index + 1))
    finally:
        pdf.close()
    if not entries:
        return []
    top = min(level for level, _, _ in entries)
    level0 = [(t, p) for level, t, p in entries if level == top]
    if len(level0) == 1:
        level1 = [(t, p) for level, t, p in entries if level == top + 1]
        if len(level1) >= 2:
            return level1
    return level0


def without_empty(entries: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Entries whose successor starts on a later page (the last one always counts)."""
    return [e for e, nxt in zip(entries, [*entries[1:], ("", 10**9)], strict=False) if nxt[1] > e[1]]


def _norm(text: str) -> str:
    return _NORM_RE.sub("", text.lower())


def match(expected: list[tuple[str, int]], found: list[tuple[str, int]]) -> list[tuple[int, int | None]]:
    """For each expected chapter, the index of the found chapter matched to it (start page within
    one page; the same title first, then the nearest; each found chapter used once), or None."""
    used: set[int] = set()
    pairs = []
    for title, page in expected:
        options = [
            (0 if _norm(title) in _norm(ft) else 1, abs(fp - page), j)
            for j, (ft, fp) in enumerate(found)
            if j not in used and fp is not None and abs(fp - page) <= 1
        ]
        if options:
            j = min(options)[2]
            used.add(j)
            pairs.append((len(pairs), j))
        else:
            pairs.append((len(pairs), None))
    return pairs


def measure(path: Path, verbose: bool) -> dict:
    from library.parsing.pdf import parse_pdf

    start, cpu = time.perf_counter(), time.process_time()
    book = parse_pdf(path, use_outline=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    found = [(c.title, c.page_start) for c in book.chapters]
    outline = outline_chapters(path)
    expected = without_empty(outline)
    pairs = match(expected, found)
    matched = {j for _, j in pairs if j is not None}
    result = {
        "file": path.name,
        "pages": book.pages,
        "expected": len(expected),
        "not_counted": len(outline) - len(expected),
        "found": len(found),
        "matched": len(matched),
        "share": round(len(matched) / len(expected), 3) if expected else None,
        "unmatched_found": len(found) - len(matched),
        "pages_per_s": round((book.pages or 0) / max(seconds, 1e-9), 1),
        "pages_per_cpu_s": round((book.pages or 0) / max(cpu, 1e-9), 1),
    }
    if verbose:
        print(f"\n{path.name}")
        for i, j in pairs:
            title, page = expected[i]
            got = f"p.{found[j][1]:<4} {found[j][0][:60]}" if j is not None else "-- not found"
            print(f"  expected p.{page:<4} {title[:44]:44} | {got}")
        for j, (title, page) in enumerate(found):
            if j not in matched:
                print(f"  extra    p.{page or 0:<4} {title[:60]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every chapter")
    args = parser.parse_args()
    paths = args.paths or (sorted(CORPUS.glob("*.pdf")) if CORPUS.exists() else [])
    if not paths:
        print(f"(no PDFs given and none in {CORPUS})")
        return
    results = [measure(p, args.verbose) for p in paths]
    header = (
        f"{'file':52} {'pages':>6} {'expect':>6} {'skip':>5} {'found':>6} {'match':>6} {'share':>6} "
        f"{'extra':>6} {'pages/s':>8} {'cpu p/s':>8}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        share = f"{r['share']:.0%}" if r["share"] is not None else "n/a"
        print(
            f"{r['file'][:52]:52} {r['pages']:>6} {r['expected']:>6} {r['not_counted']:>5} {r['found']:>6} "
            f"{r['matched']:>6} "
            f"{share:>6} {r['unmatched_found']:>6} {r['pages_per_s']:>8} {r['pages_per_cpu_s']:>8}"
        )
    scored = [r for r in results if r["expected"]]
    if scored:
        total_expected = sum(r["expected"] for r in scored)
        total_matched = sum(r["matched"] for r in scored)
        print(
            f"\nAll: {total_matched}/{total_expected} chapters with the right start page ±1 "
            f"({total_matched / total_expected:.0%}; target >= 90%); "
            f"slowest {min(r['pages_per_s'] for r in results)} pages/s wall clock, "
            f"{min(r['pages_per_cpu_s'] for r in results)} per CPU second (target >= 100)"
        )
    print(json.dumps({"pdf_structure": results}))


if __name__ == "__main__":
    main()
