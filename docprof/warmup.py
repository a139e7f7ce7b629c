"""What a web process does once before it serves, instead of during its first requests.

Django fills its URL reverse table on the first `reverse()`, Celery builds its producer pool and
broker connection on the first task sent, and the rate limits build their Redis client on first
use. In a web process that is ~0.2 s of CPU, paid by whichever request comes first (a course
request: all three), holding the interpreter lock while the process's other threads wait: under
the load bench, the polls that process was answering at that moment. Nothing here is required: a
failure (the broker is down) is logged and the request that needs it does the work, as before.

Last, what is loaded by then (Django, the apps, their modules: ~170,000 objects) lives as long as
the process, and the garbage collector stops scanning it (`gc.freeze`). A full collection scanned
all of it, ~85 ms of CPU with the interpreter lock held: a pause of every request the process was
serving (under the load bench on a busy machine, 5-7 full collections in 60 s, up to ~0.5 s each).
Afterwards it scans what requests leave behind (the same bench: at most ~0.2 s, a third of the
total pause).
"""

from __future__ import annotations

import gc
import logging
import threading
from concurrent import futures

log = logging.getLogger(__name__)


def warm_up() -> None:
    from celery import current_app
    from django.urls import get_resolver

    from docprof.ai.rarity import zipf_table
    from docprof.prepared import compile_all
    from docprof.redis_client import get_redis

    get_resolver().reverse_dict  # noqa: B018 - fills the reverse table (every non-namespaced URL)
    zipf_table()  # word rarity, read by the first question (~25 ms)
    try:
        compile_all()  # the views' prepared queries (their modules are imported by now)
    except Exception as exc:  # the database is not up yet: the first requests compile them
        log.warning("web process warm-up: prepared queries not compiled (%r)", exc)
    try:
        get_redis()  # the client of the rate limits (built, not connected)
        current_app.loader.import_default_modules()
        current_app.finalize(auto=True)  # the task registry, result and canvas modules (first send)
        with current_app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1)
    except Exception as exc:  # kombu raises many connection error types
        log.warning("web process warm-up: no broker connection yet (%r)", exc)
    gc.collect()  # what is garbage now is freed, not frozen
    gc.freeze()


def warm_threads(pool: futures.Executor | None, threads: int, timeout: float = 10.0) -> int:
    """Each of a web process's request threads opens its database connection and runs the prepared
    queries once (`docprof.prepared.run_all`) before the process serves; returns how many did.

    Connections are per thread and kept (CONN_MAX_AGE), and a pool starts its threads only as
    requests need them: otherwise, when traffic arrives, every thread's first request opens a
    connection to a new database backend, whose first statements load the catalog entries of the
    tables and indexes they touch, all in the same moment (the gunicorn hook in
    docprof/gunicorn_conf.py calls this with gthread's pool). The tasks wait for each other, so
    that each runs on a thread of its own. `pool` None (a sync worker): the calling thread only."""
    from docprof.prepared import run_all

    def one(barrier: threading.Barrier | None) -> bool:
        if barrier is not None:
            try:
                barrier.wait()  # every thread of the pool has been started: none takes two
            except threading.BrokenBarrierError:
                pass
        try:
            run_all()
        except Exception as exc:  # the database is not up: the first requests connect
            log.warning("web thread warm-up: %r", exc)
            return False
        return True

    if pool is None or threads <= 1:
        return int(one(None))
    barrier = threading.Barrier(threads, timeout=timeout)
    done, _ = futures.wait([pool.submit(one, barrier) for _ in range(threads)], timeout=2 * timeout)
    return sum(1 for f in done if not f.exception() and f.result())
