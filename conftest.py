"""Test setup: real embedded Postgres (pgvector) and Redis, a temporary MEDIA_ROOT.

`make test` runs the suite over two pytest-xdist processes (pyproject addopts `-n 2`); each has its own
embedded servers and test database. `-n 0` runs it in one process."""

import pytest
from django.conf import settings

_RUNNING_BEFORE: dict[str, bool] = {}


def _xdist_controller(config) -> bool:
    """The pytest-xdist process that hands tests to its workers: it runs none and uses no server
    (each worker has its own embedded Postgres and Redis, see `embedded.var_dir`)."""
    return config.pluginmanager.has_plugin("dsession")


def pytest_sessionstart(session):
    if _xdist_controller(session.config):
        return
    from docprof import embedded

    _RUNNING_BEFORE.update(embedded.running())


def pytest_collection_modifyitems(config, items):
    """Tests that start processes (`slow`: workers, servers, browsers) first, in their usual order.
    They mostly wait; split over xdist workers they overlap with each other and with the quick tests
    instead of ending the run on one worker."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session, exitstatus):
    """Leave the machine as the run found it: stop the embedded servers this run started."""
    if not _RUNNING_BEFORE:
        return
    from docprof import embedded

    embedded.stop_started(_RUNNING_BEFORE, postgres=not settings.DATABASE_URL, redis=settings.REDIS_EMBEDDED)


@pytest.fixture(scope="session", autouse=True)
def embedded_redis():
    """Real Redis: the embedded server unless REDIS_URL is set. Tests use their own DB number."""
    if settings.REDIS_EMBEDDED:
        from docprof import embedded

        embedded.ensure_redis()
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's default hasher takes ~0.5 s per password by design; tests need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def alice_api(api_client, alice):
    api_client.force_authenticate(alice)
    return api_client
