"""Admin as a curation tool: the job status rows and the LLM call ledger, both read-only."""

import json

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from workers.models import GenerationJob, LLMCall


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
        url = reverse("admin:workers_llmcall_changelist") + f"?job__id__exact={obj.pk}"
        return format_html('<a href="{}">{} calls in the ledger</a>', url, obj.ledger.count())

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request, queryset):
        from workers import jobs

        cancelled = sum(1 for job_id in queryset.values_list("pk", flat=True) if jobs.cancel(job_id))
        self.message_user(request, f"Cancellation requested for {cancelled} job(s).", messages.SUCCESS)


@admin.register(LLMCall)
class LLMCallAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "purpose",
        "provider",
        "model",
        "outcome",
        "tokens",
        "cost",
        "latency",
        "job_link",
    )
    list_filter = ("outcome", "provider", "model", "repaired", "created_at")
    search_fields = ("purpose", "model", "request_hash", "error", "job__id")
    list_select_related = ("job",)
    date_hierarchy = "created_at"
    exclude = ("request", "response")
    readonly_fields = (
        "job",
        "purpose",
        "provider",
        "model",
        "request_hash",
        "input_tokens",
        "output_tokens",
        "latency_ms",
        "cost_usd",
        "outcome",
        "repaired",
        "error",
        "created_at",
        "request_pretty",
        "response_pretty",
    )

    def has_add_permission(self, request):
        return False  # only LLM.complete writes the ledger

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Tokens in/out")
    def tokens(self, obj):
        return f"{obj.input_tokens} / {obj.output_tokens}"

    @admin.display(description="Cost (USD)", ordering="cost_usd")
    def cost(self, obj):
        return f"{obj.cost_usd:.6f}"

    @admin.display(description="Latency", ordering="latency_ms")
    def latency(self, obj):
        return f"{obj.latency_ms} ms"

    @admin.display(description="Job", ordering="job")
    def job_link(self, obj):
        if obj.job_id is None:
            return "-"
        url = reverse("admin:workers_generationjob_change", args=[obj.job_id])
        return format_html('<a href="{}">#{}</a>', url, obj.job_id)

    @admin.display(description="Request")
    def request_pretty(self, obj):
        return _pretty_json(obj.request)

    @admin.display(description="Response")
    def response_pretty(self, obj):
        return _pretty_json(obj.response)
