"""Schemathesis against /api/schema/ as a logged-in user (token): no 5xx, every answer conforms.

One test per operation of the schema, through the real WSGI stack and the real database, with the
shared world (alice's books, course and jobs) in place. Bounded and deterministic for CI:
SCHEMATHESIS_EXAMPLES examples per operation and generation mode (default 25; valid inputs, then
invalid ones), derandomized (the same inputs every run).

(schemathesis' own pytest loader does not run under pytest 9, so the operations are driven here
with its Python API: `operation.as_strategy()` and `case.call_and_validate()`.)
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(300)]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


# Rules no schema can state: valid credentials, and a book file's content (type, text, size).
EXCLUDED = {
    "POST /api/auth/token": [schemathesis.checks.positive_data_acceptance],
    "POST /api/books": [schemathesis.checks.positive_data_acceptance],
}


def operation_cases() -> list:
    """(operation, generation mode) pairs; invalid input only where an operation takes some."""
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    cases = []
    for path, item in paths.items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            cases.append(pytest.param(label, GenerationMode.POSITIVE, id=f"{label} valid"))
            if operation.get("parameters") or operation.get("requestBody"):
                cases.append(pytest.param(label, GenerationMode.NEGATIVE, id=f"{label} invalid"))
    return cases


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus closing the DB connection at each request's end (as Django's
    test client does), so requests run inside the test's transaction and see its data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("label", "mode"), operation_cases())
def test_operation_conforms_to_the_schema(world, wsgi_app, label, mode):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    token = Token.objects.create(user=world.alice).key

    @schema.auth()
    class AliceToken:
        """alice's API token, declared as the auth so schemathesis can also probe without it."""

        def get(self, case, context):
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    method, path = label.split(" ", 1)
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode, auth_storage=schema.auth))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(excluded_checks=EXCLUDED.get(label, []))

    run()
