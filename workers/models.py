from django.conf import settings
from django.db import models


class GenerationJob(models.Model):
    """The one status row of a background run (ingestion, course, lecture)."""

    class Kind(models.TextChoices):
        INGEST = "ingest", "Ingest book"
        COURSE = "course", "Generate course"
        LECTURE = "lecture", "Write lecture"

    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        COMPLETE = "complete"
        ERROR = "error"
        CANCELLED = "cancelled"

    TERMINAL = (Status.COMPLETE, Status.ERROR, Status.CANCELLED)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_id = models.BigIntegerField(null=True, blank=True, help_text="Book, course or lecture id, by kind")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=64, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True, help_text="What a person reads")
    error = models.TextField(blank=True, help_text="Human-readable reason for a failure")
    error_detail = models.TextField(blank=True, help_text="Technical detail for logs and admin")
    state = models.JSONField(default=dict, blank=True, help_text="Checkpointed phase outputs")
    attempts = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    llm_calls = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["kind", "target_id"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def percent(self) -> int:
        if self.status == self.Status.COMPLETE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class LLMCall(models.Model):
    """The ledger: one row per LLM request (a replay from the ledger is a row too, at no cost).

    The same request (same `request_hash`) within the same job is answered from an `ok` row instead
    of the provider, so a retried phase or a re-delivered task never pays twice.
    """

    class Outcome(models.TextChoices):
        OK = "ok", "OK"
        ERROR = "error", "Error"
        REPLAYED = "replayed", "Replayed from ledger"

    job = models.ForeignKey(
        GenerationJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="ledger"
    )
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
            models.Index(fields=["job", "request_hash"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"{self.purpose} · {self.model} · {self.outcome}"
