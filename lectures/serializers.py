"""Schemas of the lecture API's answers, for the OpenAPI document (the views build plain dicts:
lectures/payloads.py and selectors.course_progress)."""

from rest_framework import serializers

from docprof.fields import StrictCharField, StrictIntegerField


class CitationSchema(serializers.Serializer):
    n = serializers.IntegerField()
    chunk_id = serializers.IntegerField()
    book_id = serializers.IntegerField()
    book_title = serializers.CharField()
    chapter = serializers.CharField()
    page_start = serializers.IntegerField(allow_null=True)
    page_end = serializers.IntegerField(allow_null=True)
    quote = serializers.CharField()
    verified = serializers.BooleanField()


class SegmentSchema(serializers.Serializer):
    objective = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=["introduction", "objective", "recap"])


class QuestionSchema(serializers.Serializer):
    id = serializers.CharField()
    objective = serializers.CharField()
    kind = serializers.ChoiceField(choices=["multiple_choice", "short_answer"])
    question = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField(), required=False)


class LectureSchema(serializers.Serializer):
    """A version of a lecture; while it is written, the segments written so far (and `job`)."""

    id = serializers.IntegerField()
    version = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["generating", "ready", "failed"])
    script = serializers.CharField(allow_blank=True)
    segments = SegmentSchema(many=True)
    citations = CitationSchema(many=True)
    quiz = QuestionSchema(many=True)
    word_count = serializers.IntegerField()
    minutes = serializers.FloatField()
    style = serializers.CharField(allow_blank=True)
    pace_wpm = serializers.IntegerField()


class DeliveredSchema(serializers.Serializer):
    delivery_id = serializers.IntegerField()
    was_cached = serializers.BooleanField()
    lecture = LectureSchema()


class AcceptedSchema(serializers.Serializer):
    job_id = serializers.IntegerField()
    status_url = serializers.CharField()
    lecture_id = serializers.IntegerField()


class CompleteSchema(serializers.Serializer):
    # Strict: a string is not a number and a number is not a note (what the schema says).
    duration_actual_minutes = StrictIntegerField(min_value=0, max_value=24 * 60, required=False)
    notes = StrictCharField(max_length=10_000, allow_blank=True, required=False)


class SectionRefSchema(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class CompletedSchema(serializers.Serializer):
    delivery_id = serializers.IntegerField()
    section_id = serializers.IntegerField()
    completed_at = serializers.DateTimeField()
    duration_actual_minutes = serializers.IntegerField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    next_section = SectionRefSchema(allow_null=True)


class AnswersSchema(serializers.Serializer):
    answers = serializers.DictField(child=serializers.CharField(), help_text="{question_id: answer}")


class QuizResultSchema(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    score = serializers.FloatField()
    correct = serializers.IntegerField()
    total = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField())
    per_objective = serializers.DictField()


class ProgressSchema(serializers.Serializer):
    course_id = serializers.IntegerField()
    sections_total = serializers.IntegerField()
    sections_completed = serializers.IntegerField()
    minutes_total = serializers.IntegerField()
    minutes_completed = serializers.IntegerField()
    percent = serializers.IntegerField()
    next_section = SectionRefSchema(allow_null=True)
    sections = serializers.ListField(child=serializers.DictField())
    objectives = serializers.ListField(child=serializers.DictField())
    weak_objectives = serializers.ListField(child=serializers.DictField())
