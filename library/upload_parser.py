"""Multipart parsing that refuses unsafe file names instead of silently trimming them.

Django reduces "../../x.txt" to "x.txt". The API (StrictMultiPartParser) and the pages
(StrictUploadNamesMiddleware + `refused_upload`) both say clearly that such a name is not accepted,
with the message of `check_filename`, the one rule for every upload.
"""

from __future__ import annotations

import html
from functools import partial

from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import ImmutableList
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser

from library.parsing import IngestError, check_filename


class UnsafeFileName(MultiPartParserError):
    pass


class _StrictDjangoParser(DjangoMultiPartParser):
    """Raises UnsafeFileName, or (record=True) skips the file and keeps the message in `refused`."""

    def __init__(self, *args, record: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.refused: list[str] = []

    def sanitize_file_name(self, file_name):
        try:
            check_filename(html.unescape(file_name))
        except IngestError as exc:
            if not self.record:
                raise UnsafeFileName(exc.message)
            self.refused.append(exc.message)
            return None  # Django skips a file part without a name: nothing of it is stored
        return super().sanitize_file_name(file_name)


class StrictMultiPartParser(DRFMultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            data, files = _StrictDjangoParser(meta, stream, request.upload_handlers, encoding).parse()
        except UnsafeFileName as exc:
            raise ParseError({"file": [str(exc)]})
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}")
        return DataAndFiles(data, files)


def _parse_recording_refusals(request, meta, post_data):
    """HttpRequest.parse_file_upload, with unsafe file names recorded on `request.refused_uploads`."""
    request.upload_handlers = ImmutableList(request.upload_handlers, warning="Uploads already parsed.")
    parser = _StrictDjangoParser(meta, post_data, request.upload_handlers, request.encoding, record=True)
    result = parser.parse()
    request.refused_uploads = parser.refused
    return result


class StrictUploadNamesMiddleware:
    """Pages parse multipart bodies with the strict parser (before CSRF reads the form).

    The API's DRF views parse their own bodies with StrictMultiPartParser, so /api/ is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            request.parse_file_upload = partial(_parse_recording_refusals, request)
        return self.get_response(request)


def refused_upload(request) -> str | None:
    """The message for the first file name a page upload refused, or None."""
    refused = getattr(request, "refused_uploads", None)
    return refused[0] if refused else None
