"""Question-answering evaluation over ../shared/corpus (setup part; the measurement follows)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DB_NAME = "docprof_qa_eval"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def setup_django(db_name: str):
    os.environ["DOCPROF_DB_NAME"] = db_name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_corpus(db_name: str):
    """Create and migrate the eval database; ingest every corpus book not yet ready."""
    from django.contrib.auth import get_user_model
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection

    sys.path.insert(0, str(ROOT / "bench"))
    from search import ensure_database

    if connection.settings_dict["NAME"] != db_name:
        raise SystemExit(f"refusing to run: Django would use {connection.settings_dict['NAME']!r}")
    ensure_database(connection, db_name)
    call_command("migrate", verbosity=0, interactive=False)
    from library.models import Book
    from library.services import add_book, ingest_book

    user, _ = get_user_model().objects.get_or_create(username="qa-eval")
    for path in sorted(CORPUS.iterdir()):
        if (
            path.suffix.lower() not in (".pdf", ".epub", ".md", ".html", ".adoc")
            or path.name == "MANIFEST.md"
        ):
            continue
        book = Book.objects.filter(owner=user, original_filename=path.name).first()
        if book and book.status == Book.Status.READY:
            continue
        if book is None:
            with path.open("rb") as fh:
                book = add_book(owner=user, fileobj=File(fh), filename=path.name, enqueue=False).book
        start = time.perf_counter()
        ingest_book(book)
        log(f"ingested {path.name} in {time.perf_counter() - start:.1f} s")
    return user


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--setup-only", action="store_true")
    p.parse_args(argv)
    setup_django(DB_NAME)
    ensure_corpus(DB_NAME)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
