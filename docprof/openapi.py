"""The error answers of the API, for the OpenAPI schema: each operation lists the 4xx it can give.

    @extend_schema(responses={200: BookSerializer, **errors(403, 404)})

Bodies are DRF's: `{"detail": "..."}`, or for a 400 the fields that were wrong,
`{"field": ["message", ...]}` (nested for nested objects).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Detail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})

_ANSWERS = {
    400: (OpenApiTypes.OBJECT, "The input was refused: `{field: [messages]}` or `{detail}` says why."),
    403: (Detail, "Not logged in (no session or token), or not allowed to do this to the object."),
    404: (Detail, "No such object among those you may see (another user's ids are 404 too)."),
    409: (Detail, "The object is not in a state that allows this (e.g. resume a finished course)."),
    413: (OpenApiTypes.OBJECT, "The body or a file is larger than the configured limit."),
    415: (Detail, "The Content-Type (or a file's type) is not one this operation accepts."),
    429: (Detail, "Too many requests; the `Retry-After` header says how many seconds to wait."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenApiResponse objects for the given status codes, to merge into `responses=`."""
    answers = {}
    for code in codes:
        body, description = _ANSWERS[code]
        answers[code] = OpenApiResponse(response=body, description=description)
    return answers


# What every authenticated operation can answer, and what one that reads a JSON/form body adds.
AUTH = (403,)
BODY = (400, 413, 415)
