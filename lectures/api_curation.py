"""JSON API for versions, votes and reviews (issue 9):

POST /api/sections/{id}/lecture/regenerate   202 {job_id, status_url, lecture_id, version}; 429 + Retry-After
POST /api/sections/{id}/lecture/switch       200 {delivery_id, was_cached, lecture} (the better version)
POST /api/lectures/{id}/vote   {value: 1|-1}  200 {id, approval_status, upvotes, downvotes, your_vote}
POST /api/lectures/{id}/review {verdict, comments}  201 (mentors only: others 403, or 404 without access)
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.openapi import AUTH, BODY, errors
from lectures import curation, selectors, services
from lectures.api import opened_response, section_or_404
from lectures.models import Lecture, LectureVote, MentorReview


class VoteSchema(serializers.Serializer):
    value = serializers.ChoiceField(choices=[1, -1], help_text="1 (up) or -1 (down)")


class ReviewSchema(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=sorted(curation.VERDICTS))
    comments = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")


Regenerating = inline_serializer(
    "LectureRegenerating",
    {
        "job_id": serializers.IntegerField(),
        "status_url": serializers.CharField(),
        "lecture_id": serializers.IntegerField(),
        "version": serializers.IntegerField(),
    },
)
Voted = inline_serializer(
    "LectureVoted",
    {
        "id": serializers.IntegerField(),
        "approval_status": serializers.CharField(),
        "upvotes": serializers.IntegerField(),
        "downvotes": serializers.IntegerField(),
        "your_vote": serializers.IntegerField(),
    },
)
Reviewed = inline_serializer(
    "LectureReviewed",
    {
        "id": serializers.IntegerField(),
        "lecture_id": serializers.IntegerField(),
        "verdict": serializers.CharField(),
        "comments": serializers.CharField(),
        "approval_status": serializers.CharField(),
    },
)


class RegenerateAPI(APIView):
    @extend_schema(request=None, responses={202: Regenerating, **errors(*AUTH, 404, 429)}, tags=["lectures"])
    def post(self, request, pk: int):
        """Write a new version of this section's lecture (bypassing the cache). Versions are numbered
        per cache key; while one is written, asking again joins it."""
        section = section_or_404(request.user, pk)
        try:
            lecture = curation.regenerate(section, request.user)
        except services.GenerationRateLimited as exc:
            raise exceptions.Throttled(wait=exc.wait) from None
        return Response(
            {
                "job_id": lecture.job_id,
                "status_url": request.build_absolute_uri(reverse("api-lecture", args=[lecture.pk])),
                "lecture_id": lecture.pk,
                "version": lecture.version,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class SwitchAPI(APIView):
    @extend_schema(request=None, responses={200: None, **errors(*AUTH, 404, 409)}, tags=["lectures"])
    def post(self, request, pk: int):
        """Take the better version of your lecture (the one a new delivery would get)."""
        section = section_or_404(request.user, pk)
        delivery = curation.switch_to_best(section, request.user)
        if delivery is None:
            return Response({"detail": "You already have the best version of this lecture."}, status=409)
        return opened_response(request, services.Opened(delivery.lecture, delivery, delivery.was_cached))


class VoteAPI(APIView):
    @extend_schema(request=VoteSchema, responses={200: Voted, **errors(*AUTH, *BODY, 404)}, tags=["lectures"])
    def post(self, request, pk: int):
        """Vote on a version you were delivered: one vote per version, changeable."""
        lecture = selectors.voted_lecture(request.user, pk)
        if lecture is None:
            raise Http404
        value = request.data.get("value") if hasattr(request.data, "get") else None
        if not (request.content_type or "").startswith("application/json"):
            body = VoteSchema(data=request.data)  # a form sends "1": read it as the number 1
            value = body.validated_data["value"] if body.is_valid() else None
        try:
            lecture = curation.vote(lecture, request.user, value)
        except curation.CurationError as exc:
            return Response({"detail": str(exc), "value": [str(exc)]}, status=400)
        return Response(
            {
                "id": lecture.pk,
                "approval_status": lecture.approval_status,
                "upvotes": lecture.upvotes,
                "downvotes": lecture.downvotes,
                "your_vote": value,
            }
        )


class ReviewAPI(APIView):
    @extend_schema(
        request=ReviewSchema, responses={201: Reviewed, **errors(*AUTH, *BODY, 403, 404)}, tags=["lectures"]
    )
    def post(self, request, pk: int):
        """A mentor's review (mentor_verified, approved, needs_improvement with comments, rejected)."""
        if curation.is_mentor(request.user):
            lecture = Lecture.objects.filter(pk=pk).first()
        else:
            lecture = selectors.visible_lecture(request.user, pk)
        if lecture is None:
            raise Http404
        if not curation.is_mentor(request.user):
            raise exceptions.PermissionDenied("Only mentors may review lectures.")
        form = ReviewSchema(data=request.data)
        if not form.is_valid():
            return Response({"detail": "Send {verdict, comments}.", **form.errors}, status=400)
        try:
            review = curation.review(lecture, request.user, **form.validated_data)
        except curation.CurationError as exc:
            return Response({"detail": str(exc)}, status=400)
        return Response(
            {
                "id": review.pk,
                "lecture_id": lecture.pk,
                "verdict": review.verdict,
                "comments": review.comments,
                "approval_status": review.verdict,
            },
            status=status.HTTP_201_CREATED,
        )


def your_vote(user, lecture_id: int) -> int:
    return (
        LectureVote.objects.filter(user=user, lecture_id=lecture_id).values_list("value", flat=True).first()
        or 0
    )


__all__ = ["MentorReview", "your_vote"]
