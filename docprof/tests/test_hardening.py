"""What the catalogue cannot show in one request: CSRF-enforced page uploads, the JSON depth scan,
JSON 500s under /api/, the HTTPS settings behind a proxy, /healthz, and `check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.exceptions import ValidationError

from docprof.fields import StrictBooleanField, StrictCharField, StrictFloatField, StrictIntegerField
from docprof.parsers import nesting_depth
from docprof.tests.badinput import MULTIPART, media_files, multipart, row_counts
from library.models import Book

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[", "]]]]"]', 1),  # brackets inside strings are text
        ('["\\"[[[", {"x": "\\\\"}]', 2),  # escaped quotes and backslashes end strings correctly
        ("[" * 1000 + "]" * 1000, 1000),
        ("7", 0),
    ],
)
def test_nesting_depth_counts_structure_not_strings(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.django_db
def test_page_upload_refuses_unsafe_names_even_when_csrf_reads_the_form_first(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    token = client.get(reverse("library:index")).cookies["csrftoken"].value
    rows, files = row_counts(), media_files()
    body = multipart({"csrfmiddlewaretoken": token}, [("../../evil.md", b"# Evil\n\ntext\n")])
    response = client.generic("POST", reverse("library:upload"), body, MULTIPART)
    assert response.status_code == 400
    assert "path separators or &#x27;..&#x27;" in response.content.decode()
    assert row_counts() == rows and media_files() == files


@pytest.mark.django_db
def test_page_upload_with_a_safe_name_still_works(world):
    client = world.pages("owner")
    body = multipart({}, [("notes.md", b"# Notes\n\nSome words on discounting cash flows.\n")])
    response = client.generic("POST", reverse("library:upload"), body, MULTIPART)
    assert response.status_code == 302
    assert Book.objects.filter(owner=world.alice, original_filename="notes.md").exists()


@pytest.mark.django_db
def test_an_unhandled_error_under_api_is_json_500(world, monkeypatch):
    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr("library.api.selectors.books_for_listing", broken)
    client = Client(raise_request_exception=False)
    client.force_login(world.alice)
    response = client.get(reverse("api-books"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "boom" not in response.content.decode() and response.json()["detail"]


@pytest.mark.django_db
def test_course_throttle_limits_posts_not_reads(world, settings):
    settings.DOCPROF_COURSE_RATE_PER_HOUR = 1  # the world already requested one course
    api = world.api("owner")
    assert api.get(reverse("api-courses")).status_code == 200
    refused = api.post(reverse("api-courses"), {"query": "Learn valuation", "hours": 1}, format="json")
    assert refused.status_code == 429 and 3500 <= int(refused["Retry-After"]) <= 3600
    assert world.api("other").get(reverse("api-courses")).status_code == 200


@pytest.mark.django_db
def test_https_redirect_spares_healthz_and_trusts_the_proxy_header(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/accounts/login/", headers={"x-forwarded-proto": "https"}).status_code == 200


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCPROF_TESTING"))}
    environment.update(env)
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )


PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)}


def test_check_deploy_passes_with_production_settings_and_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_come_from_the_environment():
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    secure = _manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert secure.stdout.split() == ["True", "True", "31536000", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
    plain = _manage("shell", "--no-imports", "-c", code, **PRODUCTION, DJANGO_SECURE="false")
    assert plain.stdout.split() == ["False", "False", "0", "None"]
    development = _manage("shell", "--no-imports", "-c", code)
    assert development.stdout.split() == ["False", "False", "0", "None"]


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_paths_are_json_404_even_with_debug_on(world, settings, debug):
    settings.DEBUG = debug
    api = world.api("owner")
    for path in ("/api/books/abc", "/api/courses/1.5/status", "/api/nothing"):
        response = api.get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", path
    assert api.get("/api/schema")["Location"] == "/api/schema/"
    assert Client().get("/library/books/abc/").status_code == 404  # pages keep Django's pages


@pytest.mark.django_db
def test_writes_to_unknown_api_paths_are_404_not_csrf_failures(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    for method in ("post", "delete", "put"):
        response = getattr(client, method)("/api/courses/-1/cancel")
        assert response.status_code == 404 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        (StrictCharField(), "text", [1, 1.5, True, None, ["a"], {"a": 1}]),
        (StrictIntegerField(), 150, ["150", True, False, 1.5, [1], {"a": 1}]),
        (StrictFloatField(), 1.5, ["1.5", True, False, [1], {"a": 1}]),
        (StrictBooleanField(), True, ["true", 1, 0, "yes", [True]]),
    ],
    ids=["string", "integer", "number", "boolean"],
)
def test_strict_fields_take_their_json_type_only(field, good, bad):
    assert field.run_validation(good) == good
    for value in bad:
        with pytest.raises(ValidationError):
            field.run_validation(value)
