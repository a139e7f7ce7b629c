"""GET /api/admin/usage?days=30 (staff only): spend and savings per day and per course."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.openapi import AUTH, errors
from lectures.usage import usage_report

MAX_DAYS = 366


class UsageAPI(APIView):
    permission_classes = [IsAdminUser]

    @extend_schema(
        parameters=[
            OpenApiParameter("days", int, description=f"How many days back (1-{MAX_DAYS}, default 30)")
        ],
        responses={200: OpenApiTypes.OBJECT, **errors(*AUTH, 400)},
        tags=["admin"],
    )
    def get(self, request):
        """Lectures served, generations, cache hit rate, model calls, tokens, money spent and money
        avoided by the cache, per day and per course (staff only: others 403)."""
        raw = request.query_params.get("days", "30")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
            return Response({"detail": f"days is a whole number from 1 to {MAX_DAYS}."}, status=400)
        return Response(usage_report(int(raw)))
