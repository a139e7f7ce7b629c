"""docprof.warmup: a web process fills Django's reverse table and connects to the broker before it
serves, and leaves what it loaded out of later garbage collections; without a broker it starts all
the same (the first task sent connects, as before)."""

import gc

import pytest
from celery import current_app
from django.urls import clear_url_caches, get_resolver, reverse

from docprof import warmup


@pytest.fixture(autouse=True)
def unfreeze():
    yield
    gc.unfreeze()  # the test process's objects go back to the collector


def test_warm_up_fills_the_reverse_table(embedded_redis):
    clear_url_caches()  # a new resolver, as in a new process
    assert not get_resolver()._populated
    warmup.warm_up()
    assert get_resolver()._populated
    assert reverse("api-course-status", args=[1]) == "/api/courses/1/status"


def test_warm_up_reads_the_word_rarity_table(embedded_redis):
    from docprof.ai.rarity import zipf_table

    zipf_table.cache_clear()
    warmup.warm_up()
    assert zipf_table.cache_info().currsize == 1


def test_warm_up_compiles_the_prepared_queries(embedded_redis, db):
    from docprof import prepared

    for query in prepared._ALL:
        query._compiled = None
    warmup.warm_up()
    assert len(prepared._ALL) >= 4  # the token, job status and lecture queries at least
    assert all(query._compiled is not None for query in prepared._ALL)


def test_without_a_broker_the_web_process_still_starts(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    warned = []
    monkeypatch.setattr(current_app, "producer_or_acquire", down)
    monkeypatch.setattr(warmup.log, "warning", lambda message, *args: warned.append(message % args))
    warmup.warm_up()
    assert warned and "no broker connection yet" in warned[0]


def test_what_is_loaded_before_serving_is_left_out_of_garbage_collections(embedded_redis):
    gc.unfreeze()
    warmup.warm_up()
    assert gc.get_freeze_count() > 10_000  # Django, the apps and their modules


@pytest.mark.django_db(transaction=True)
def test_every_request_thread_connects_and_runs_the_prepared_queries_before_serving(monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from docprof import prepared

    ran = []
    real_run_all = prepared.run_all

    def run_all():
        ran.append(threading.get_ident())
        return real_run_all()

    monkeypatch.setattr(prepared, "run_all", run_all)
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        assert warmup.warm_threads(pool, 4) == 4
        assert len(set(ran)) == 4  # four threads of the pool, one each (a pool starts them lazily)
        assert len(pool._threads) == 4
        # each kept its connection open for the requests it will serve
        opened = warmup.warm_threads(pool, 4)  # run again: the same threads, already connected
        assert opened == 4 and len(pool._threads) == 4
        barrier = threading.Barrier(4)

        def connected_then_close():
            barrier.wait()
            was = connection.connection is not None
            connection.close()
            return was

        assert all(f.result() for f in [pool.submit(connected_then_close) for _ in range(4)])
    finally:
        pool.shutdown()


def test_a_thread_warm_up_without_a_database_is_logged_not_raised(monkeypatch):
    from docprof import prepared

    def down():
        raise ConnectionRefusedError(111, "Connection refused")

    warned = []
    monkeypatch.setattr(prepared, "run_all", down)
    monkeypatch.setattr(warmup.log, "warning", lambda message, *args: warned.append(message % args))
    assert warmup.warm_threads(None, 1) == 0
    assert warned and "web thread warm-up" in warned[0]


@pytest.mark.django_db
def test_every_prepared_query_runs_with_its_sentinel_values():
    from docprof import prepared

    assert prepared.run_all() == len(prepared._ALL) >= 4  # none fails; they match no row


def test_the_web_servers_hook_warms_its_threads(monkeypatch, settings):
    from types import SimpleNamespace

    settings.DOCPROF_ANSWER_PROCESSES = 0  # the hook's answer processes: qa/tests/test_answer_pool.py

    from docprof import gunicorn_conf
    from docprof.management.commands.run import Command

    command = Command()._commands("127.0.0.1", 8000, 2)["web"]
    assert command[command.index("--config") + 1] == "python:docprof.gunicorn_conf"  # make run's
    assert "--reuse-port" in command  # a listening socket per process: connections are spread
    calls, said = [], []
    monkeypatch.setattr(
        warmup, "warm_threads", lambda pool, threads: calls.append((pool, threads)) or threads
    )
    pool = object()
    worker = SimpleNamespace(
        tpool=pool,
        cfg=SimpleNamespace(threads=16),
        pid=7,
        log=SimpleNamespace(info=lambda *a: said.append(a)),
    )
    gunicorn_conf.post_worker_init(worker)
    assert calls == [(pool, 16)] and said[0][-1] == 16
