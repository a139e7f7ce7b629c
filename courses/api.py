"""JSON API for courses: request (202 at once), list, outline, status, resume, cancel, delete."""

import django_filters.rest_framework
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from courses import selectors, services, sharing
from courses.models import Course
from courses.serializers import (
    CourseListSerializer,
    CourseRequestSerializer,
    PublishedCourseSerializer,
    outline_data,
)
from docprof import pagination
from docprof.openapi import AUTH, BODY, errors
from docprof.parsers import JSONParser
from docprof.throttling import CourseRequestThrottle
from library.models import Book
from library.serializers import BookSerializer
from workers.engine import JobStatusSerializer, job_for_status
from workers.engine import status as status_data

Accepted = inline_serializer(
    "CourseAccepted",
    {
        "course_id": serializers.IntegerField(),
        "job_id": serializers.IntegerField(),
        "status": serializers.CharField(),
        "status_url": serializers.CharField(),
    },
)


def _request_from(serializer) -> services.CourseRequest:
    data = serializer.validated_data
    return services.CourseRequest(data["query"], data["hours"], dict(data.get("preferences") or {}))


FLAGS = {"1": True, "true": True, "0": False, "false": False}


class CourseFilter(django_filters.FilterSet):
    published = django_filters.rest_framework.BooleanFilter(
        method="filter_published",
        help_text="1: every published course (Browse courses); else the courses you own or take",
    )

    class Meta:
        model = Course
        fields = ["published"]

    def filter_published(self, queryset, name, value):
        return queryset  # the view chooses the queryset; this only validates and documents the flag


