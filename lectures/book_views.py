"""A new version of a book, from its page in the library (/library/books/{id}/new-version/) and the
API (`POST /api/books/{id}/file`). Reading it again flags the lectures that cite passages that
changed (lectures.staleness), so these live in lectures, not in the library (the import ladder)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.openapi import AUTH, BODY, errors
from lectures.staleness import ReadingInProgress, submit_new_version
from library.models import Book
from library.parsing import IngestError
from library.serializers import BookSerializer
from library.upload_parser import StrictMultiPartParser, refused_upload
from workers.engine import JobSerializer

NewVersion = inline_serializer("NewVersion", {"book": BookSerializer(), "job": JobSerializer()})
NewVersionUpload = inline_serializer("NewVersionUpload", {"file": serializers.FileField()})


def _own_book_or_404(user, pk: int) -> Book:
    return get_object_or_404(Book.objects.owned_by(user), pk=pk)


@login_required
@require_POST
def upload_new_version(request, pk: int):
    book = _own_book_or_404(request.user, pk)
    refused = refused_upload(request)
    files = request.FILES.getlist("file")
    if refused or len(files) != 1:
        error = refused or "Choose one file: the new version of this book."
        return render(request, "library/upload_error.html", {"error": error}, status=400)
    try:
        submit_new_version(book, request.user, fileobj=files[0], filename=files[0].name)
    except IngestError as exc:
        return render(request, "library/upload_error.html", {"error": exc.message}, status=exc.status_code)
    except ReadingInProgress as exc:
        messages.error(request, str(exc))
        return redirect("library:book", book.pk)
    messages.success(
        request,
        f"Reading the new version of “{book.title}”. Lectures that cite passages that changed will be "
        "marked stale; the others stay as they are.",
    )
    return redirect("library:book", book.pk)


def _refused(message: str, code: int) -> Response:
    return Response({"detail": message, "file": [message]}, status=code)


class BookFileAPI(APIView):
    parser_classes = [StrictMultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": NewVersionUpload},
        responses={202: NewVersion, **errors(*AUTH, *BODY, 404, 409)},
        tags=["library"],
    )
    def post(self, request, pk: int):
        """Upload a new version of one of your books (multipart field `file`, one file). It is read in
        the background (the job's status like an upload's); lectures citing passages that changed or
        vanished are marked stale. A file that is refused (the same 4xx as an upload) or cannot be
        read leaves the book as it was. 409 while the book is being read."""
        book = _own_book_or_404(request.user, pk)
        files = request.FILES.getlist("file")
        if len(files) != 1:
            return _refused("Attach exactly one file: the new version of this book.", 400)
        try:
            job = submit_new_version(book, request.user, fileobj=files[0], filename=files[0].name)
        except IngestError as exc:
            return _refused(exc.message, exc.status_code)
        except ReadingInProgress as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        book.refresh_from_db()
        return Response(
            {"book": BookSerializer(book, context={"request": request}).data, "job": JobSerializer(job).data},
            status=status.HTTP_202_ACCEPTED,
        )
