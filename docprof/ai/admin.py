"""Admin for the call ledger: read-only, filterable, with the request and response readable."""

import json

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from docprof.ai.models import LLMCall


def _pretty_json(value) -> str:
    return format_html(
        "<pre style='white-space: pre-wrap; max-width: 100em'>{}</pre>", json.dumps(value, indent=2)
    )


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
    search_fields = ("purpose", "model", "request_hash", "error", "=job_id")
    date_hierarchy = "created_at"
    exclude = ("request", "response")
    readonly_fields = (
        "job_id",
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

    @admin.display(description="Job", ordering="job_id")
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
