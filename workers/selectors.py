from django.db.models.expressions import RawSQL

from docprof.prepared import Prepared
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


def latest_jobs_on(target_key: str, target_ids, *, only=None, exclude=()) -> dict[int, GenerationJob]:
    """The newest job of any kind whose target is named `target_key` (e.g. "book_id": reading a
    book, or reading a new version of it) for each target id; `only` / `exclude` name kinds."""
    names = [
        k.name
        for k in kinds()
        if k.target_key == target_key and (only is None or k.name in only) and k.name not in exclude
    ]
    latest: dict[int, GenerationJob] = {}
    for job in GenerationJob.objects.filter(kind__in=names, target_id__in=list(target_ids)).order_by(
        "created_at"
    ):
        latest[job.target_id] = job
    return latest


# A status poll reads every column but the checkpointed outputs (`state`, up to tens of kB of JSON
# for a course): only the names of the steps done are needed, read as the state's keys.
STATUS_FIELDS = [f.attname for f in GenerationJob._meta.concrete_fields if f.name != "state"]
JOB_STATUS = Prepared(
    lambda owner_id, pk: (
        GenerationJob.objects.filter(owner_id=owner_id, pk=pk)
        .annotate(done_steps=RawSQL("ARRAY(SELECT jsonb_object_keys(state))", []))
        .values_list(*STATUS_FIELDS, "done_steps")
    ),
    owner_id=0,
    pk=0,
)


def job_for_status(user, pk: int) -> GenerationJob | None:
    """The user's job with what its status shows (`state` holds only the keys of the steps done)."""
    if not user.is_authenticated:
        return None
    row = JOB_STATUS.first(owner_id=user.pk, pk=pk)
    if row is None:
        return None
    job = GenerationJob(**dict(zip(STATUS_FIELDS, row[:-1], strict=True)))
    job.state = dict.fromkeys(row[-1] or ())
    job._state.adding, job._state.db = False, "default"
    return job
