from django.db import models


class LLMCall(models.Model):
    """The ledger: one row per LLM request (a replay from the ledger is a row too, at no cost).

    The same request (same `request_hash`) within the same job is answered from an `ok` row instead
    of the provider, so a retried step or a re-delivered task never pays twice. Rows are keyed by the
    job's id only: the AI layer knows no job model.
    """

    class Outcome(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"
        REPLAYED = "replayed", "Replayed from ledger"

    job_id = models.BigIntegerField(null=True, blank=True, help_text="The background job that made the call")
    purpose = models.CharField(max_length=100, help_text="What the call is for, e.g. courses.generate_parts")
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=200, help_text="The model that answered (may be the fallback)")
    request_hash = models.CharField(max_length=64, help_text="sha256 of the canonical request")
    request = models.JSONField(default=dict, blank=True)
    response = models.JSONField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OK)
    repaired = models.BooleanField(default=False, help_text="Valid only after one repair request")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "LLM call"
        indexes = [
            models.Index(fields=["job_id", "request_hash"], name="ai_llmcall_job_hash_idx"),
            models.Index(fields=["created_at"], name="ai_llmcall_created_idx"),
        ]

    def __str__(self):
        return f"{self.purpose} · {self.model} · {self.outcome}"
