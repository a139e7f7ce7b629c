"""The JSON API answers 503 with a JSON body (not Django's HTML 500 page) while the database is down."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError) or not request.path.startswith(
            "/api/"
        ):
            return None
        log.warning("database unavailable for %s: %r", request.path, exception)
        return JsonResponse(
            {"detail": "The database is unavailable right now; try again in a few seconds."},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
