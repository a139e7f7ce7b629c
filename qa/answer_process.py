"""A child process of a web process's answer pool (qa.answer_pool): answers offline questions sent
over its socket, one at a time, until the socket closes (the web process stopped or died).

    python -m qa.answer_process FD

Each request is the keyword arguments of `qa.engine.answer_question`; each reply is
("answer", Answer) or ("error", the exception raised), preceded once by ("ready", pid) when the
process has set up Django and warmed up.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import traceback
from multiprocessing.connection import Connection

log = logging.getLogger(__name__)

NICE = 10


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")
    import django

    django.setup()


def warm_up() -> None:
    """What a first question would otherwise pay (~15 ms): the word rarity table, the prepared
    queries and a connection; then what is loaded is left out of garbage collections, as in a web
    process (docprof.warmup)."""
    from docprof.ai.rarity import zipf_table
    from docprof.prepared import compile_all, run_all

    zipf_table()
    try:
        compile_all()
        run_all()
    except Exception as exc:  # the database is not up: the first question connects
        log.warning("answer process warm-up: %r", exc)
    gc.collect()
    gc.freeze()


def reply_error(exc: BaseException) -> tuple[str, BaseException]:
    """The exception to raise in the web process, with this process's traceback as a note (an
    exception that cannot be pickled is sent as a RuntimeError naming it)."""
    import pickle

    exc.add_note("in the answer process:\n" + "".join(traceback.format_exception(exc)))
    try:
        pickle.dumps(exc)
    except Exception:
        exc = RuntimeError(f"answer process: {exc!r}")
    return ("error", exc)


def serve(conn: Connection) -> None:
    from django.db import close_old_connections

    from qa import engine

    try:
        conn.send(("ready", os.getpid()))
    except OSError:
        return  # the web process stopped while this one was setting up
    while True:
        try:
            question = conn.recv()
        except EOFError:
            return  # the web process closed its end: stop
        close_old_connections()  # as Django does around a request: drops a broken connection
        try:
            reply = ("answer", engine.answer_question(**question))
        except Exception as exc:
            reply = reply_error(exc)
        try:
            conn.send(reply)
        except OSError:
            return  # the web process is gone


def main(argv: list[str]) -> None:
    # Ctrl-C at a terminal reaches the whole process group: the web process decides when this one
    # stops (by closing the socket), and a question it is answering is finished first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Below the web process's request threads (same session, so the nice value counts against
    # them): a status poll that arrives while a question is answered takes the CPU at once.
    os.nice(NICE)
    conn = Connection(int(argv[1]))
    setup()
    warm_up()
    serve(conn)


if __name__ == "__main__":
    main(sys.argv)
