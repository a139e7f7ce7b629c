"""The course request form. It renders the fields; the rules are `CourseRequestSerializer`'s, so the
page, the API and the CLI refuse exactly the same input."""

from django import forms
from django.conf import settings
from django.urls import reverse

from courses.models import Course
from courses.serializers import MAX_QUERY_CHARS, CourseRequestSerializer, number_or_text
from courses.services import CourseRequest

PREFERENCE_FIELDS = ("depth", "presentation_style", "pace_wpm", "notes")


class CourseRequestForm(forms.Form):
    query = forms.CharField(
        label="What do you want to learn?",
        max_length=MAX_QUERY_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. Learn DCF valuation"}),
    )
    hours = forms.CharField(
        label="Hours",
        initial="2",
        widget=forms.NumberInput(attrs={"step": "0.25", "min": "0.25"}),
    )
    depth = forms.ChoiceField(choices=Course.Depth.choices, initial=Course.Depth.STANDARD)
    presentation_style = forms.ChoiceField(
        label="Presentation style", choices=Course.Style.choices, initial=Course.Style.LECTURE
    )
    pace_wpm = forms.CharField(
        label="Pace (words per minute)",
        initial="150",
        widget=forms.NumberInput(attrs={"min": "60", "max": "300", "step": "10"}),
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Anything the planner should know"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "hours"
        ].help_text = (
            f"{settings.DOCPROF_MIN_COURSE_MINUTES} minutes to {settings.DOCPROF_MAX_COURSE_HOURS:g} hours"
        )
        self.request: CourseRequest | None = None
        # Typing a request (or changing the hours) refreshes the preview of relevant books and cost.
        live = {
            "hx-get": reverse("courses:preview"),
            "hx-target": "#preview",
            "hx-include": "#id_query, #id_hours",
            "hx-sync": "closest form:replace",
        }
        self.fields["query"].widget.attrs.update(live, **{"hx-trigger": "keyup changed delay:500ms, load"})
        self.fields["hours"].widget.attrs.update(live, **{"hx-trigger": "change, keyup changed delay:500ms"})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        preferences = {name: cleaned[name] for name in PREFERENCE_FIELDS}
        preferences["pace_wpm"] = number_or_text(preferences["pace_wpm"], int)
        payload = {
            "query": cleaned["query"],
            "hours": number_or_text(cleaned["hours"]),
            "preferences": preferences,
        }
        serializer = CourseRequestSerializer(data=payload)
        if not serializer.is_valid():
            add_serializer_errors(self, serializer.errors)
            return cleaned
        data = serializer.validated_data
        self.request = CourseRequest(data["query"], data["hours"], dict(data.get("preferences") or {}))
        return cleaned


def add_serializer_errors(form: forms.Form, errors: dict) -> None:
    """Put DRF errors (preferences nested) on the form's fields; anything else on the form."""
    for field, messages in errors.items():
        if field == "preferences" and isinstance(messages, dict):
            add_serializer_errors(form, messages)
            continue
        if isinstance(messages, dict):
            messages = [str(m) for m in messages.values()]
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(field if field in form.fields else None, str(message))
