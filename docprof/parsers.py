"""The API's JSON parser: bounded size and nesting, checked before the recursive parse.

Python's json module recurses once per nested array or object, so 1,000 nested brackets (2 KB) end in
RecursionError (a 500). The body is read with a byte limit (413 beyond), the nesting is counted with
a flat scan outside strings (400 beyond the limit), and only then is the text parsed.
"""

from __future__ import annotations

import codecs
import re

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json

# A JSON string literal (escapes included); what is left outside them is structure and scalars.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays/objects in JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with DOCPROF_MAX_JSON_BYTES and DOCPROF_MAX_JSON_DEPTH enforced first."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parsers.get_encoding(parser_context)
        limit = settings.DOCPROF_MAX_JSON_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The JSON body is larger than {limit // 1024} KB; send less data.")
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}: {exc}")
        max_depth = settings.DOCPROF_MAX_JSON_DEPTH
        if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
            raise ParseError(
                f"JSON parse error - arrays and objects are nested more than {max_depth} levels deep."
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}")
