from django.db.models.expressions import RawSQL
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.openapi import AUTH, errors
from docprof.prepared import Prepared
from workers.models import GenerationJob
from workers.serializers import JobStatusSerializer
from workers.status import status as status_data

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


class JobDetailAPI(APIView):
    @extend_schema(responses={200: JobStatusSerializer, **errors(*AUTH, 404)}, tags=["jobs"])
    def get(self, request, pk: int):
        job = job_for_status(request.user, pk)
        if job is None:
            raise Http404("No GenerationJob matches the given query.")
        return Response(status_data(job))
