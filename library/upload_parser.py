"""A multipart parser for the API that refuses unsafe file names instead of silently trimming them.

Django reduces "../../x.txt" to "x.txt"; the API says clearly that such a name is not accepted.
"""

import html

from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles
from rest_framework.parsers import MultiPartParser as DRFMultiPartParser

from library.parsing import IngestError, check_filename


class UnsafeFileName(MultiPartParserError):
    pass


class _StrictDjangoParser(DjangoMultiPartParser):
    def sanitize_file_name(self, file_name):
        try:
            check_filename(html.unescape(file_name))
        except IngestError as exc:
            raise UnsafeFileName(exc.message)
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
