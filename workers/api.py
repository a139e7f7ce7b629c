from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.openapi import AUTH, errors
from workers.selectors import jobs_of
from workers.serializers import JobStatusSerializer
from workers.status import status as status_data


class JobDetailAPI(APIView):
    @extend_schema(responses={200: JobStatusSerializer, **errors(*AUTH, 404)}, tags=["jobs"])
    def get(self, request, pk: int):
        job = get_object_or_404(jobs_of(request.user), pk=pk)
        return Response(status_data(job))
