import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_the_api_answers_503_json_when_the_database_is_down(alice_api, monkeypatch):
    def database_down(user, pk):
        raise OperationalError("connection to server on socket failed")

    monkeypatch.setattr("workers.api.job_for_status", database_down)
    response = alice_api.get("/api/jobs/1")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json" and response["Retry-After"] == "5"
    assert "database is unavailable" in response.json()["detail"]
    assert "socket" not in response.json()["detail"]


def test_pages_keep_their_own_error_handling(alice_client, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr("library.selectors.books_for_listing", database_down)
    with pytest.raises(OperationalError):
        alice_client.get("/library/")
