from workers.models import GenerationJob


def jobs_of(user):
    if not user.is_authenticated:
        return GenerationJob.objects.none()
    return GenerationJob.objects.filter(owner=user)


def latest_ingest_jobs(book_ids) -> dict[int, GenerationJob]:
    latest: dict[int, GenerationJob] = {}
    for job in GenerationJob.objects.filter(
        kind=GenerationJob.Kind.INGEST, target_id__in=list(book_ids)
    ).order_by("created_at"):
        latest[job.target_id] = job
    return latest
