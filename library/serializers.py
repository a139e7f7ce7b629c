from rest_framework import serializers

from library.models import Book, Chapter


class BookSerializer(serializers.ModelSerializer):
    chapter_count = serializers.SerializerMethodField()
    chunk_count = serializers.SerializerMethodField()
    is_owner = serializers.SerializerMethodField()

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
            "created_at",
            "ingested_at",
        ]

    def get_chapter_count(self, book) -> int:
        return getattr(book, "chapter_count", None) or book.chapters.count()

    def get_chunk_count(self, book) -> int:
        return book.chunks.count()

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
    q = serializers.CharField(allow_blank=True, trim_whitespace=False)
    k = serializers.IntegerField(required=False, default=10)
    mode = serializers.ChoiceField(choices=["hybrid", "vector", "text"], default="hybrid")


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
