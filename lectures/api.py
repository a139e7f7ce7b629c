"""JSON API for lectures (shapes are a contract; see issue 8):

GET  /api/sections/{id}/lecture   200 {delivery_id, was_cached, lecture}
                                  or 202 {job_id, status_url, lecture_id}
GET  /api/lectures/{id}           the lecture (segments written so far while it is being written)
POST /api/sections/{id}/complete  {duration_actual_minutes?, notes?}
POST /api/lectures/{id}/quiz      {answers: {question_id: answer}} -> score, and per question the answer
GET  /api/courses/{id}/progress
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.selectors import courses_taken_by
from docprof.openapi import AUTH, BODY, errors
from lectures import selectors, services
from lectures.payloads import lecture_data, ready_lecture_json, stamp_of
from lectures.serializers import (
    AcceptedSchema,
    AnswersSchema,
    CompletedSchema,
    CompleteSchema,
    DeliveredSchema,
    LectureSchema,
    ProgressSchema,
    QuizResultSchema,
)


def section_or_404(user, pk: int):
    section = selectors.section_of(user, pk)
    if section is None:
        raise Http404("No such section.")
    if selectors.is_part_with_sections(section):
        raise Http404("A part has no lecture of its own; open one of its sections.")
    return section


def refused(errors_: dict, detail: str) -> Response:
    """A 400 that says what was wrong in one sentence (`detail`) and field by field."""
    return Response({"detail": detail, **errors_}, status=status.HTTP_400_BAD_REQUEST)


def opened_response(request, opened: services.Opened):
    if opened.delivery is not None and opened.lecture.status == opened.lecture.Status.READY:
        # The same cached JSON as a returning learner's GET (`ready_lecture_json`, by stamp).
        lecture = opened.lecture
        stamp = stamp_of(lecture)
        return delivered_body(opened.delivery.pk, opened.was_cached, ready_lecture_json(lecture.pk, stamp))
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


def delivered_body(delivery_id: int, was_cached: bool, lecture_json: str) -> HttpResponse:
    cached = "true" if was_cached else "false"
    body = f'{{"delivery_id":{delivery_id},"was_cached":{cached},"lecture":{lecture_json}}}'
    return HttpResponse(body, content_type="application/json")


class SectionLectureAPI(APIView):
    @extend_schema(
        responses={200: DeliveredSchema, 202: AcceptedSchema, **errors(*AUTH, 404, 429)}, tags=["lectures"]
    )
    def get(self, request, pk: int):
        """The learner's lecture for a section: delivered at once when a version exists (recording a
        delivery), else 202 while the one generation for its content runs (started or joined)."""
        opening = selectors.section_opening(request.user, pk)
        if opening is None:
            raise Http404("No such section.")
        delivered = opening.delivered
        if delivered is not None:  # the common case: one prepared query and cached JSON
            delivery_id, was_cached, lecture_id, stamp = delivered
            return delivered_body(delivery_id, was_cached, ready_lecture_json(lecture_id, stamp))
        section = opening.section
        if selectors.is_part_with_sections(section):
            raise Http404("A part has no lecture of its own; open one of its sections.")
        delivered, inputs = services.deliver_from_cache(section, request.user, opening.library)
        if delivered is not None:  # a learner's first GET of a lecture that exists: one more statement
            delivery_id, was_cached, lecture_id, stamp = delivered
            return delivered_body(delivery_id, was_cached, ready_lecture_json(lecture_id, stamp))
        try:
            opened = services.open_section(section, request.user, undelivered=True, inputs=inputs)
        except services.GenerationRateLimited as exc:
            raise exceptions.Throttled(wait=exc.wait) from None
        return opened_response(request, opened)


class LectureAPI(APIView):
    @extend_schema(responses={200: LectureSchema, **errors(*AUTH, 404)}, tags=["lectures"])
    def get(self, request, pk: int):
        lecture = selectors.visible_lecture(request.user, pk)
        if lecture is None:
            raise Http404
        return Response(lecture_data(lecture))


class SectionCompleteAPI(APIView):
    @extend_schema(
        request=CompleteSchema,
        responses={200: CompletedSchema, **errors(*AUTH, *BODY, 404)},
        tags=["lectures"],
    )
    def post(self, request, pk: int):
        section = section_or_404(request.user, pk)
        form = CompleteSchema(data=request.data)
        if not form.is_valid():
            return refused(form.errors, "Send duration_actual_minutes (0-1440) and notes, both optional.")
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


class LectureQuizAPI(APIView):
    @extend_schema(
        request=AnswersSchema,
        responses={200: QuizResultSchema, **errors(*AUTH, *BODY, 404)},
        tags=["lectures"],
    )
    def post(self, request, pk: int):
        """Grade answers; only now are the answers, explanations and their citations sent."""
        lecture = selectors.delivered_lecture(request.user, pk)
        if lecture is None:
            raise Http404
        form = AnswersSchema(data=request.data)
        if not form.is_valid():
            return refused(
                form.errors, "Send {answers: {question_id: answer}} with an answer to every question."
            )
        try:
            attempt = services.submit_quiz(lecture, request.user, form.validated_data["answers"])
        except services.LectureRequestError as exc:
            return refused(
                exc.errors, "Answer every question of this quiz (multiple choice: one of its choices)."
            )
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
    @extend_schema(responses={200: ProgressSchema, **errors(*AUTH, 404)}, tags=["lectures"])
    def get(self, request, pk: int):
        course = get_object_or_404(courses_taken_by(request.user), pk=pk)
        return Response(selectors.course_progress(course, request.user))
