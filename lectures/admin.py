"""Admin: lectures are pipeline output (read-only, no add); deliveries and quiz attempts are records.
The curation desk of issue 9 (versions by key, votes, reviews, actions) builds on this."""

from django.contrib import admin
from django.utils.html import format_html

from lectures.models import Lecture, QuizAttempt, SectionDelivery


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(Lecture)
class LectureAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "key",
        "version",
        "status",
        "approval_status",
        "word_count",
        "minutes",
        "citations_checked",
        "writer",
        "stale",
        "created_at",
    ]
    list_filter = ["status", "approval_status", "writer", "stale", "style"]
    search_fields = ["title", "cache_key", "objectives"]
    list_select_related = ["generated_by"]

    @admin.display(description="Cache key")
    def key(self, obj):
        return obj.cache_key[:12]

    @admin.display(description="Citations")
    def citations_checked(self, obj):
        check = obj.citation_check or {}
        if not check:
            return "—"
        colour = "green" if check.get("ok") else "red"
        text = "{} verified · {} repaired · {} removed".format(
            check.get("final", 0), check.get("repaired", 0), check.get("removed", 0)
        )
        return format_html('<span style="color:{}">{}</span>', colour, text)


@admin.register(SectionDelivery)
class SectionDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["section", "user", "lecture", "was_cached", "is_current", "delivered_at", "completed_at"]
    list_filter = ["was_cached", "is_current", "delivered_at"]
    search_fields = ["section__title", "user__username"]
    list_select_related = ["section", "user", "lecture"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["user", "lecture", "score", "correct", "total", "created_at"]
    search_fields = ["user__username", "lecture__title"]
    list_select_related = ["user", "lecture"]
