from django.core.validators import RegexValidator
from rest_framework import serializers

from library.models import Book, Chapter
from library.retrieval import MAX_K, MAX_QUERY_CHARS, QueryError, clean_query
from library.services import EMBED_KIND_NAME
from workers import engine


class BookSerializer(serializers.ModelSerializer):
    chapter_count = serializers.SerializerMethodField()
    chunk_count = serializers.SerializerMethodField()
    is_owner = serializers.SerializerMethodField()
    embedding_job = serializers.SerializerMethodField(
        help_text="While a ready book's passages are embedded for search by meaning (a model embedder): "
        "the id of that job (GET /api/jobs/{id}); null otherwise."
    )

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "authors",
            "format",
            "original_filename",
            "size_bytes",
            "pages",
            "physical_pages",
            "word_count",
            "visibility",
            "status",
            "error",
            "chapter_count",
            "chunk_count",
            "is_owner",
            "embedding_job",
            "created_at",
            "ingested_at",
        ]

    def get_chapter_count(self, book) -> int:
        return getattr(book, "chapter_count", None) or book.chapters.count()

    def get_chunk_count(self, book) -> int:
        return book.chunks.count()

    def get_embedding_job(self, book) -> int | None:
        job = engine.latest_jobs_on("book_id", [book.pk], only=[EMBED_KIND_NAME]).get(book.pk)
        return job.pk if job is not None and not job.is_terminal else None

    def get_is_owner(self, book) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.pk == book.owner_id)


class ChapterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["id", "order", "title", "heading_path", "page_start", "page_end", "word_count", "summary"]


class BookUploadSerializer(serializers.Serializer):
    file = serializers.ListField(child=serializers.FileField(allow_empty_file=True), allow_empty=False)
    shared = serializers.BooleanField(default=False)


class SearchQuerySerializer(serializers.Serializer):
    """The one validation of a search, for the API and the search page: the field checks (NUL bytes,
    types, ranges; they are also the OpenAPI constraints), then `clean_query`."""

    q = serializers.CharField(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        trim_whitespace=False,
        validators=[RegexValidator(r"\S", message="Enter something to search for.")],
        error_messages={
            "required": "Enter something to search for (parameter q).",
            "blank": "Enter something to search for.",
            "max_length": "The query is longer than {max_length} characters; shorten it.",
        },
        help_text=f"What to look for (1-{MAX_QUERY_CHARS} characters, not only spaces)",
    )
    k = serializers.IntegerField(
        min_value=1, max_value=MAX_K, default=10, help_text=f"How many passages (1-{MAX_K})"
    )
    mode = serializers.ChoiceField(choices=["hybrid", "vector", "text"], default="hybrid")

    def validate(self, attrs):
        try:
            attrs["q"], attrs["k"] = clean_query(attrs["q"], attrs["k"])
        except QueryError as exc:
            raise serializers.ValidationError({"q": [str(exc)]})
        return attrs


def search_form(query_dict) -> SearchQuerySerializer:
    """The search serializer bound to a query string (q, k, mode; anything else is ignored).

    A plain dict, so an empty `k=` is refused like any other non-number (DRF reads an empty form
    value as 'not sent')."""
    return SearchQuerySerializer(
        data={key: query_dict.get(key) for key in ("q", "k", "mode") if key in query_dict}
    )


def first_error(errors: dict) -> str:
    """One message a person can act on, from DRF's errors ({field: [message, ...]})."""
    field, messages = next(iter(errors.items()))
    message = str(messages[0] if isinstance(messages, list) else messages)
    return message if field in ("q", "non_field_errors") else f"{field}: {message}"


class SearchHitSerializer(serializers.Serializer):
    chunk_id = serializers.IntegerField()
    book_id = serializers.IntegerField()
    book_title = serializers.CharField()
    chapter_id = serializers.IntegerField()
    chapter = serializers.CharField()
    page_start = serializers.IntegerField(allow_null=True)
    page_end = serializers.IntegerField(allow_null=True)
    heading_path = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    score = serializers.FloatField()
