"""JSON API for lectures (shapes are a contract; see issue 8):

GET  /api/sections/{id}/lecture   200 {delivery_id, was_cached, lecture}
                                  or 202 {job_id, status_url, lecture_id}
GET  /api/lectures/{id}           the lecture (segments written so far while it is being written)
POST /api/sections/{id}/complete  {duration_actual_minutes?, notes?}
POST /api/lectures/{id}/quiz      {answers: {question_id: answer}} -> score, and per question the answer
GET  /api/courses/{id}/progress
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.selectors import courses_of
from lectures import selectors, services
from lectures.payloads import lecture_data

Delivered = inline_serializer(
    "LectureDelivered",
    {
        "delivery_id": serializers.IntegerField(),
        "was_cached": serializers.BooleanField(),
        "lecture": serializers.DictField(),
    },
)
Accepted = inline_serializer(
    "LectureAccepted",
    {
        "job_id": serializers.IntegerField(),
        "status_url": serializers.CharField(),
        "lecture_id": serializers.IntegerField(),
    },
)
AnyObject = inline_serializer("LectureObject", {"id": serializers.IntegerField()})


def section_or_404(user, pk: int):
    section = get_object_or_404(selectors.sections_of(user), pk=pk)
    if selectors.is_part_with_sections(section):
        raise Http404("A part has no lecture of its own; open one of its sections.")
    return section


def opened_response(request, opened: services.Opened) -> Response:
    if opened.delivery is not None:
        return Response(
            {
                "delivery_id": opened.delivery.pk,
                "was_cached": opened.was_cached,
                "lecture": lecture_data(opened.lecture),
            }
        )
    lecture = opened.lecture
    return Response(
        {
            "job_id": lecture.job_id,
            "status_url": request.build_absolute_uri(reverse("api-lecture", args=[lecture.pk])),
            "lecture_id": lecture.pk,
            "status": lecture.status,
            "error": lecture.error,
        },
        status=status.HTTP_202_ACCEPTED,
    )


class SectionLectureAPI(APIView):
    @extend_schema(responses={200: Delivered, 202: Accepted}, tags=["lectures"])
    def get(self, request, pk: int):
        """The learner's lecture for a section: delivered at once when a version exists (recording a
        delivery), else 202 while the one generation for its content runs (started or joined)."""
        section = section_or_404(request.user, pk)
        try:
            opened = services.open_section(section, request.user)
        except services.GenerationRateLimited as exc:
            raise exceptions.Throttled(wait=exc.wait) from None
        return opened_response(request, opened)


class LectureAPI(APIView):
    @extend_schema(responses=AnyObject, tags=["lectures"])
    def get(self, request, pk: int):
        lecture = selectors.visible_lecture(request.user, pk)
        if lecture is None:
            raise Http404
        return Response(lecture_data(lecture))


class CompleteSerializer(serializers.Serializer):
    duration_actual_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, required=False)
    notes = serializers.CharField(max_length=10_000, allow_blank=True, required=False)


class SectionCompleteAPI(APIView):
    @extend_schema(request=CompleteSerializer, responses=AnyObject, tags=["lectures"])
    def post(self, request, pk: int):
        section = section_or_404(request.user, pk)
        form = CompleteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            delivery = services.complete_section(section, request.user, **form.validated_data)
        except services.LectureRequestError as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        nxt = selectors.next_section(section)
        return Response(
            {
                "delivery_id": delivery.pk,
                "section_id": section.pk,
                "completed_at": delivery.completed_at,
                "duration_actual_minutes": delivery.duration_actual_minutes,
                "notes": delivery.user_notes,
                "next_section": {"id": nxt.pk, "title": nxt.title} if nxt else None,
            }
        )


class QuizSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.JSONField())


class LectureQuizAPI(APIView):
    @extend_schema(request=QuizSerializer, responses=AnyObject, tags=["lectures"])
    def post(self, request, pk: int):
        """Grade answers; only now are the answers, explanations and their citations sent."""
        lecture = selectors.delivered_lecture(request.user, pk)
        if lecture is None:
            raise Http404
        form = QuizSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            attempt = services.submit_quiz(lecture, request.user, form.validated_data["answers"])
        except services.LectureRequestError as exc:
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "attempt_id": attempt.pk,
                "score": float(attempt.score),
                "correct": attempt.correct,
                "total": attempt.total,
                "results": attempt.results,
                "per_objective": attempt.per_objective,
            }
        )


class CourseProgressAPI(APIView):
    @extend_schema(responses=AnyObject, tags=["lectures"])
    def get(self, request, pk: int):
        course = get_object_or_404(courses_of(request.user), pk=pk)
        return Response(selectors.course_progress(course, request.user))
