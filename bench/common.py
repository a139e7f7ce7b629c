"""What the process-level benchmarks (faults, load) share: their own database and Redis DB on the
embedded stack, a user with the sample books, the machine they ran on, one JSON line at the end."""

from __future__ import annotations

import json
import logging
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BOOKS = ("valuing-a-business.md", "time-value-of-money.txt")


logging.getLogger("httpx").setLevel(logging.WARNING)


def log(msg: str) -> None:
    print(f"# {msg}", file=sys.stderr, flush=True)


def setup_django(db_name: str, redis_db: int, **extra: str) -> Path:
    """Point this process (and the children it starts, through os.environ) at the bench's own
    database and Redis DB, DEBUG off; returns its media directory (var/bench-media/DB_NAME)."""
    media = ROOT / "var" / "bench-media" / db_name
    media.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DOCPROF_DB_NAME": db_name,
            "DOCPROF_TESTING": "1",
            "REDIS_DB": str(redis_db),
            "DOCPROF_MEDIA_ROOT": str(media),
            "DOCPROF_COURSE_RATE_PER_HOUR": "1000000",
            "DJANGO_SETTINGS_MODULE": "docprof.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE": "false",  # plain HTTP on loopback (production sits behind a TLS proxy)
            "DJANGO_SECRET_KEY": "bench-only-secret-key",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            **extra,
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from docprof import embedded

    embedded.ensure_redis()
    ensure_database(db_name)
    return media


def ensure_database(db_name: str) -> None:
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    if connection.settings_dict["NAME"] != db_name:
        raise SystemExit(f"refusing to run: Django would use database {connection.settings_dict['NAME']!r}")
    params = connection.get_connection_params()
    kw = {k: params[k] for k in ("user", "password", "host", "port") if params.get(k)}
    with psycopg.connect(dbname="postgres", autocommit=True, **kw) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_name]).fetchone():
            admin.execute(f'CREATE DATABASE "{db_name}"')
            log(f"created database {db_name}")
    call_command("migrate", verbosity=0, interactive=False)


def user_with_books(username: str, books=SAMPLE_BOOKS, shared: bool = False):
    """The bench user, with the sample books ingested (once) in this process."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from library.selectors import ready_book_ids
    from library.services import add_book, pending_embedding
    from workers import engine

    user, _ = get_user_model().objects.get_or_create(username=username)
    if len(ready_book_ids(user)) < len(books):
        for name in books:
            data = (ROOT / "sample_library" / name).read_bytes()
            added = add_book(
                owner=user, fileobj=ContentFile(data), filename=name, shared=shared, enqueue=False
            )
            if added.job is not None:
                engine.run_inline(added.job.pk)
                for job_id in pending_embedding(added.book.pk):  # a model embedder's passages
                    engine.run_inline(job_id)
        log(f"ingested {len(books)} sample books for {username}")
    return user


def flush_redis() -> None:
    from docprof.redis_client import get_redis

    get_redis().flushdb()  # the bench's own DB number: its queue, locks and counters


def machine() -> dict:
    cores = os.cpu_count()
    memory_gb = None
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        memory_gb = round(kb / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cores": cores,
        "memory_gb": memory_gb,
        "load_1min": round(load, 2) if load is not None else None,
        "python": platform.python_version(),
    }


def emit(bench: str, results: dict) -> None:
    """The last line a bench prints: one JSON object bench/record.py reads."""
    print(json.dumps({"bench": bench, "machine": machine(), **results}, default=str), flush=True)
