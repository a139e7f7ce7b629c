from workers.models import GenerationJob


def jobs_of(user):
    if not user.is_authenticated:
        return GenerationJob.objects.none()
    return GenerationJob.objects.filter(owner=user)


def latest_jobs(kind: str, target_ids) -> dict[int, GenerationJob]:
    """The newest job of a kind for each target id."""
    latest: dict[int, GenerationJob] = {}
    for job in GenerationJob.objects.filter(kind=kind, target_id__in=list(target_ids)).order_by("created_at"):
        latest[job.target_id] = job
    return latest
