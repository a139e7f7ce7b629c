from django.contrib import admin

from qa.models import QAMessage, QASession


class QAMessageInline(admin.TabularInline):
    model = QAMessage
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "question", "rewritten_question", "answer", "answerer")
    readonly_fields = fields


@admin.register(QASession)
class QASessionAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "section", "started_at", "ended_at", "message_count")
    list_filter = ("ended_at",)
    search_fields = ("user__username", "section__title", "messages__question")
    list_select_related = ("user", "section")
    readonly_fields = ("section", "delivery", "user", "started_at", "ended_at", "lecture_position_seconds")
    inlines = [QAMessageInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description="questions")
    def message_count(self, obj):
        return obj.messages.count()


@admin.register(QAMessage)
class QAMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "session", "kind", "question", "answerer", "created_at")
    list_filter = ("kind", "answerer")
    search_fields = ("question", "answer")
    list_select_related = ("session",)
    readonly_fields = ("session", "question", "rewritten_question", "answer", "kind", "sources", "answerer")

    def has_add_permission(self, request):
        return False
