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
