from django.conf import settings
from django.db import models


class GenerationJob(models.Model):
    """The one status row of a background run of any registered kind (workers.registry)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        PROCESSING = "processing"
        COMPLETE = "complete"
        ERROR = "error"
        CANCELLED = "cancelled"

    TERMINAL = (Status.COMPLETE, Status.ERROR, Status.CANCELLED)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, help_text="A registered job kind, e.g. ingest, course, lecture")
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
        return f"{self.kind} job #{self.pk} ({self.status})"

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
