from workers.models import GenerationJob
from workers.registry import kinds


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


def latest_jobs_on(target_key: str, target_ids) -> dict[int, GenerationJob]:
    """The newest job of any kind whose target is named `target_key` (e.g. "book_id": reading a
    book, or reading a new version of it) for each target id."""
    names = [k.name for k in kinds() if k.target_key == target_key]
    latest: dict[int, GenerationJob] = {}
    for job in GenerationJob.objects.filter(kind__in=names, target_id__in=list(target_ids)).order_by(
        "created_at"
    ):
        latest[job.target_id] = job
    return latest
