"""Database connections live as long as they work unless DJANGO_CONN_MAX_AGE says otherwise: a
fixed age made every connection opened at start-up expire, and reconnect, in the same second."""

import pytest

from docprof import embedded


def test_connections_are_kept_unless_an_age_is_set(monkeypatch):
    monkeypatch.delenv("DJANGO_CONN_MAX_AGE", raising=False)
    assert embedded.conn_max_age() is None
    assert embedded.postgres_settings()["CONN_MAX_AGE"] is None
    assert embedded.postgres_settings()["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "0")
    assert embedded.conn_max_age() == 0


def test_a_bad_age_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "an hour")
    with pytest.raises(embedded.EmbeddedServiceError, match="number of seconds"):
        embedded.conn_max_age()
