from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.openapi import AUTH, errors
from workers.selectors import job_for_status
from workers.serializers import JobStatusSerializer
from workers.status import status as status_data


class JobDetailAPI(APIView):
    @extend_schema(responses={200: JobStatusSerializer, **errors(*AUTH, 404)}, tags=["jobs"])
    def get(self, request, pk: int):
        job = job_for_status(request.user, pk)
        if job is None:
            raise Http404("No GenerationJob matches the given query.")
        return Response(status_data(job))
