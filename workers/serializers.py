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
