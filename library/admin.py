from django.contrib import admin
from django.db.models import Count

from docprof.display import json_html
from library import services
from library.models import Book, BookSummary, Chapter, Chunk


class ChapterInline(admin.TabularInline):
    model = Chapter
    fields = ["order", "title", "page_start", "page_end", "word_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "owner",
        "format",
        "pages",
        "chapter_total",
        "visibility",
        "status",
        "created_at",
    ]
    list_filter = ["status", "format", "visibility"]
    search_fields = ["title", "authors", "original_filename", "owner__username", "sha256"]
    list_select_related = ["owner"]
    readonly_fields = [
        "owner",
        "format",
        "original_filename",
        "file",
        "size_bytes",
        "sha256",
        "pages",
        "physical_pages",
        "word_count",
        "status",
        "error",
        "created_at",
        "ingested_at",
    ]
    fields = ["title", "authors", "visibility", *readonly_fields]
    inlines = [ChapterInline]
    actions = ["make_shared", "make_private"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(chapter_total=Count("chapters"))

    @admin.display(description="Chapters", ordering="chapter_total")
    def chapter_total(self, book):
        return book.chapter_total

    def has_add_permission(self, request):
        return False  # books arrive through upload, the API or `manage.py ingest`

    def delete_model(self, request, obj):
        services.delete_book(obj)

    @admin.action(description="Share with every user")
    def make_shared(self, request, queryset):
        queryset.update(visibility=Book.Visibility.SHARED)

    @admin.action(description="Make private to the owner")
    def make_private(self, request, queryset):
        queryset.update(visibility=Book.Visibility.PRIVATE)


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["title", "book", "order", "page_start", "page_end", "word_count"]
    search_fields = ["title", "book__title"]
    list_select_related = ["book"]
    readonly_fields = [
        "book",
        "order",
        "title",
        "heading_path",
        "page_start",
        "page_end",
        "word_count",
        "summary",
        "embedder",
    ]
    exclude = ["embedding"]

    def has_add_permission(self, request):
        return False


@admin.register(Chunk)
class ChunkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "chapter", "page_start", "page_end", "word_count", "embedder"]
    search_fields = ["text", "book__title"]
    list_select_related = ["book", "chapter"]
    list_filter = ["embedder"]
    readonly_fields = [
        "book",
        "chapter",
        "ordinal",
        "text",
        "heading_path",
        "page_start",
        "page_end",
        "word_count",
        "embedder",
    ]
    exclude = ["embedding"]

    def has_add_permission(self, request):
        return False


@admin.register(BookSummary)
class BookSummaryAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin.css"]}  # readable JSON (docprof.display)

    list_display = ["book", "embedder"]
    list_select_related = ["book"]
    search_fields = ["book__title", "text"]
    fields = ["book", "summary_display", "embedder"]
    readonly_fields = fields

    @admin.display(description="Summary")
    def summary_display(self, summary):
        return json_html(summary.summary)

    def has_add_permission(self, request):
        return False
