import math
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.models import Course, CourseSection
from courses.services import DEPTHS, STYLES
from docprof.fields import (
    ClosedSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
)
from library.retrieval import MAX_QUERY_CHARS  # one limit for every query a user types


class PreferencesSerializer(ClosedSerializer):
    unknown_key_message = "Unknown preference."

    depth = serializers.ChoiceField(choices=DEPTHS, default="standard")
    presentation_style = serializers.ChoiceField(choices=STYLES, default="lecture")
    pace_wpm = StrictIntegerField(min_value=60, max_value=300, default=150)
    # Limits apply to what was sent (as the schema says), so no trimming before the length check.
    notes = StrictCharField(max_length=2000, allow_blank=True, default="", trim_whitespace=False)
    widen = StrictBooleanField(
        default=False,
        help_text="When the library holds less than the requested time on the subject, fill the rest with "
        "neighbouring chapters (default: plan only what the library supports, and say so).",
    )


@extend_schema_field(
    {
        "type": "number",
        "minimum": settings.DOCPROF_MIN_COURSE_MINUTES / 60,
        "maximum": settings.DOCPROF_MAX_COURSE_HOURS,
        "description": "How long the course should take, in hours",
    }
)
class HoursField(StrictFloatField):
    default_error_messages = {"invalid": "Enter the number of hours as a number, e.g. 1.5."}


class CourseRequestSerializer(serializers.Serializer):
    query = StrictCharField(
        max_length=MAX_QUERY_CHARS,
        trim_whitespace=False,  # the length limit applies to what was sent; validate_query trims
        # Some text that is not only spaces, and no NUL characters (the pattern the schema states).
        validators=[RegexValidator(r"^[^\x00]*\S[^\x00]*$", message="Say what you want to learn.")],
    )
    hours = HoursField()
    preferences = PreferencesSerializer(required=False, default=dict)

    def validate_query(self, value: str) -> str:
        return value.strip()

    def validate_hours(self, value: float) -> Decimal:
        if math.isnan(value) or math.isinf(value):
            raise serializers.ValidationError("Enter a number of hours.")
        minimum = settings.DOCPROF_MIN_COURSE_MINUTES / 60
        if value < minimum:
            raise serializers.ValidationError(
                f"A course needs at least {settings.DOCPROF_MIN_COURSE_MINUTES} minutes "
                f"({minimum:.2f} hours)."
            )
        if value > settings.DOCPROF_MAX_COURSE_HOURS:
            raise serializers.ValidationError(
                f"A course can be at most {settings.DOCPROF_MAX_COURSE_HOURS:g} hours."
            )
        return Decimal(str(round(value, 2)))

    def validate(self, attrs):
        # An omitted preferences object still gets every default (depth, style, pace).
        defaults = PreferencesSerializer(data={})
        defaults.is_valid(raise_exception=True)
        attrs["preferences"] = {**defaults.validated_data, **(attrs.get("preferences") or {})}
        return attrs


def number_or_text(text: str, kind=float):
    """Typed text (a form, the command line) as a number for CourseRequestSerializer, which takes JSON
    numbers only; text that is not a number is passed on as it is, for the serializer's message."""
    try:
        return kind(text)
    except (TypeError, ValueError):
        return text


class SourceSerializer(serializers.Serializer):
    book_id = serializers.IntegerField()
    book_title = serializers.CharField()
    chapter = serializers.CharField()
    page_start = serializers.IntegerField(allow_null=True)
    page_end = serializers.IntegerField(allow_null=True)


class SectionSerializer(serializers.ModelSerializer):
    minutes = serializers.IntegerField(source="estimated_minutes")
    sources = SourceSerializer(many=True)

    class Meta:
        model = CourseSection
        fields = ["id", "title", "minutes", "learning_objectives", "content_summary", "sources", "status"]


def outline_data(course: Course, parts: list[dict]) -> dict:
    return {
        "course_id": course.pk,
        "title": course.title,
        "query": course.original_query,
        "status": course.status,
        "requested_hours": float(course.requested_hours),
        "estimated_hours": float(course.estimated_hours) if course.estimated_hours is not None else None,
        "preferences": course.preferences,
        "parts": [
            {
                "id": item["part"].pk,
                "title": item["part"].title,
                "minutes": sum(s.estimated_minutes for s in item["sections"]),
                "summary": item["part"].content_summary,
                "sections": SectionSerializer(item["sections"], many=True).data,
            }
            for item in parts
        ],
        "coverage": course.coverage,
    }


class CourseListSerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(allow_null=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "original_query",
            "requested_hours",
            "estimated_hours",
            "status",
            "job_id",
            "progress",
            "published",
            "role",
            "created_at",
        ]

    role = serializers.SerializerMethodField()

    def get_role(self, course) -> str:
        request = self.context.get("request")
        return "owner" if request is None or course.owner_id == request.user.pk else "learner"

    def get_progress(self, course) -> dict:
        job = course.job
        if job is None:
            return {"done": 0, "total": 0, "percent": 0}
        return {"done": job.progress_done, "total": job.progress_total, "percent": job.percent}


class PublishedCourseSerializer(serializers.ModelSerializer):
    """A course in Browse courses: what it is, not its sections (those are for its learners)."""

    owner = serializers.CharField(source="owner.username")
    learners = serializers.IntegerField()
    section_count = serializers.IntegerField()
    enrolled = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "original_query",
            "estimated_hours",
            "preferences",
            "owner",
            "learners",
            "section_count",
            "published_at",
            "enrolled",
        ]

    def get_enrolled(self, course) -> bool:
        user = self.context["request"].user
        return course.owner_id == user.pk or bool(getattr(course, "is_enrolled", False))