class CourseListAPI(APIView):
    parser_classes = [JSONParser]  # a course request is JSON (preferences nest)
    throttle_classes = [CourseRequestThrottle]  # POST only: DOCPROF_COURSE_RATE_PER_HOUR, 429 + Retry-After

    @extend_schema(
        parameters=[
            OpenApiParameter("published", bool, description="1: every published course (Browse courses)"),
            *pagination.PARAMETERS,
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="CourseListing",
                serializers=[CourseListSerializer, PublishedCourseSerializer],
                resource_type_field_name=None,
                many=True,
            ),
            **errors(*AUTH, 400),
        },
        tags=["courses"],
    )
    def get(self, request):
        """Your courses (owned and enrolled in); with `published=1`, every published course. Paged:
        `limit`/`offset`, the total in X-Total-Count, the next page in the Link header."""
        flags = CourseFilter(request.query_params, queryset=Course.objects.none())
        raw = request.query_params.get("published")
        if (raw is not None and raw.lower() not in FLAGS) or not flags.is_valid():
            return Response({"detail": "published is 1 or 0.", "published": ["1 or 0."]}, status=400)
        context = {"request": request}
        if flags.form.cleaned_data.get("published"):
            return pagination.paged_response(
                request,
                selectors.published_courses(request.user),
                lambda page: PublishedCourseSerializer(page, many=True, context=context).data,
            )
        return pagination.paged_response(
            request,
            selectors.courses_taken_by(request.user),
            lambda page: CourseListSerializer(page, many=True, context=context).data,
        )

    @extend_schema(
        request=CourseRequestSerializer,
        responses={202: Accepted, **errors(*AUTH, *BODY, 429)},
        tags=["courses"],
    )
    def post(self, request):
        """Request a course. Returns at once; poll `status_url` while the six phases run."""
        form = CourseRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            course, job = services.create_course(request.user, _request_from(form))
        except services.CourseRequestError as exc:
            return Response(exc.errors, status=exc.status_code)
        return Response(
            {
                "course_id": course.pk,
                "job_id": job.pk,
                "status": "processing",
                "status_url": request.build_absolute_uri(reverse("api-course-status", args=[course.pk])),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class CourseDetailAPI(APIView):
    @extend_schema(
        responses={
            200: inline_serializer("Outline", {"course_id": serializers.IntegerField()}),
            **errors(*AUTH, 404),
        },
        tags=["courses"],
    )
    def get(self, request, pk: int):
        """The outline, for the owner and enrolled learners."""
        course = get_object_or_404(selectors.courses_taken_by(request.user), pk=pk)
        return Response(outline_data(course, selectors.outline(course)))

    @extend_schema(responses={204: None, **errors(*AUTH, 404)}, tags=["courses"])
    def delete(self, request, pk: int):
        course = get_object_or_404(selectors.courses_of(request.user), pk=pk)
        services.delete_course(course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CourseStatusAPI(APIView):
    @extend_schema(responses={200: JobStatusSerializer, **errors(*AUTH, 404)}, tags=["courses"])
    def get(self, request, pk: int):
        # the job as its own status poll reads it: not its checkpointed outputs (tens of kB of JSON)
        course = get_object_or_404(selectors.courses_of(request.user).select_related(None), pk=pk)
        job = job_for_status(request.user, course.job_id) if course.job_id else None
        if job is None:
            return Response({"detail": "This course has no generation job."}, status=404)
        return Response(status_data(job))


class CourseResumeAPI(APIView):
    @extend_schema(
        request=None, responses={202: JobStatusSerializer, **errors(*AUTH, 404, 409)}, tags=["courses"]
    )
    def post(self, request, pk: int):
        course = get_object_or_404(selectors.courses_of(request.user), pk=pk)
        try:
            job = services.resume_course(course)
        except services.CourseRequestError as exc:
            return Response(exc.errors, status=exc.status_code)
        return Response(status_data(job), status=status.HTTP_202_ACCEPTED)


class CourseCancelAPI(APIView):
    @extend_schema(
        request=None, responses={202: JobStatusSerializer, **errors(*AUTH, 404, 409)}, tags=["courses"]
    )
    def post(self, request, pk: int):
        course = get_object_or_404(selectors.courses_of(request.user), pk=pk)
        try:
            services.cancel_course(course)
        except services.CourseRequestError as exc:
            return Response(exc.errors, status=exc.status_code)
        course.refresh_from_db()
        return Response(status_data(course.job), status=status.HTTP_202_ACCEPTED)


Published = inline_serializer(
    "CoursePublished",
    {"course_id": serializers.IntegerField(), "published": serializers.BooleanField()},
)
Enrolled = inline_serializer(
    "CourseEnrolled",
    {
        "course_id": serializers.IntegerField(),
        "enrolment_id": serializers.IntegerField(),
        "created": serializers.BooleanField(),
    },
)


def _sharing_refused(exc: sharing.SharingError) -> Response:
    return Response({"detail": exc.detail, **exc.extra}, status=exc.status_code)


class CoursePublishAPI(APIView):
    @extend_schema(request=None, responses={200: Published, **errors(*AUTH, 400, 404, 409)}, tags=["courses"])
    def post(self, request, pk: int):
        """Publish: listed in Browse courses, anyone may enrol. 400 naming any private book it uses."""
        course = get_object_or_404(selectors.courses_of(request.user), pk=pk)
        try:
            course = sharing.publish(course)
        except sharing.SharingError as exc:
            return _sharing_refused(exc)
        return Response({"course_id": course.pk, "published": course.published})


class CourseUnpublishAPI(APIView):
    @extend_schema(request=None, responses={200: Published, **errors(*AUTH, 404)}, tags=["courses"])
    def post(self, request, pk: int):
        """Unpublish: no new enrolments; enrolled learners keep their access and history."""
        course = get_object_or_404(selectors.courses_of(request.user), pk=pk)
        course = sharing.unpublish(course)
        return Response({"course_id": course.pk, "published": course.published})


class CourseEnrolAPI(APIView):
    @extend_schema(
        request=None, responses={200: Enrolled, 201: Enrolled, **errors(*AUTH, 404, 409)}, tags=["courses"]
    )
    def post(self, request, pk: int):
        """Enrol in a published course (201; 200 if already enrolled). Unpublished: 404."""
        course = get_object_or_404(selectors.enrollable(request.user).exclude(owner=request.user), pk=pk)
        enrolment, created = sharing.enrol(course, request.user)
        return Response(
            {"course_id": course.pk, "enrolment_id": enrolment.pk, "created": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


BookSharing = inline_serializer(
    "BookSharing",
    {
        "book": BookSerializer(),
        "shared": serializers.BooleanField(),
        "unpublished": inline_serializer(
            "UnpublishedCourse",
            {"id": serializers.IntegerField(), "title": serializers.CharField()},
            many=True,
        ),
        "warning": serializers.CharField(help_text="Empty unless courses were unpublished"),
    },
)


def _set_book_shared(request, pk: int, shared: bool) -> Response:
    book = get_object_or_404(Book.objects.owned_by(request.user), pk=pk)
    change = sharing.set_book_shared(book, shared)
    return Response(
        {
            "book": BookSerializer(book, context={"request": request}).data,
            "shared": shared,
            "unpublished": [{"id": c.pk, "title": c.title} for c in change.unpublished],
            "warning": change.warning,
        }
    )


class BookShareAPI(APIView):
    @extend_schema(request=None, responses={200: BookSharing, **errors(*AUTH, 404)}, tags=["library"])
    def post(self, request, pk: int):
        """Share one of your books: every user can read it, and courses built on it can be published."""
        return _set_book_shared(request, pk, True)


class BookUnshareAPI(APIView):
    @extend_schema(request=None, responses={200: BookSharing, **errors(*AUTH, 404)}, tags=["library"])
    def post(self, request, pk: int):
        """Make one of your books private again. The published courses that use it are unpublished
        (listed in `unpublished`, with a `warning`); their enrolled learners keep their access."""
        return _set_book_shared(request, pk, False)
