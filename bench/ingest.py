"""Ingestion benchmark: parse+chunk speed (pages/s), embedding speed (chunks/s), peak memory.

    .venv/bin/python bench/ingest.py               # ../shared/corpus books + a synthetic 1,000-page PDF
    .venv/bin/python bench/ingest.py --only PATH   # one file

Each book runs in its own process so that its peak RSS is its own. Targets (issue 2): at least
100 PDF pages/s parse+chunk on one core; peak memory under 500 MB for a 1,000-page PDF.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")
CORPUS = ROOT.parent / "shared" / "corpus"
FORMATS = {
    ".pdf": "pdf",
    ".epub": "epub",
    ".md": "markdown",
    ".html": "html",
    ".adoc": "asciidoc",
    ".txt": "text",
}


def measure_one(path: Path) -> dict:
    import django

    django.setup()
    from django.conf import settings

    from docprof.ai.embeddings import HashingEmbedder
    from library.chunking import chunk_chapter
    from library.parsing import parse_book

    fmt = FORMATS[path.suffix.lower()]
    start = time.perf_counter()
    book = parse_book(path, fmt, words_per_page=settings.DOCPROF_WORDS_PER_PAGE)
    parsed = time.perf_counter()
    drafts = [d for chapter in book.chapters for d in chunk_chapter(chapter)]
    chunked = time.perf_counter()
    embedder = HashingEmbedder()
    count = 0
    for batch in embedder.embed_batches(d.text for d in drafts):
        count += len(batch)
    embedded = time.perf_counter()
    pages = book.pages or 0
    return {
        "file": path.name,
        "format": fmt,
        "pages": pages,
        "physical_pages": book.physical_pages,
        "chapters": len(book.chapters),
        "chunks": len(drafts),
        "words": sum(d.word_count for d in drafts),
        "parse_s": round(parsed - start, 3),
        "chunk_s": round(chunked - parsed, 3),
        "parse_chunk_pages_per_s": round(pages / max(chunked - start, 1e-9), 1),
        "embed_chunks_per_s": round(count / max(embedded - chunked, 1e-9), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def synthetic_pdf(directory: Path, pages: int = 1000) -> Path:
    from library.tests.fixtures import make_pdf

    words = (
        "capital cost market price demand supply growth rate value cash flow equity debt asset "
        "return risk premium inflation money bank policy trade"
    ).split()
    texts = []
    for i in range(pages):
        lines = [" ".join(words[(i + j + k) % len(words)] for k in range(12)) + "." for j in range(40)]
        texts.append("\n".join(lines))
    outline = [(f"Chapter {c + 1}", c * 50 + 1) for c in range(pages // 50)]
    return make_pdf(directory / "synthetic-1000-pages.pdf", texts, outline=outline, title="Synthetic")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_one(args.child)))
        return
    if args.only:
        paths = [args.only]
    else:
        found = CORPUS.glob("*") if CORPUS.exists() else []
        paths = sorted(p for p in found if p.suffix.lower() in FORMATS and p.name != "MANIFEST.md")
        if not paths:
            print(f"(no corpus at {CORPUS}; measuring the synthetic PDF only)")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.only:
            import django

            django.setup()
            paths.append(synthetic_pdf(Path(tmp)))
        results = []
        for path in paths:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True
            )
            if out.returncode != 0:
                print(f"{path.name}: FAILED\n{out.stderr[-2000:]}")
                continue
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    header = (
        f"{'file':48} {'fmt':8} {'pages':>6} {'chap':>5} {'chunks':>6} {'pages/s':>8} {'chunks/s':>9} "
        f"{'RSS MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['file'][:48]:48} {r['format']:8} {r['pages']:>6} {r['chapters']:>5} {r['chunks']:>6} "
            f"{r['parse_chunk_pages_per_s']:>8} {r['embed_chunks_per_s']:>9} {r['peak_rss_mb']:>7}"
        )
    pdfs = [r for r in results if r["format"] == "pdf"]
    if pdfs:
        print(
            f"\nPDF parse+chunk: min {min(r['parse_chunk_pages_per_s'] for r in pdfs)} pages/s "
            "(target >= 100); "
            f"peak RSS max {max(r['peak_rss_mb'] for r in pdfs)} MB (target < 500 MB for 1,000 pages)"
        )
    print(json.dumps({"ingest": results}))


if __name__ == "__main__":
    main()
