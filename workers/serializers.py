from rest_framework import serializers

from workers.models import GenerationJob


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()

    class Meta:
        model = GenerationJob
        fields = [
            "id",
            "kind",
            "status",
            "phase",
            "progress",
            "message",
            "error",
            "target_id",
            "attempts",
            "usage",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
        ]

    def get_progress(self, job) -> dict:
        return {"done": job.progress_done, "total": job.progress_total, "percent": job.percent}

    def get_usage(self, job) -> dict:
        return {
            "llm_calls": job.llm_calls,
            "input_tokens": job.input_tokens,
            "output_tokens": job.output_tokens,
            "cost_usd": float(job.cost_usd),
        }


def status_data(job: GenerationJob) -> dict:
    """The status every poller reads (API and pages): processing | complete | error | cancelled."""
    from courses.selectors import job_phases

    status = (
        "processing"
        if job.status in (GenerationJob.Status.QUEUED, GenerationJob.Status.PROCESSING)
        else job.status
    )
    is_course = job.kind == GenerationJob.Kind.COURSE
    return {
        "job_id": job.pk,
        "kind": job.kind,
        "status": status,
        "phase": job.phase,
        "phases": job_phases(job) if is_course else [],
        "progress": {"done": job.progress_done, "total": job.progress_total, "percent": job.percent},
        "message": job.message,
        "error": job.error,
        "course_id": job.target_id if is_course else None,
        "book_id": job.target_id if job.kind == GenerationJob.Kind.INGEST else None,
        "attempts": job.attempts,
        "usage": {
            "llm_calls": job.llm_calls,
            "input_tokens": job.input_tokens,
            "output_tokens": job.output_tokens,
            "cost_usd": float(job.cost_usd),
        },
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


class JobStatusSerializer(serializers.Serializer):
    """Schema of `status_data` for the OpenAPI document."""

    job_id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=["processing", "complete", "error", "cancelled"])
    phase = serializers.CharField()
    phases = serializers.ListField(child=serializers.DictField())
    progress = serializers.DictField()
    message = serializers.CharField()
    error = serializers.CharField()
    course_id = serializers.IntegerField(allow_null=True)
    book_id = serializers.IntegerField(allow_null=True)
    attempts = serializers.IntegerField()
    usage = serializers.DictField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
