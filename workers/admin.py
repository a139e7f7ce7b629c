"""Admin as a curation tool: the job status rows, read-only."""

import json

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from docprof.ai import ledger
from workers import engine
from workers.models import GenerationJob


def _pretty_json(value) -> str:
    return format_html(
        "<pre style='white-space: pre-wrap; max-width: 100em'>{}</pre>", json.dumps(value, indent=2)
    )


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "owner", "status", "phase", "progress", "llm_calls", "cost", "created_at")
    list_filter = ("status", "kind", "created_at")
    search_fields = ("id", "owner__username", "message", "error", "phase")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    actions = ("cancel_jobs",)
    readonly_fields = (
        "owner",
        "kind",
        "target_id",
        "status",
        "phase",
        "progress_done",
        "progress_total",
        "message",
        "error",
        "error_detail",
        "state_pretty",
        "attempts",
        "cancel_requested",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
        "llm_calls",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "ledger_link",
    )
    exclude = ("state",)

    def has_add_permission(self, request):
        return False  # only the pipeline creates jobs

    @admin.display(description="Progress")
    def progress(self, obj):
        return f"{obj.percent}%"

    @admin.display(description="Cost (USD)", ordering="cost_usd")
    def cost(self, obj):
        return f"{obj.cost_usd:.4f}"

    @admin.display(description="State")
    def state_pretty(self, obj):
        return _pretty_json(obj.state)

    @admin.display(description="LLM calls")
    def ledger_link(self, obj):
        url = reverse("admin:ai_llmcall_changelist") + f"?job_id={obj.pk}"
        return format_html(
            '<a href="{}">{} paid calls in the ledger</a>', url, ledger.usage_for_job(obj.pk)["calls"]
        )

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request, queryset):
        cancelled = sum(1 for job_id in queryset.values_list("pk", flat=True) if engine.cancel(job_id))
        self.message_user(request, f"Cancellation requested for {cancelled} job(s).", messages.SUCCESS)
