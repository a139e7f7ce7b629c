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
