"""JSON API for the library: books (upload, list, detail, delete), chapters and search."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof import pagination
from docprof.openapi import AUTH, BODY, errors
from library import selectors, services
from library.parsing import IngestError
from library.retrieval import search_chunks
from library.serializers import (
    BookSerializer,
    BookUploadSerializer,
    ChapterSerializer,
    SearchHitSerializer,
    SearchQuerySerializer,
    search_form,
)
from library.upload_parser import StrictMultiPartParser
from workers.engine import JobSerializer

UploadResult = inline_serializer(
    "UploadResult",
    {
        "books": inline_serializer(
            "UploadedBook",
            {
                "book": BookSerializer(),
                "job": JobSerializer(allow_null=True),
                "duplicate": serializers.BooleanField(help_text="The same file is already in your library"),
                "read_again": serializers.BooleanField(
                    help_text="The same file had failed to be read; it is being read again"
                ),
            },
            many=True,
        )
    },
)


class BookListAPI(APIView):
    parser_classes = [StrictMultiPartParser, FormParser]

    @extend_schema(
        parameters=pagination.PARAMETERS,
        responses={200: BookSerializer(many=True), **errors(*AUTH, 400)},
        tags=["library"],
    )
    def get(self, request):
        """The books you can read. Paged: `limit`/`offset`, the total in X-Total-Count, the next
        page in the Link header."""
        books = selectors.books_for_listing(request.user)
        return pagination.paged_response(
            request, books, lambda page: BookSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request={"multipart/form-data": BookUploadSerializer},
        responses={202: UploadResult, **errors(*AUTH, *BODY)},
        tags=["library"],
    )
    def post(self, request):
        """Upload one or more books (multipart field `file`, repeatable). Ingestion runs in the background."""
        files = request.FILES.getlist("file")
        if not files:
            return Response({"file": ["Attach at least one book file."]}, status=400)
        form = BookUploadSerializer(data={"shared": request.data.get("shared", False)}, partial=True)
        form.is_valid(raise_exception=True)
        try:
            added = services.add_books(
                owner=request.user, files=files, shared=form.validated_data.get("shared", False)
            )
        except IngestError as exc:
            return Response({"file": [exc.message]}, status=exc.status_code)
        context = {"request": request}
        return Response(
            {
                "books": [
                    {
                        "book": BookSerializer(item.book, context=context).data,
                        "job": JobSerializer(item.job).data if item.job else None,
                        "duplicate": not item.created and not item.retried,
                        "read_again": item.retried,
                    }
                    for item in added
                ]
            },
            status=status.HTTP_202_ACCEPTED,
        )


class BookDetailAPI(APIView):
    @extend_schema(responses={200: BookSerializer, **errors(*AUTH, 404)}, tags=["library"])
    def get(self, request, pk: int):
        book = get_object_or_404(selectors.readable_books(request.user), pk=pk)
        return Response(BookSerializer(book, context={"request": request}).data)

    @extend_schema(responses={204: None, **errors(*AUTH, 404)}, tags=["library"])
    def delete(self, request, pk: int):
        book = get_object_or_404(selectors.readable_books(request.user), pk=pk)
        if book.owner_id != request.user.pk:
            raise PermissionDenied("Only the owner can delete a shared book.")
        services.delete_book(book)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookChaptersAPI(APIView):
    @extend_schema(responses={200: ChapterSerializer(many=True), **errors(*AUTH, 404)}, tags=["library"])
    def get(self, request, pk: int):
        book = get_object_or_404(selectors.readable_books(request.user), pk=pk)
        return Response(ChapterSerializer(selectors.book_chapters(book), many=True).data)


class SearchAPI(APIView):
    @extend_schema(
        parameters=[SearchQuerySerializer],
        responses={
            200: inline_serializer(
                "SearchResult", {"query": serializers.CharField(), "results": SearchHitSerializer(many=True)}
            ),
            **errors(*AUTH, 400),
        },
        tags=["library"],
    )
    def get(self, request):
        form = search_form(request.query_params)
        form.is_valid(raise_exception=True)
        params = form.validated_data
        hits = search_chunks(
            params["q"], selectors.ready_book_ids(request.user), params["k"], mode=params["mode"]
        )
        return Response({"query": params["q"], "results": [h.as_dict() for h in hits]})
